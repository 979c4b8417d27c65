"""Input schemas: an import line, a CLI record, a correction. Validate, then normalise.

Every loaded record is plain JSON data with empty values dropped, so that the
same statement always has the same fingerprint.
"""

from __future__ import annotations

from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from ledger.domain.canonical import nfc
from ledger.domain.dates import PartialDate, PartialDateError, time_zone
from ledger.domain.rules import statement_problems
from ledger.domain.text import a_or_an, one_line_problem
from ledger.domain.vocabulary import (
    ACTOR_KINDS,
    ATTRIBUTION_MODES,
    CORRECTABLE,
    CREDIBILITY_GRADES,
    DEFAULT_STANCE,
    HOP_RELATIONS,
    RELIABILITY_GRADES,
    STANCES,
    STATEMENT_KINDS,
)

CORRECTED_KINDS = tuple(CORRECTABLE)

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,199}\Z"
_SLUG_MESSAGE = "use lower-case letters, digits, '.', '_' or '-' (at most 200)"


def Slug(**kwargs: Any) -> fields.String:  # noqa: N802 - reads as a field type
    """A stable id: lower-case letters, digits, dot, underscore, hyphen."""
    return fields.String(
        validate=validate.Regexp(SLUG_PATTERN, error=_SLUG_MESSAGE), **kwargs
    )


def Text(**kwargs: Any) -> fields.String:  # noqa: N802
    """Free text that must not be blank; may hold paragraphs (newlines are kept)."""
    return fields.String(validate=validate.Length(min=1, max=20000), **kwargs)


def _one_line(value: str) -> None:
    problem = one_line_problem(value)
    if problem:
        raise ValidationError(problem)


def Line(max_length: int = 20000, **kwargs: Any) -> fields.String:  # noqa: N802
    """One line of text (a title, a name): no line breaks, no control characters."""
    return fields.String(
        validate=[validate.Length(min=1, max=max_length), _one_line], **kwargs
    )


class Grade(fields.String):
    """An Admiralty reliability grade; ``b`` is read as ``B``."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).upper()


class PartialDateField(fields.Field):
    """A partial ISO 8601 date (``2019``, ``2019-12``, ``2019-12-03``, optionally
    with a time zone, ``2019-12-03[Asia/Manila]``) or an instant."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        try:
            return PartialDate.parse(value).text
        except PartialDateError as error:
            raise ValidationError(str(error)) from None

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return value


