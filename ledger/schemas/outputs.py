"""Output schemas: the documented JSON shapes of ``--json`` answers."""

from __future__ import annotations

from marshmallow import fields

from ledger.schemas.parts import (  # noqa: F401 - parts are outputs too
    AttributionOutput,
    CountsOutput,
    DemandOutput,
    DocumentOutput,
    EventDetailOutput,
    HopDataOutput,
    IncidentProfileOutput,
    OutputSchema,
    ProfileOutput,
    RecordedOutput,
    StanceOutput,
    StatementDataOutput,
)


class StanceEntryOutput(OutputSchema):
    """A statement as it stands on one side of a claim."""

    statement = fields.String()
    speaker = fields.String()
    speaker_name = fields.String()
    kind = fields.String()
    stated_at = fields.String()
    hedging = fields.String()
    quote = fields.String()
    paraphrase = fields.String()
    attribution = fields.Nested(AttributionOutput)
    stance = fields.String()
    retracted_by = fields.String()


class PendingOutput(OutputSchema):
    """An ``undetermined`` claim's status if none, or all, of the statements
    undetermined at the as-of date stand, and those of them it awaits."""

    if_none = fields.String()
    if_all = fields.String()
    statements = fields.List(fields.String())


class ClaimStateOutput(OutputSchema):
    """A claim with who supports and who denies it, and its status."""

    id = fields.String()
    proposition = fields.String()
    status = fields.String()
    pending = fields.Nested(PendingOutput)
    supporters = fields.List(fields.Nested(StanceEntryOutput))
    deniers = fields.List(fields.Nested(StanceEntryOutput))
    retracted = fields.List(fields.Nested(StanceEntryOutput))
    assessments = fields.List(fields.Nested(StanceEntryOutput))


class DemandStateOutput(StanceEntryOutput):
    """A demand with its addressee, action, status and the answers to it."""

    addressee = fields.String()
    addressee_name = fields.String()
    action = fields.String()
    status = fields.String()
    responses = fields.List(fields.Nested(StanceEntryOutput))


class AxesOutput(OutputSchema):
    """The two time axes a query was asked on."""

    as_of = fields.String(allow_none=True)
    known_at = fields.String(allow_none=True)
    known_at_seq = fields.Integer(allow_none=True)


class StateOutput(AxesOutput):
    """``ledger state``: the state of an incident at (as_of, known_at)."""

    incident = fields.Nested(IncidentProfileOutput)
    claims = fields.List(fields.Nested(ClaimStateOutput))
    demands = fields.List(fields.Nested(DemandStateOutput))
    statements = fields.List(fields.Nested(StanceEntryOutput))
    undetermined = fields.List(fields.Nested(StanceEntryOutput))
    counts = fields.Nested(CountsOutput)


class LedgerEventOutput(OutputSchema):
    """One ledger event of the audit history."""

    seq = fields.Integer()
    recorded_at = fields.DateTime(format="iso")
    recorded_by = fields.String()
    type = fields.String()
    subject = fields.String()
    incident = fields.String(allow_none=True)
    summary = fields.String()
    detail = fields.Nested(EventDetailOutput)
    hash = fields.String()
    undetermined = fields.Boolean()


class HistoryOutput(AxesOutput):
    """``ledger history``: every ledger event, in ledger order."""

    incident = fields.String(allow_none=True)
    events = fields.List(fields.Nested(LedgerEventOutput))
    next_after_seq = fields.Integer(
        allow_none=True,
        metadata={"description": "after_seq of the next page; null on the last."},
    )


class GradeOutput(OutputSchema):
    """An analyst's grade of a statement."""

    seq = fields.Integer()
    recorded_at = fields.DateTime(format="iso")
    recorded_by = fields.String()
    reliability = fields.String(allow_none=True)
    credibility = fields.Integer(allow_none=True)
    reason = fields.String()


class CorrectionOutput(OutputSchema):
    """A correction: field, before, after, reason, who and when."""

    seq = fields.Integer()
    recorded_at = fields.DateTime(format="iso")
    recorded_by = fields.String()
    field = fields.String()
    before = fields.Raw()
    after = fields.Raw()
    reason = fields.String()


class WithdrawalOutput(OutputSchema):
    """Why and by whom a statement was withdrawn from the ledger."""

    seq = fields.Integer()
    recorded_at = fields.DateTime(format="iso")
    recorded_by = fields.String()
    reason = fields.String()


class HopOutput(OutputSchema):
    """One hop of a provenance chain, the speaker first."""

    agent = fields.String()
    agent_name = fields.String()
    relation = fields.String()
    document = fields.Nested(DocumentOutput)


class StatementProvenanceOutput(OutputSchema):
    """A statement with its chain, quote, grades, corrections and ledger events."""

    id = fields.String()
    incident = fields.String()
    speaker = fields.String()
    speaker_name = fields.String()
    kind = fields.String()
    stated_at = fields.String()
    claims = fields.List(fields.Nested(StanceOutput))
    quote = fields.String()
    paraphrase = fields.String()
    hedging = fields.String()
    attribution = fields.Nested(AttributionOutput)
    demand = fields.Nested(DemandOutput)
    responds_to = fields.String()
    retracts = fields.String()
    note = fields.String()
    chain = fields.List(fields.Nested(HopOutput))
    withdrawn = fields.Boolean()
    withdrawal = fields.Nested(WithdrawalOutput, allow_none=True)
    grades = fields.List(fields.Nested(GradeOutput))
    corrections = fields.List(fields.Nested(CorrectionOutput))
    events = fields.List(fields.Nested(LedgerEventOutput))
    version = fields.Integer(
        metadata={"description": "The statement's version (1 + its changes)."}
    )


class ClaimSummaryOutput(OutputSchema):
    """A claim, its incident and its current status."""

    id = fields.String()
    incident = fields.String()
    proposition = fields.String()
    status = fields.String()
    recorded_at = fields.DateTime(format="iso")
    recorded_by = fields.String()
    corrections = fields.List(
        fields.Nested(CorrectionOutput),
        metadata={"description": "Corrections of its wording, known by then."},
    )


class ProvenanceOutput(OutputSchema):
    """``ledger provenance``: a statement, or a claim and every statement behind it."""

    claim = fields.Nested(ClaimSummaryOutput)
    statement = fields.Nested(StatementProvenanceOutput)
    statements = fields.List(fields.Nested(StatementProvenanceOutput))
    known_at_seq = fields.Integer(
        metadata={"description": "The ledger sequence number the answer reflects."}
    )


class IncidentOutput(OutputSchema):
    """One incident in ``ledger incidents``."""

    id = fields.String()
    title = fields.String()
    description = fields.String()
    occurred_at = fields.String()
    place = fields.String()
    claims = fields.Integer()
    statements = fields.Integer()
    recorded_at = fields.DateTime(format="iso")
    recorded_by = fields.String()


class ImportOutput(OutputSchema):
    """What an import or a record wrote, and what was already there."""

    source = fields.String()
    recorded = fields.Integer()
    new = fields.Dict(keys=fields.String(), values=fields.Integer())
    unchanged = fields.Dict(keys=fields.String(), values=fields.Integer())
    ids = fields.List(fields.String())
    known_at_seq = fields.Integer(
        metadata={"description": "The ledger's position once the write was projected."}
    )
