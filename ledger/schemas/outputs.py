"""Output schemas: the documented JSON shapes of ``--json`` answers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump


class OutputSchema(Schema):
    """Base of output schemas: dumps keep the declared order."""

    class Meta:
        ordered = True


class RecordedOutput(OutputSchema):
    """A part whose keys keep the order the ledger recorded them in.

    These parts were opaque objects before they had fields: their keys come
    out in the order they always had, whatever the declared order.
    """

    @post_dump(pass_original=True)
    def _recorded_order(self, data: dict[str, Any], original: Any, **_: Any):
        if not isinstance(original, dict):
            return data
        ordered = {k: data[k] for k in original if k in data}
        return ordered | {k: v for k, v in data.items() if k not in ordered}


class AttributionOutput(RecordedOutput):
    """Who a statement holds responsible: one actor, or alternatives."""

    actors = fields.List(fields.String(), metadata={"description": "Actor ids."})
    mode = fields.String(metadata={"description": "sole, either or jointly."})
    actor_names = fields.List(
        fields.String(), metadata={"description": "Their display names."}
    )


class StanceOutput(RecordedOutput):
    """The stance a statement takes on one claim."""

    claim = fields.String()
    stance = fields.String()


class DemandOutput(RecordedOutput):
    """What a demand asks, and of whom."""

    addressee = fields.String()
    action = fields.String()


class DocumentOutput(RecordedOutput):
    """The source document a recorder read."""

    outlet = fields.String()
    title = fields.String()
    url = fields.String()
    published_at = fields.String()
    retrieved_at = fields.String()
    content_hash = fields.String()
    outlet_name = fields.String()


class HopDataOutput(RecordedOutput):
    """One recorded hop of a provenance chain."""

    agent = fields.String()
    relation = fields.String()
    document = fields.Nested(DocumentOutput)


class StatementDataOutput(RecordedOutput):
    """What a statement says, as recorded (or corrected)."""

    speaker = fields.String()
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
    provenance = fields.List(fields.Nested(HopDataOutput))
    note = fields.String()


class IncidentProfileOutput(RecordedOutput):
    """An incident: what happened, when and where."""

    id = fields.String()
    title = fields.String()
    description = fields.String()
    occurred_at = fields.String()
    place = fields.String()


class ProfileOutput(RecordedOutput):
    """The recorded profile of an incident, an actor or a claim."""

    title = fields.String()
    description = fields.String()
    occurred_at = fields.String()
    place = fields.String()
    name = fields.String()
    kind = fields.String()
    aliases = fields.List(fields.String())
    affiliation = fields.String()
    role = fields.String()
    anonymous = fields.Boolean()
    proposition = fields.String()


class CountsOutput(RecordedOutput):
    """How many statements stand, and claims and demands by status."""

    statements = fields.Integer()
    undetermined = fields.Integer()
    withdrawn = fields.Integer()
    retracted = fields.Integer()
    claims = fields.Dict(keys=fields.String(), values=fields.Integer())
    demands = fields.Dict(keys=fields.String(), values=fields.Integer())


class EventDetailOutput(RecordedOutput):
    """What an event recorded: a profile, a statement's data, or a change."""

    profile = fields.Nested(ProfileOutput)
    data = fields.Nested(StatementDataOutput)
    change = fields.String(metadata={"description": "correction, withdrawal or grade."})
    change_id = fields.String()
    field = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
    reason = fields.String(allow_none=True)
    reliability = fields.String(allow_none=True)
    credibility = fields.Integer(allow_none=True)


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


class ClaimStateOutput(OutputSchema):
    """A claim with who supports and who denies it, and its status."""

    id = fields.String()
    proposition = fields.String()
    status = fields.String()
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