class TimeZoneField(fields.String):
    """An IANA time zone name (``Asia/Manila``)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        name = super()._deserialize(value, attr, data, **kwargs)
        try:
            time_zone(name)
        except PartialDateError as error:
            raise ValidationError(str(error)) from None
        return name


def _compact(value: Any) -> Any:
    """Drop keys whose value is None, an empty string or an empty list."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def _clean(value: Any, keep: tuple[str, ...] = (), path: str = "") -> Any:
    """NFC-normalise text and drop blank values, all the way down, in one pass.

    A blank cell of a spreadsheet export means "not given", not "empty text".
    Text that is not valid Unicode (a lone surrogate) is refused here, by field.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(
                "text is not valid Unicode", path or "(record)"
            ) from None
        return nfc(value)
    if isinstance(value, dict):
        return {
            _clean(k, (), path): _clean(v, (), f"{path}.{k}" if path else str(k))
            for k, v in value.items()
            if k in keep or (v is not None and v != "") or k not in _KNOWN_FIELDS
        }
    if isinstance(value, list):
        return [_clean(v, (), f"{path}.{i}") for i, v in enumerate(value)]
    return value


class PartSchema(Schema):
    """A nested part of a record; its record cleans and compacts it."""


class InputSchema(PartSchema):
    """A whole record: unknown fields are errors, text is NFC, output compact."""

    # Fields whose null is a value (a correction that clears a field).
    keeps_null: tuple[str, ...] = ()

    @pre_load
    def _normalise_text(self, data: Any, **_: Any) -> Any:
        return _clean(data, self.keeps_null) if isinstance(data, dict) else data

    @post_load
    def _compact(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return _compact(data)


class IncidentInput(InputSchema):
    """An incident: what happened, when and where."""

    type = fields.Constant("incident")
    id = Slug(required=True)
    title = Line(required=True)
    description = Text()
    occurred_at = PartialDateField()
    place = Line()
    # The zone of its statements' days, months and years given without one.
    time_zone = TimeZoneField()


class ActorInput(InputSchema):
    """A person, organisation, state, armed group or outlet; named or anonymous."""

    type = fields.Constant("actor")
    id = Slug(required=True)
    name = Line()
    kind = fields.String(required=True, validate=validate.OneOf(ACTOR_KINDS))
    aliases = fields.List(Line())
    affiliation = Slug()
    role = Line()
    description = Text()
    anonymous = fields.Boolean(load_default=False, truthy={True}, falsy={False})

    @validates_schema
    def _named_or_described(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("anonymous") and not data.get("description"):
            raise ValidationError("describe an anonymous speaker", "description")
        if not data.get("anonymous") and not data.get("name"):
            raise ValidationError(
                "a named actor needs a name (or set anonymous)", "name"
            )


class ClaimInput(InputSchema):
    """A proposition about an incident."""

    type = fields.Constant("claim")
    id = Slug(required=True)
    incident = Slug(required=True)
    proposition = Line(required=True)


class StanceInput(PartSchema):
    """The stance a statement takes on one claim."""

    claim = Slug(required=True)
    stance = fields.String(validate=validate.OneOf(STANCES))


class AttributionInput(PartSchema):
    """The actor, or alternative actors, a statement holds responsible."""

    actors = fields.List(Slug(), required=True, validate=validate.Length(min=1))
    mode = fields.String(
        load_default="sole", validate=validate.OneOf(ATTRIBUTION_MODES)
    )


class DemandInput(PartSchema):
    """What a demand asks, and of whom."""

    addressee = Slug(required=True)
    action = Line(required=True)


class DocumentInput(PartSchema):
    """The source document a recorder read."""

    outlet = Slug()
    title = Line()
    url = fields.Url()
    published_at = PartialDateField()
    retrieved_at = PartialDateField()
    content_hash = fields.String(
        validate=validate.Regexp(
            r"^sha256:[0-9a-f]{64}\Z", error="use sha256:<64 hex digits>"
        )
    )


class HopInput(PartSchema):
    """One hop of a provenance chain, from the speaker towards the document."""

    agent = Slug(required=True)
    relation = fields.String(required=True, validate=validate.OneOf(HOP_RELATIONS))
    document = fields.Nested(DocumentInput)


class StatementBody(InputSchema):
    """What a statement says; shared by records and by corrections' re-validation."""

    speaker = Slug(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(STATEMENT_KINDS))
    stated_at = PartialDateField(required=True)
    claims = fields.List(fields.Nested(StanceInput))
    quote = Text()
    paraphrase = Text()
    hedging = Line()
    attribution = fields.Nested(AttributionInput)
    demand = fields.Nested(DemandInput)
    responds_to = Slug()
    retracts = Slug()
    provenance = fields.List(fields.Nested(HopInput))
    note = Text()

    @pre_load
    def _default_stances(self, data: Any, **_: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
            return data
        kind = data.get("kind")
        default = DEFAULT_STANCE.get(kind) if isinstance(kind, str) else None
        claims = [
            {**c, "stance": default if c.get("stance") in (None, "") else c["stance"]}
            if isinstance(c, dict) and default
            else c
            for c in data["claims"]
        ]
        return {**data, "claims": claims}

    @validates_schema
    def _rules(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        for field, message in statement_problems(_compact(data)):
            errors.setdefault(field, []).append(message)
        if errors:
            raise ValidationError(errors)


class StatementInput(StatementBody):
    """A statement as recorded: its id and incident, then what it says."""

    type = fields.Constant("statement")
    id = Slug(required=True)
    incident = Slug(required=True)


class CorrectionInput(InputSchema):
    """A correction of one field of a recorded statement, incident, actor or claim
    (an actor's ``same_as``: the actor it was found to be)."""

    keeps_null = ("value",)
    type = fields.Constant("correction")
    id = Slug(required=True)
    statement = Slug()
    incident = Slug()
    actor = Slug()
    claim = Slug()
    field = fields.String(required=True)
    value = fields.Raw(required=True, allow_none=True)
    reason = Text(required=True)

    @validates_schema(skip_on_field_errors=False)
    def _one_subject(self, data: dict[str, Any], **_: Any) -> None:
        given = [kind for kind in CORRECTED_KINDS if data.get(kind)]
        if len(given) != 1:
            raise ValidationError(
                "name exactly one record to correct: statement, incident, actor or "
                f"claim (given: {', '.join(given) or 'none'})",
                "statement",
            )
        allowed = CORRECTABLE[given[0]]
        if data.get("field") not in allowed:
            raise ValidationError(
                f"{a_or_an(given[0])}'s correctable fields are: {', '.join(allowed)}",
                "field",
            )


def corrected_kind(record: dict[str, Any]) -> str:
    """Which kind of record a correction changes: statement, incident, actor, claim."""
    return next(kind for kind in CORRECTED_KINDS if record.get(kind))


class WithdrawalInput(InputSchema):
    """The withdrawal of a statement entered in error."""

    type = fields.Constant("withdrawal")
    id = Slug(required=True)
    statement = Slug(required=True)
    reason = Text(required=True)


class GradeInput(InputSchema):
    """An analyst's Admiralty grade of a statement: source reliability, credibility."""

    type = fields.Constant("grade")
    id = Slug(required=True)
    statement = Slug(required=True)
    reliability = Grade(validate=validate.OneOf(RELIABILITY_GRADES))
    credibility = fields.Integer(
        strict=True, validate=validate.OneOf(CREDIBILITY_GRADES)
    )
    reason = Text()

    @validates_schema
    def _some_grade(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("reliability") is None and data.get("credibility") is None:
            raise ValidationError(
                "give a reliability (A-F), a credibility (1-6) or both"
            )


class RecorderInput(InputSchema):
    """Who records a write: ``--recorded-by``, ``LEDGER_RECORDER``, an API user."""

    recorded_by = Line(max_length=200, required=True)


# Blank values of these are "not given"; a blank unknown field is still refused.
_KNOWN_FIELDS = frozenset(
    name
    for schema in (
        IncidentInput,
        ActorInput,
        ClaimInput,
        StanceInput,
        AttributionInput,
        DemandInput,
        DocumentInput,
        HopInput,
        StatementInput,
        CorrectionInput,
        WithdrawalInput,
        GradeInput,
    )
    for name in schema._declared_fields
)

LINE_SCHEMAS: dict[str, type[InputSchema]] = {
    "incident": IncidentInput,
    "actor": ActorInput,
    "claim": ClaimInput,
    "statement": StatementInput,
    "correction": CorrectionInput,
    "withdrawal": WithdrawalInput,
    "grade": GradeInput,
}
