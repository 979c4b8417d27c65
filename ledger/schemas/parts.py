"""Parts of output schemas: attributions, documents, profiles, counts, details.

Each declares the fields a part can have, so the OpenAPI document shows them.
"""

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
