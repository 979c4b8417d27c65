"""The HTTP API's read answers, made of the project's output schemas.

Every read answer says which ledger sequence number it reflects
(``known_at_seq``). A list comes inside an object with that number beside it;
its items are dumped with the same schema as the command line's ``--json``.
"""

from __future__ import annotations

from marshmallow import fields

from ledger.integrity.bundle_schema import StateV1
from ledger.schemas.outputs import IncidentOutput, OutputSchema
from ledger.schemas.resources import (
    ActorOutput,
    CheckpointOutput,
    ClaimOutput,
    ConsistencyOutput,
    InclusionOutput,
    StatementOutput,
)

KNOWN_AT_SEQ = "The ledger sequence number the answer reflects."


def _known_at_seq() -> fields.Integer:
    return fields.Integer(required=True, metadata={"description": KNOWN_AT_SEQ})


class IncidentsOutput(OutputSchema):
    """Every incident (the list ``ledger incidents --json`` prints)."""

    incidents = fields.List(fields.Nested(IncidentOutput))
    known_at_seq = _known_at_seq()


class ActorsOutput(OutputSchema):
    """Every actor, in the order registered."""

    actors = fields.List(fields.Nested(ActorOutput))
    known_at_seq = _known_at_seq()


class ClaimsOutput(OutputSchema):
    """Claims, in the order defined."""

    claims = fields.List(fields.Nested(ClaimOutput))
    known_at_seq = _known_at_seq()


class StatementsOutput(OutputSchema):
    """Statements as the ledger holds them, corrections applied."""

    statements = fields.List(fields.Nested(StatementOutput))
    known_at_seq = _known_at_seq()


class StatementAnswer(StatementOutput):
    """One statement; its ``version`` is also the answer's ETag (``"v3"``)."""

    known_at_seq = _known_at_seq()


class CheckpointAnswer(CheckpointOutput):
    """The latest signed checkpoint (the signature covers its own fields only)."""

    known_at_seq = _known_at_seq()


class InclusionAnswer(InclusionOutput):
    """An RFC 9162 inclusion proof."""

    known_at_seq = _known_at_seq()


class ConsistencyAnswer(ConsistencyOutput):
    """An RFC 9162 consistency proof."""

    known_at_seq = _known_at_seq()


class BundleEventOutput(OutputSchema):
    """One event of a bundle: its leaf, its inclusion path, its stored envelope."""

    leaf_index = fields.Integer()
    leaf_hash = fields.String()
    path = fields.List(fields.String())
    envelope = fields.Dict()


class BundleOutput(OutputSchema):
    """An audit bundle (``ledger audit-bundle``), checked by ``ledger verify-bundle``.

    Its ``state`` has the frozen shape of its ``format``, not the API's.
    """

    format = fields.String()
    incident = fields.String()
    as_of = fields.String(allow_none=True)
    known_at = fields.String(allow_none=True)
    known_at_seq = _known_at_seq()
    state = fields.Nested(StateV1)
    checkpoint = fields.Nested(CheckpointOutput)
    keys = fields.List(fields.Dict())
    events = fields.List(fields.Nested(BundleEventOutput))
