"""Rules a statement must satisfy on its own, whatever the incident.

They are pure: they see one statement's data and name the field at fault.
References to other records (speakers, claims, demands) are checked by the
application, which can see the ledger.
"""

from __future__ import annotations

from typing import Any

from ledger.domain.vocabulary import DEMAND_RESPONSES, MAIN_STANCE

_NEEDS_CLAIMS = ("report", "assessment", "corroboration", "denial", "admission")
_MAY_ATTRIBUTE = ("report", "assessment", "corroboration", "admission", "comment")


def statement_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Every rule the statement breaks, as ``(field, message)`` pairs."""
    kind = data.get("kind")
    problems: list[tuple[str, str]] = []
    if not data.get("quote") and not data.get("paraphrase"):
        problems.append(
            ("quote", "give the speaker's words as a quote or a paraphrase")
        )
    claims = data.get("claims") or []
    if kind in _NEEDS_CLAIMS and not claims:
        problems.append(("claims", f"a {kind} must name at least one claim"))
    problems += _stance_problems(kind, claims)
    problems += _exclusive("demand", kind, data, ("demand",))
    problems += _exclusive("responds_to", kind, data, tuple(DEMAND_RESPONSES))
    problems += _exclusive("retracts", kind, data, ("retraction",))
    if data.get("attribution"):
        problems += _attribution_problems(kind, data["attribution"])
    return problems


def _stance_problems(kind: Any, claims: list[dict[str, Any]]) -> list[tuple[str, str]]:
    problems = []
    seen: set[str] = set()
    for i, item in enumerate(claims):
        if item.get("claim") in seen:
            problems.append(
                (f"claims.{i}.claim", f"claim {item['claim']} is named twice")
            )
        seen.add(item.get("claim"))
        if not item.get("stance"):
            problems.append(
                (f"claims.{i}.stance", f"say whether this {kind} supports or denies")
            )
    main = MAIN_STANCE.get(kind)
    if main and claims and not any(item.get("stance") == main for item in claims):
        article = "an" if kind[:1] in "aeiou" else "a"
        problems.append(
            ("claims", f"{article} {kind} {main} at least one of its claims")
        )
    return problems


def _exclusive(field: str, kind: Any, data: dict[str, Any], kinds: tuple[str, ...]):
    if kind in kinds and not data.get(field):
        return [(field, f"a {kind} needs {field}")]
    if kind not in kinds and data.get(field):
        return [(field, f"only a {' or '.join(kinds)} has {field}, not a {kind}")]
    return []


def _attribution_problems(
    kind: Any, attribution: dict[str, Any]
) -> list[tuple[str, str]]:
    if kind not in _MAY_ATTRIBUTE:
        return [("attribution", f"a {kind} does not attribute responsibility")]
    actors = attribution.get("actors") or []
    mode = attribution.get("mode", "sole")
    if mode == "sole" and len(actors) != 1:
        return [("attribution.actors", "a sole attribution names exactly one actor")]
    if mode != "sole" and len(actors) < 2:
        return [
            ("attribution.actors", f"an '{mode}' attribution names two or more actors")
        ]
    return []
