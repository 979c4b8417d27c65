"""The pages (issue 9) through Flask's test client, on both backends.

Every page renders for a reader; as-of and known-at in the URL change the
board; hostile text is shown as text; the security headers and cookie flags
are set; forms need a CSRF token and the recorder role; a bad form shows the
import's own message beside the field and writes nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from ledger.application.accounts import Accounts
from ledger.application.service import LedgerService
from ledger.bootstrap import Ledger
from ledger.errors import BadInput
from ledger.web import create_app
from tests.integration import test_terminal as hostile
from tests.support import ExampleLedger, incident_of

SEED = incident_of("libya-drone")
DECEMBER = "townsend-believes-russian-air-defenses-fired"
NOVEMBER = "officials-report-drone-missing"
CLAIM = "drone-shot-down-by-air-defenses"
HOSTILE = "<script>alert(1)</script> \x1b[2J \u202e"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Site:
    ledger: ExampleLedger
    app: object
    tokens: dict[str, str]

    def client(self, role: str | None = None, **kwargs) -> FlaskClient:
        """A browser signed in as ``role`` (None: nobody)."""
        client = self.app.test_client(**kwargs)
        if role is not None:
            answer = self.post(client, "/sign-in", {"token": self.tokens[role]})
            assert answer.status_code == 302, answer.get_data(True)
        return client

    @staticmethod
    def post(client: FlaskClient, path: str, data: dict, form: str | None = None, **kw):
        """POST a form with the CSRF token of the page it is on (or ``form``)."""
        page = client.get(form or path, **kw).get_data(True)
        token = CSRF.search(page)[1]
        return client.post(path, data={**data, "csrf_token": token}, **kw)


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("LEDGER_KEY_PATH", str(tmp_path / "ledger.db.key"))
    ledger = ExampleLedger.new(tmp_path).holding("libya-drone")
    ledger.write(hostile._lines(HOSTILE))
    with Ledger(ledger.url) as opened:
        accounts = Accounts(opened)
        tokens = {
            role: accounts.add(f"the-{role}", role, "operator").token
            for role in ("reader", "recorder", "admin")
        }
    for command in ("init", "checkpoint"):  # the signing key, then a checkpoint
        assert ledger.cli(command).exit_code == 0, ledger.cli(command).output
    ledger.events_before = ledger.count_events()
    app = create_app(ledger.url)
    yield Site(ledger, app, tokens)
    app.extensions["ledger"].close()


PAGES = [
    "/incidents",
    "/incidents?q=tripoli",
    f"/incidents/{SEED}",
    f"/incidents/{SEED}?as_of=2019-12-10&known_at=2999-01-01",
    f"/statements/{DECEMBER}",
    f"/claims/{CLAIM}",
    f"/incidents/{SEED}/statuses",
    "/history",
    "/history?recorded_by=test-recorder&kind=Statement.Recorded&after_seq=3",
    "/integrity",
    f"/incidents/{hostile.INCIDENT}",
    f"/statements/{hostile.STATEMENT}",
    f"/claims/{hostile.CLAIM}",
    "/search",
    "/search?q=wreckage",
    "/search?q=script+alert",
    "/actors",
    "/actors?known_at=seq:3",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_a_reader_with_its_headers(site, path):
    answer = site.client("reader").get(path)
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = answer.get_data(True)
    assert "<script>" not in html.replace(
        '<script src="/static/pages/pages.js" defer></script>', ""
    )
    # A reader sees no form that writes.
    assert 'method="post"' not in html


def test_hostile_text_is_shown_as_text_on_every_page(site):
    client = site.client("reader")
    pages = [p for p in PAGES if "hostile" in p or "alert" in p]
    pages += ["/incidents", "/history"]
    for path in pages:
        html = client.get(path).get_data(True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
        assert r"\x1b[2J" in html and r"\u202e" in html, path
        assert "\x1b" not in html and "\u202e" not in html, path


def test_the_incidents_page_searches_the_ledger(site):
    client = site.client("reader")
    incidents = client.get("/incidents").get_data(True)
    assert 'action="/search"' in incidents and 'name="q"' in incidents
    html = client.get("/search?q=Hafter").get_data(True)
    assert "aliases.1" in html and 'value="Hafter"' in html
    claim = client.get("/search?q=shot+down").get_data(True)
    assert f'href="/claims/{CLAIM}"' in claim
    hostile_query = client.get('/search?q="><script>x</script>')
    assert hostile_query.status_code == 200
    assert "<script>x" not in hostile_query.get_data(True)
    empty = client.get("/search?q=%22*()")
    assert empty.status_code == 400
    assert "give at least one word" in empty.get_data(True)


def test_without_a_session_every_page_asks_to_sign_in(site):
    client = site.client()
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 302
        assert answer.headers["Location"].startswith("/sign-in?next=")
    refused = Site.post(client, "/sign-in", {"token": "ldg_not-a-token"})
    assert refused.status_code == 401
    assert "not valid" in refused.get_data(True)


def test_the_session_cookie_is_httponly_strict_and_secure_over_https(site):
    plain = site.client()
    answer = Site.post(plain, "/sign-in", {"token": site.tokens["reader"]})
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie
    secure = site.client()
    token = {"token": site.tokens["reader"]}
    answer = Site.post(secure, "/sign-in", token, base_url="https://localhost")
    assert "; Secure" in answer.headers["Set-Cookie"]


def test_behind_a_tls_proxy_the_cookie_can_be_made_secure(site, monkeypatch):
    monkeypatch.setenv("LEDGER_SECURE_COOKIES", "1")
    app = create_app(site.ledger.url)
    try:
        client = app.test_client()
        answer = Site.post(client, "/sign-in", {"token": site.tokens["reader"]})
        assert "; Secure" in answer.headers["Set-Cookie"]
    finally:
        app.extensions["ledger"].close()


def test_signing_out_ends_the_session(site):
    client = site.client("reader")
    client.get("/sign-out")
    assert client.get("/incidents").status_code == 302


def _undetermined(html: str) -> str:
    return html.split('id="undetermined-heading"')[1].split("<h2>Timeline")[0]


def _board(html: str) -> str:
    return html.split("<h2>Claims</h2>")[1].split('id="undetermined-heading"')[0]


def test_as_of_and_known_at_in_the_url_change_the_board(site):
    client = site.client("reader")
    now = client.get(f"/incidents/{SEED}").get_data(True)
    assert DECEMBER in _board(now) and DECEMBER not in _undetermined(now)
    november = client.get(f"/incidents/{SEED}?as_of=2019-11-30").get_data(True)
    assert DECEMBER not in _board(november) + _undetermined(november)
    assert NOVEMBER in _board(november)
    assert 'value="2019-11-30"' in november  # the control shows the URL's moment
    tenth = client.get(f"/incidents/{SEED}?as_of=2019-12-10").get_data(True)
    assert DECEMBER in _undetermined(tenth) and DECEMBER not in _board(tenth)
    assert 'class="as-of"' in tenth  # the as-of line on the timeline
    with LedgerService.open(site.ledger.url) as service:
        seq = service.statement(DECEMBER)["seq"]
    before = client.get(f"/incidents/{SEED}?known_at=seq:{seq - 1}").get_data(True)
    assert DECEMBER not in before and NOVEMBER in _board(before)


def test_the_board_says_which_claims_await_undetermined_statements(site):
    tenth = site.client("reader").get(f"/incidents/{SEED}?as_of=2019-12-10")
    html = tenth.get_data(True)
    assert html.count('class="claim status-undetermined"') == 8
    assert "<strong>undetermined</strong>: absent if none of" in html
    assert "stands yet, uncontested if all do" in html


def test_the_status_picture_shows_each_claims_status_as_of_each_moment(site):
    html = site.client("reader").get(f"/incidents/{SEED}/statuses").get_data(True)
    row = html.split(f'<a href="/claims/{CLAIM}">{CLAIM}</a></td>')[1].split("</tr>")[0]
    cells = re.findall(r"<td>(\w+)</td>", row)
    assert cells[0] == "absent" and cells[-1] != "absent"
    assert "as of 2019-09" in html and "as of 2019-12" in html
    assert f"{CLAIM} as of 2019-09: absent" in html  # the picture says it too


def test_a_bad_as_of_is_shown_beside_its_control(site):
    answer = site.client("reader").get(f"/incidents/{SEED}?as_of=2019-13")
    assert answer.status_code == 400
    assert 'id="as_of-problem"' in answer.get_data(True)


def test_a_form_without_its_csrf_token_is_refused(site):
    client = site.client("recorder")
    answer = client.post(
        f"/incidents/{SEED}/record",
        data={"speaker": "russia", "kind": "comment", "stated_at": "2020"},
    )
    assert answer.status_code == 400
    assert "CSRF" in answer.get_data(True)
    assert site.ledger.count_events() == site.ledger.events_before


def test_the_form_records_one_denial_that_also_supports_another_claim(site):
    client = site.client("recorder")
    form = {
        "id": "one-act-two-stances",
        "speaker": "Russia",
        "kind": "denial",
        "stated_at": "2020-01-05",
        "claim": [CLAIM, "drone-missing-over-tripoli", ""],
        "stance": ["", "supports", ""],
        "quote": "The drone went missing, but nobody shot it down.",
    }
    answer = Site.post(client, f"/incidents/{SEED}/record", form)
    assert answer.status_code == 302, answer.get_data(True)
    with LedgerService.open(site.ledger.url) as service:
        found = service.provenance("one-act-two-stances")["statement"]
    assert found["claims"] == [
        {"claim": CLAIM, "stance": "denies"},
        {"claim": "drone-missing-over-tripoli", "stance": "supports"},
    ]


def test_a_form_denial_that_denies_nothing_is_refused_beside_the_claim(site):
    client = site.client("recorder")
    form = {
        "speaker": "Russia",
        "kind": "denial",
        "stated_at": "2020-01-05",
        "claim": [CLAIM, "drone-missing-over-tripoli"],
        "stance": ["supports", "supports"],
        "quote": "It went missing and was shot down.",
    }
    answer = Site.post(client, f"/incidents/{SEED}/record", form)
    assert answer.status_code == 400
    html = answer.get_data(True)
    assert (
        '<p class="problem" id="claims-problem">'
        "a denial denies at least one of its claims</p>"
    ) in html
    assert site.ledger.count_events() == site.ledger.events_before


@pytest.mark.parametrize(
    "path",
    [
        f"/incidents/{SEED}/record",
        f"/statements/{DECEMBER}/withdraw",
        f"/statements/{DECEMBER}/grade",
        f"/statements/{DECEMBER}/correct",
        f"/claims/{CLAIM}/correct",
        "/actors/russia/correct",
        f"/incidents/{SEED}/correct",
        "/integrity",
    ],
)
def test_a_readers_forced_post_is_forbidden(site, path):
    client = site.client("reader")
    data = {"speaker": "russia", "kind": "comment", "stated_at": "2020"}
    answer = Site.post(client, path, {**data, "reason": "x"}, form="/sign-in")
    assert answer.status_code == 403
    assert site.ledger.count_events() == site.ledger.events_before


def _import_message(url: str, stated_at: str) -> str:
    """What ``ledger import`` says of a statement stated at ``stated_at``."""
    line = {
        "type": "statement",
        "id": "any",
        "incident": SEED,
        "speaker": "russia",
        "kind": "comment",
        "stated_at": stated_at,
    }
    with pytest.raises(BadInput) as raised, LedgerService.open(url) as service:
        service.import_lines([json.dumps(line)], "nobody")
    return raised.value.problems[0].message


def test_a_bad_date_shows_the_imports_message_beside_the_field(site):
    client = site.client("recorder")
    form = {"speaker": "Russia", "kind": "comment", "stated_at": "2019-13-45"}
    answer = Site.post(client, f"/incidents/{SEED}/record", form)
    assert answer.status_code == 400
    html = answer.get_data(True)
    beside = re.search(
        r'id="stated_at"[^>]*aria-describedby="stated_at-problem".*?'
        r'<p class="problem" id="stated_at-problem">([^<]*)</p>',
        html,
        re.S,
    )
    assert beside is not None, html
    message = _import_message(site.ledger.url, "2019-13-45")
    assert beside[1] == message.replace("'", "&#39;")
    assert 'value="Russia"' in html  # what was typed stays
    assert site.ledger.count_events() == site.ledger.events_before


def test_a_good_form_records_as_the_signed_in_account(site):
    client = site.client("recorder")
    form = {
        "id": "typed-in-a-browser",
        "speaker": "Russia",
        "kind": "denial",
        "stated_at": "2020-01-05",
        "claim": CLAIM,
        "quote": "We did not.",
    }
    answer = Site.post(client, f"/incidents/{SEED}/record", form)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/statements/typed-in-a-browser"
    with LedgerService.open(site.ledger.url) as service:
        events = service.provenance("typed-in-a-browser")
    assert [e["recorded_by"] for e in events["statement"]["events"]] == ["the-recorder"]
    board = client.get(f"/incidents/{SEED}").get_data(True)
    assert "typed-in-a-browser" in board.split("<h2>Timeline</h2>")[1]


@pytest.mark.parametrize(
    "action, form, shown",
    [
        ("grade", {"reliability": "B", "credibility": "2", "reason": "ok"}, "ok"),
        ("correct", {"field": "hedging", "value": "maybe", "reason": "typo"}, "typo"),
        ("withdraw", {"reason": "entered in error"}, "entered in error"),
        (
            "correct",
            {
                "field": "attribution",
                "value": '{"actors": ["lna"], "mode": "sole"}',
                "reason": "json value",
            },
            "Libyan National Army (sole)",
        ),
    ],
)
def test_recorders_grade_correct_and_withdraw(site, action, form, shown):
    client = site.client("recorder")
    path = f"/statements/{DECEMBER}/{action}"
    answer = Site.post(client, path, form)
    assert answer.status_code == 302, answer.get_data(True)
    page = client.get(f"/statements/{DECEMBER}").get_data(True)
    assert shown in page and "the-recorder" in page


def test_a_bad_grade_shows_the_message_beside_the_field(site):
    client = site.client("recorder")
    answer = Site.post(client, f"/statements/{DECEMBER}/correct", {"field": "x"})
    assert answer.status_code == 400
    assert 'id="field-problem"' in answer.get_data(True)
    assert site.ledger.count_events() == site.ledger.events_before


def test_admins_verify_and_anyone_downloads_proofs_and_bundles(site):
    admin = site.client("admin")
    answer = Site.post(admin, "/integrity", {})
    assert "nothing found wrong" in answer.get_data(True)
    reader = site.client("reader")
    bundle = reader.get(f"/incidents/{SEED}/bundle.json")
    assert bundle.status_code == 200, bundle.get_data(True)[-600:]
    assert bundle.headers["Content-Disposition"].startswith("attachment")
    assert bundle.get_json()["state"]["incident"]["id"] == SEED
    page = reader.get("/integrity").get_data(True)
    assert "Key fingerprint" in page
    events = reader.get(f"/statements/{DECEMBER}/events.json").get_json()
    assert events["events"][0]["seq"] == events["proofs"]["proofs"][0]["seq"]


@pytest.mark.parametrize(
    "path, form, page, shown",
    [
        (
            f"/claims/{CLAIM}/correct",
            {"field": "proposition", "value": "It was shot down", "reason": "wording"},
            f"/claims/{CLAIM}",
            "It was shot down",
        ),
        (
            "/actors/russia/correct",
            {
                "field": "aliases",
                "value": '["Moscow", "the Kremlin"]',
                "reason": "metonym",
            },
            "/actors",
            "the Kremlin",
        ),
        (
            f"/incidents/{SEED}/correct",
            {"field": "place", "value": "Tripoli (Mitiga)", "reason": "checked"},
            f"/incidents/{SEED}",
            "Tripoli (Mitiga)",
        ),
    ],
)
def test_recorders_correct_claims_actors_and_incidents(site, path, form, page, shown):
    client = site.client("recorder")
    answer = Site.post(client, path, form)
    assert answer.status_code == 302, answer.get_data(True)
    assert answer.headers["Location"] == page
    html = client.get(page).get_data(True)
    assert shown in html
    with LedgerService.open(site.ledger.url) as service:
        event = service.history(None)["events"][-1]
    assert (event["recorded_by"], event["detail"]["reason"]) == (
        "the-recorder",
        form["reason"],
    )


def test_a_bad_record_correction_shows_the_message_beside_the_field(site):
    client = site.client("recorder")
    form = {"field": "kind", "value": "robot", "reason": "?"}
    answer = Site.post(client, "/actors/russia/correct", form)
    assert answer.status_code == 400
    assert "Must be one of: person" in answer.get_data(True)
    same = {"field": "name", "value": "Russia", "reason": "?"}
    answer = Site.post(client, "/actors/russia/correct", same)
    assert answer.status_code == 400
    assert "name: the actor already has this value" in answer.get_data(True)
    assert site.ledger.count_events() == site.ledger.events_before
