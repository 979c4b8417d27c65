"""Output schemas of the service's other answers: lists, checkpoints, proofs.

The answers the command line prints are in ledger/schemas/outputs.py; these
complete them for the HTTP API, so its OpenAPI document describes every answer.
"""

from __future__ import annotations

from marshmallow import fields

from ledger.schemas.outputs import (
    AttributionOutput,
    DemandOutput,
    GradeOutput,
    HopDataOutput,
    OutputSchema,
    StanceOutput,
)


class ActorOutput(OutputSchema):
    """An actor: a person, organisation, state, armed group or outlet."""

    id = fields.String()
    name = fields.String()
    kind = fields.String()
    aliases = fields.List(fields.String())
    affiliation = fields.String()
    role = fields.String()
    description = fields.String()
    anonymous = fields.Boolean()
    same_as = fields.String(
        metadata={"description": "The actor this record was found to be (merged)."}
    )
    display_name = fields.String()
    version = fields.Integer(
        metadata={"description": "1 + its corrections; the expected_version to give."}
    )
    recorded_at = fields.DateTime(format="iso")
    recorded_by = fields.String()


class ClaimOutput(OutputSchema):
    """A claim: a proposition about an incident (its wording as known then)."""

    id = fields.String()
    incident = fields.String()
    proposition = fields.String()
    version = fields.Integer(
        metadata={"description": "1 + its corrections; the expected_version to give."}
    )
    recorded_at = fields.DateTime(format="iso")
    recorded_by = fields.String()


class StatementOutput(OutputSchema):
    """A statement as the ledger holds it, corrections applied."""

    id = fields.String()
    seq = fields.Integer(metadata={"description": "Where it was recorded."})
    version = fields.Integer(
        metadata={"description": "1 + its changes; the expected_version to give."}
    )
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
    provenance = fields.List(fields.Nested(HopDataOutput))
    note = fields.String()
    withdrawn = fields.Boolean()
    grades = fields.List(fields.Nested(GradeOutput))
    undetermined = fields.Boolean(
        metadata={
            "description": "Only with as_of: stated in an interval that straddles "
            "it, so it may or may not have been made by then."
        }
    )


class SearchHitOutput(OutputSchema):
    """One text that has every word searched for, and what it belongs to."""

    kind = fields.String(
        metadata={"description": "statement, claim, incident or actor"}
    )
    id = fields.String()
    incident = fields.String(allow_none=True)
    field = fields.String(
        metadata={
            "description": "quote, paraphrase, proposition, title, "
            "description, name or aliases.N"
        }
    )
    text = fields.String(metadata={"description": "The text that matched."})
    withdrawn = fields.Boolean(
        metadata={"description": "Statements only: withdrawn from the ledger."}
    )
    seq = fields.Integer(metadata={"description": "Where the text was recorded."})
    recorded_at = fields.DateTime(format="iso")


class SearchOutput(OutputSchema):
    """What ``ledger search`` found, in ledger order."""

    query = fields.String()
    words = fields.List(
        fields.String(), metadata={"description": "The words searched for, folded."}
    )
    hits = fields.List(fields.Nested(SearchHitOutput))
    known_at_seq = fields.Integer(
        metadata={"description": "The ledger sequence number the answer reflects."}
    )


class CheckpointOutput(OutputSchema):
    """A signed checkpoint: tree size, last sequence number, root, signature."""

    format = fields.String()
    tree_size = fields.Integer()
    last_seq = fields.Integer()
    root_hash = fields.String()
    timestamp = fields.String()
    key_id = fields.String()
    signature = fields.String()


class InclusionOutput(OutputSchema):
    """An RFC 9162 inclusion proof of one event in a tree."""

    seq = fields.Integer()
    type = fields.String()
    leaf_index = fields.Integer()
    leaf_hash = fields.String()
    tree_size = fields.Integer()
    root_hash = fields.String()
    path = fields.List(fields.String())


class ConsistencyOutput(OutputSchema):
    """An RFC 9162 consistency proof between two tree sizes."""

    first = fields.Integer()
    second = fields.Integer()
    first_root = fields.String()
    second_root = fields.String()
    proof = fields.List(fields.String())


class FindingOutput(OutputSchema):
    """One thing verification found wrong."""

    seq = fields.Integer(allow_none=True)
    message = fields.String()


class VerifyOutput(OutputSchema):
    """What ``verify`` checked and found (as ``ledger verify --json`` prints)."""

    ok = fields.Boolean()
    events = fields.Integer()
    checkpoints = fields.Integer()
    findings = fields.List(fields.Nested(FindingOutput))
