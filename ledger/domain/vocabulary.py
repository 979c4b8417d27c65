"""The ledger's closed vocabularies: statement kinds, stances, relations, grades."""

from __future__ import annotations

ACTOR_KINDS = ("person", "organisation", "state", "armed_group", "outlet", "group")

STATEMENT_KINDS = (
    "report",
    "assessment",
    "demand",
    "denial",
    "corroboration",
    "refusal",
    "fulfilment",
    "retraction",
    "admission",
    "comment",
)

STANCES = ("supports", "denies")

# The stance a kind takes on its claims when the input does not say.
DEFAULT_STANCE = {
    "report": "supports",
    "assessment": "supports",
    "corroboration": "supports",
    "admission": "supports",
    "denial": "denies",
    "demand": "supports",
    "refusal": "supports",
    "fulfilment": "supports",
}

# A kind names a statement's main act; its stances are per claim and free, except
# that these kinds must take their main stance on at least one claim (a denial
# denies at least one claim and may support others).
MAIN_STANCE = {"denial": "denies", "admission": "supports"}

# Kinds that answer a demand, and the demand status they lead to.
DEMAND_RESPONSES = {"refusal": "refused", "fulfilment": "met"}

HOP_RELATIONS = ("told", "reported", "citing", "translated", "contributed")

ATTRIBUTION_MODES = ("sole", "either", "jointly")

RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
CREDIBILITY_GRADES = (1, 2, 3, 4, 5, 6)

CLAIM_STATUSES = (
    "absent",
    "admitted",
    "contested",
    "uncontested",
    "denied",
    "retracted",
    # Differs if the statements undetermined at the as-of date stand (see pending).
    "undetermined",
)
DEMAND_STATUSES = ("open", "refused", "met", "withdrawn")

# Statement fields a correction may change; id and incident never change.
CORRECTABLE_FIELDS = (
    "speaker",
    "kind",
    "stated_at",
    "claims",
    "quote",
    "paraphrase",
    "hedging",
    "attribution",
    "demand",
    "responds_to",
    "retracts",
    "provenance",
    "note",
)

# Profile fields a correction may change (the rest, ids and a claim's incident,
# never change). An actor's ``same_as`` names the actor it was found to be.
PROFILE_CORRECTABLE = {
    "incident": ("title", "description", "occurred_at", "place", "time_zone"),
    "actor": (
        "name",
        "kind",
        "aliases",
        "affiliation",
        "role",
        "description",
        "anonymous",
        "same_as",
    ),
    "claim": ("proposition",),
}
CORRECTABLE = {"statement": CORRECTABLE_FIELDS, **PROFILE_CORRECTABLE}
