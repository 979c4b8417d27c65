"""The recorder's forms: record a statement, correct, withdraw, grade.

Each form calls the service's write with ``recorded_by`` the signed-in account.
Bad input is shown beside its field with the import's own message: a problem's
field (``stated_at``, ``claims.0.stance``) names the form field by its first part.
A reader sees no forms, and a forced POST gets 403.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from ledger import web
from ledger.cli.translate import correction_value
from ledger.domain.vocabulary import (
    CORRECTABLE_FIELDS,
    CREDIBILITY_GRADES,
    RELIABILITY_GRADES,
    STANCES,
    STATEMENT_KINDS,
)
from ledger.errors import BadInput, LedgerError
from ledger.web import pages_session

CLAIM_ROWS = 3
TEXTS = ("id", "speaker", "kind", "stated_at", "quote", "paraphrase", "hedging", "note")
CHANGES = ("correct", "withdraw", "grade")


def problems_of(error: LedgerError) -> dict[str, str]:
    """Messages by form field; what names no field goes under ``""``."""
    found: dict[str, str] = {}
    problems = error.problems if isinstance(error, BadInput) else []
    for problem in problems:
        name = problem.field.split(".")[0] if problem.field else ""
        found.setdefault(name, problem.message)
    if not found:
        found[""] = str(error)
    return found


def _statement_data(form: Any, incident: str) -> dict[str, Any]:
    data: dict[str, Any] = {"incident": incident}
    for name in TEXTS:
        value = form.get(name, "").strip()
        if value:
            data[name] = value
    # Rows of claim and stance: one speech act may take a stance on several claims.
    stances = form.getlist("stance")
    claims = []
    for i, claim in enumerate(form.getlist("claim")):
        if claim:
            stance = stances[i] if i < len(stances) else ""
            claims.append({"claim": claim, **({"stance": stance} if stance else {})})
    if claims:
        data["claims"] = claims
    return data


def record(incident: str) -> Any:
    who = pages_session.require("recorder")
    service = web.service()
    claims = service.claims(incident)
    problems: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            result = service.record_statement(
                _statement_data(request.form, incident), who.name
            )
        except LedgerError as error:
            problems, status = problems_of(error), 400
        else:
            return redirect(url_for("pages.statement", statement=result.ids[0]))
    page = render_template(
        "pages/record.html",
        incident=incident,
        claims=claims,
        kinds=STATEMENT_KINDS,
        stances=STANCES,
        claim_rows=CLAIM_ROWS,
        form=request.form,
        problems=problems,
    )
    return page, status


def change(statement: str, action: str) -> Any:
    who = pages_session.require("recorder")
    service = web.service()
    found = service.statement(statement)
    problems: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = request.form
        try:
            _apply(action, statement, form, who.name)
        except LedgerError as error:
            problems, status = problems_of(error), 400
        else:
            return redirect(url_for("pages.statement", statement=statement))
    page = render_template(
        "pages/change.html",
        s=found,
        action=action,
        form=request.form,
        problems=problems,
        fields=CORRECTABLE_FIELDS,
        reliability=RELIABILITY_GRADES,
        credibility=CREDIBILITY_GRADES,
    )
    return page, status


def _apply(action: str, statement: str, form: Any, recorded_by: str) -> None:
    service = web.service()
    reason = form.get("reason", "").strip()
    if action == "withdraw":
        service.withdraw(statement, reason, recorded_by)
    elif action == "grade":
        credibility = form.get("credibility", "").strip()
        service.grade(
            statement,
            recorded_by,
            reliability=form.get("reliability") or None,
            credibility=int(credibility) if credibility.isdigit() else None,
            reason=reason or None,
        )
    else:
        # The value as the command line's --value reads it: text, or JSON.
        field_name = form.get("field", "")
        value = correction_value(field_name, form.get("value", ""))
        service.correct(statement, field_name, value, reason, recorded_by)


def register(bp: Blueprint) -> None:
    """Add the forms' routes to the pages' blueprint."""
    bp.add_url_rule(
        "/incidents/<incident>/record",
        "record",
        record,
        methods=["GET", "POST"],
    )
    bp.add_url_rule(
        "/statements/<statement>/<any(correct, withdraw, grade):action>",
        "change",
        change,
        methods=["GET", "POST"],
    )
