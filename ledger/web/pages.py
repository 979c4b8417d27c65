"""The pages: server-rendered HTML for analysts and auditors (issue 9).

Every page calls the same service methods as the command line and the JSON API
(``ledger.web.service()``); nothing here reads the database another way.
Reading needs a signed-in account (any role); the recorder's forms live in
ledger/web/pages_forms.py, the pictures in ledger/web/pages_pictures.py and
sign-in, CSRF and the security headers in ledger/web/pages_session.py.
"""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ledger import web
from ledger.errors import BadInput, LedgerError, NotFound, category
from ledger.gcpause import paused_gc
from ledger.web import pages_forms, pages_pictures, pages_records, pages_session

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/pages",
)
HISTORY_PAGE = 50
# How much of a large incident one page lists (the claim pages list the rest).
BOARD_SHOWN = 25
LISTED = 1000
OPEN_DEMANDS = ("open",)


def install(app: Flask) -> None:
    """Register the pages on the app (one line in ``create_app``)."""
    pages_session.configure(app)
    app.register_blueprint(bp)


pages_forms.register(bp)
pages_records.register(bp)
bp.context_processor(pages_session.template_globals)
bp.after_request(pages_session.secure_headers)


@bp.before_request
def _signed_in() -> Any:
    pages_session.check_csrf()
    if request.endpoint in ("pages.sign_in", "pages.static"):
        return None
    if pages_session.principal() is None:
        return redirect(url_for("pages.sign_in", next=request.full_path))
    return None


@bp.errorhandler(LedgerError)
def _ledger_error(error: LedgerError) -> Any:
    status = {"not_found": 404, "bad_input": 400, "refused": 409}.get(
        category(error), 409
    )
    return render_template("pages/error.html", status=status, error=error), status


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError) -> Any:
    message = "the form's CSRF token is missing or not valid; reload the page"
    return render_template("pages/error.html", status=400, error=message), 400


@bp.errorhandler(403)
@bp.errorhandler(404)
def _http_error(error: HTTPException) -> Any:
    status = error.code or 500
    return render_template(
        "pages/error.html", status=status, error=error.description
    ), status


# -- sign-in ---------------------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    failed = False
    if request.method == "POST":
        if pages_session.sign_in(request.form.get("token", "")):
            target = request.args.get("next", "")
            # Only a path of this site: never an open redirect.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("pages.incidents")
            return redirect(target)
        failed = True
    status = 401 if failed else 200
    return render_template("pages/sign_in.html", failed=failed), status


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out() -> Any:
    session.clear()
    return redirect(url_for("pages.sign_in"))


# -- reading ---------------------------------------------------------------------


@bp.get("/")
def home() -> Any:
    return redirect(url_for("pages.incidents"))


@bp.get("/incidents")
def incidents() -> Any:
    service = web.service()
    query = request.args.get("q", "").strip()
    found = []
    for incident in service.incidents():
        text = f"{incident.get('title') or ''} {incident.get('place') or ''}"
        if query.casefold() not in text.casefold():
            continue
        counts = service.state(incident["id"])["counts"]
        demands = counts.get("demands", {})
        opened = sum(demands.get(status, 0) for status in OPEN_DEMANDS)
        found.append({**incident, "open_demands": opened})
    return render_template("pages/incidents.html", incidents=found, q=query)


@bp.get("/search")
def search() -> Any:
    """The ledger's full-text search (``ledger search``): what matched, where."""
    query = request.args.get("q", "")
    found, error, status = None, None, 200
    if query.strip():
        try:
            found = web.service().search(query, None, LISTED, "q")
        except BadInput as bad:
            error, status = bad, 400
    page = render_template(
        "pages/search.html", search_q=query, found=found, error=error
    )
    return page, status


def _moments() -> tuple[str | None, str | None]:
    as_of = request.args.get("as_of", "").strip() or None
    known_at = request.args.get("known_at", "").strip() or None
    return as_of, known_at


