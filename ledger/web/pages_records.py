"""Pages for the records statements name: the actors list, and the form that
corrects an incident, an actor or a claim one field at a time (an actor's
``same_as`` merges it into another).

The form calls the same service write as ``ledger correct --of KIND``, as the
signed-in account; its value is read as the command line reads ``--value``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ledger import web
from ledger.cli.translate import profile_value
from ledger.domain.vocabulary import PROFILE_CORRECTABLE
from ledger.errors import LedgerError
from ledger.web import pages_session
from ledger.web.pages_forms import problems_of

KINDS = {"incidents": "incident", "actors": "actor", "claims": "claim"}


def actors() -> Any:
    """Every actor as known (``known_at``), merged ones marked."""
    known_at = request.args.get("known_at") or None
    return render_template(
        "pages/actors.html", actors=web.service().actors(known_at), known_at=known_at
    )


def _record(kind: str, slug: str) -> dict[str, Any]:
    service = web.service()
    if kind == "incident":
        return service.read.incident(slug, service.known())
    listed = service.actors() if kind == "actor" else service.claims()
    found = next((r for r in listed if r["id"] == slug), None)
    if found is None:
        abort(404, f"no {kind} {slug} is recorded")
    return found


def _back(kind: str, slug: str) -> str:
    if kind == "incident":
        return url_for("pages.incident", incident=slug)
    if kind == "claim":
        return url_for("pages.claim", claim=slug)
    return url_for("pages.actors")


def correct(kinds: str, slug: str) -> Any:
    """The correction form (recorders), and its POST."""
    who = pages_session.require("recorder")
    kind = KINDS[kinds]
    found = _record(kind, slug)
    problems: dict[str, str] = {}
    status = 200
    form = request.form
    if request.method == "POST":
        field_name = form.get("field", "")
        try:
            web.service().correct(
                slug,
                field_name,
                profile_value(field_name, form.get("value", "")),
                form.get("reason", "").strip(),
                who.name,
                kind=kind,
            )
        except LedgerError as error:
            problems, status = _on_form(problems_of(error)), 400
        else:
            return redirect(_back(kind, slug))
    page = render_template(
        "pages/correct_record.html",
        kind=kind,
        record=found,
        fields=PROFILE_CORRECTABLE[kind],
        form=form,
        problems=problems,
        back=_back(kind, slug),
    )
    return page, status


def _on_form(problems: dict[str, str]) -> dict[str, str]:
    """Problems by form field; one naming no field of the form goes on top."""
    shown = {k: v for k, v in problems.items() if k in ("field", "value", "reason")}
    rest = [f"{k}: {v}" if k else v for k, v in problems.items() if k not in shown]
    if rest:
        shown[""] = "; ".join(rest)
    return shown


def register(bp: Blueprint) -> None:
    """Add the routes to the pages' blueprint."""
    bp.add_url_rule("/actors", "actors", actors)
    bp.add_url_rule(
        "/<any(incidents, actors, claims):kinds>/<slug>/correct",
        "correct_record",
        correct,
        methods=["GET", "POST"],
    )