@bp.get("/incidents/<incident>")
@paused_gc
def incident(incident: str) -> Any:
    service = web.service()
    as_of, known_at = _moments()
    try:
        state = service.state(incident, as_of, known_at)
    except BadInput as error:
        if isinstance(error, NotFound):
            raise
        state = service.state(incident)
        return _incident_page(state, error, as_of, known_at, 400)
    return _incident_page(state, None, as_of, known_at, 200)


def _incident_page(
    state: dict[str, Any],
    error: BadInput | None,
    as_of: str | None,
    known_at: str | None,
    status: int,
) -> Any:
    service = web.service()
    incident = state["incident"]["id"]
    statements = service.statements(
        incident=incident, known_at=known_at if error is None else None
    )
    timeline = pages_pictures.timeline(state, statements)
    problems = {p.field: p.message for p in (error.problems if error else [])}
    page = render_template(
        "pages/incident.html",
        state=state,
        timeline=timeline,
        as_of=as_of or "",
        known_at=known_at or "",
        problems=problems,
        shown=BOARD_SHOWN,
        listed=LISTED,
    )
    return page, status


@bp.get("/incidents/<incident>/statuses")
@paused_gc
def statuses(incident: str) -> Any:
    """Each claim's status as of each moment a statement was made."""
    service = web.service()
    known_at = request.args.get("known_at") or None
    state = service.state(incident, None, known_at)
    found = service.statements(incident=incident, known_at=known_at)
    states = service.states(incident, pages_pictures.moments(found), known_at)
    claims = [c["id"] for c in state["claims"]]
    picture = pages_pictures.statuses(claims, states)
    return render_template("pages/statuses.html", state=state, picture=picture)


@bp.get("/statements/<statement>")
def statement(statement: str) -> Any:
    service = web.service()
    known_at = request.args.get("known_at") or None
    found = service.provenance(statement, known_at)["statement"]
    diagram = pages_pictures.chain(found.get("chain", []))
    return render_template("pages/statement.html", s=found, diagram=diagram)


@bp.get("/statements/<statement>/events.json")
def statement_events(statement: str) -> Any:
    """The statement's stored events with their inclusion proofs, to download."""
    service = web.service()
    found = service.provenance(statement)["statement"]
    try:
        proofs = service.prove_statement(statement)
    except NotFound as error:
        proofs = {"error": str(error)}
    body = {"statement": statement, "events": found["events"], "proofs": proofs}
    return _download(body, f"{statement}.events.json")


@bp.get("/claims/<claim>")
@paused_gc
def claim(claim: str) -> Any:
    found = web.service().provenance(claim, request.args.get("known_at") or None)
    ordered = sorted(found.get("statements", []), key=lambda s: s.get("seq") or 0)
    return render_template("pages/claim.html", claim=found["claim"], statements=ordered)


@bp.get("/history")
def history() -> Any:
    args = request.args
    after = args.get("after_seq", type=int)
    page = web.service().history(
        args.get("incident") or None,
        None,
        args.get("known_at") or None,
        recorded_by=args.get("recorded_by") or None,
        event_type=args.get("kind") or None,
        after_seq=after,
        limit=HISTORY_PAGE,
    )
    filters = {k: v for k, v in args.items() if k != "after_seq" and v}
    return render_template(
        "pages/history.html", page=page, filters=filters, size=HISTORY_PAGE
    )


@bp.route("/integrity", methods=["GET", "POST"])
def integrity() -> Any:
    service = web.service()
    report = None
    if request.method == "POST":
        pages_session.require("admin")
        report = service.verify()
    try:
        latest = service.latest_checkpoint()
    except NotFound:
        latest = None
    return render_template(
        "pages/integrity.html",
        latest=latest,
        report=report,
        incidents=service.incidents(),
    )


@bp.get("/incidents/<incident>/bundle.json")
def bundle(incident: str) -> Any:
    """The incident's audit bundle (signs a checkpoint if none covers the ledger)."""
    who = pages_session.require("reader")
    found = web.service().audit_bundle(incident, who.name)
    return _download(found, f"{incident}.bundle.json")


def _download(body: Any, name: str) -> Response:
    text = json.dumps(body, indent=2, ensure_ascii=False, default=str)
    return Response(
        text,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
