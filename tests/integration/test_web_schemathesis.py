"""Schemathesis against the server's own OpenAPI document (issue 8, "Checks").

Every operation of ``/api/openapi.json``, on a SQLite ledger holding the seed
example, with a recorder's token: no 5xx, and no response that breaks what the
document says of it (its status code is documented, its content type is, its
body fits the schema, its headers do). The operations are read from the
document at run time, so endpoints added later are covered without a change
here. The run is bounded: a fixed number of examples per operation, generated
deterministically (``derandomize``), with no per-example deadline.

The stateful run chains operations through links. flask-smorest has no
argument for OpenAPI links (only a raw ``@blp.doc`` patch per response would
do), so none are written; Schemathesis infers them from the document instead
(an id a response lists -> the operation whose path takes that id), which
covers the chains that matter: list -> item -> provenance/state/history/bundle,
record a statement -> read it, correct, withdraw, grade it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ledger.application.accounts import Accounts
from ledger.bootstrap import Ledger
from ledger.integrity.service import ensure_key
from ledger.web import create_app
from tests.support import ExampleLedger

pytestmark = pytest.mark.sqlite_only

# No 5xx, and nothing that breaks the document: the two conditions.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# A few minutes at most on two cores, the same examples every run.
BOUNDED = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
STATEFUL = settings(BOUNDED, max_examples=8, stateful_step_count=5)


def seeded_server(tmp_path: Path):
    """The app on a ledger holding the seed example, and a recorder's token.

    The ledger has its signing key where the server looks by default (the
    database file + ``.key``), as after ``ledger init``: bundles sign with it.
    """
    ledger = ExampleLedger.new(tmp_path).holding("libya-drone")
    ensure_key(ledger.url, str(ledger.key))
    with Ledger(ledger.url) as opened:
        token = Accounts(opened).add("fuzzing-recorder", "recorder", "operator").token
    return create_app(ledger.url), token


@pytest.fixture
def api_schema(tmp_path: Path):
    """The app's OpenAPI document, loaded by Schemathesis, sending the token."""
    app, token = seeded_server(tmp_path)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.config.update(headers={"Authorization": f"Bearer {token}"})
    try:
        yield schema
    finally:
        app.extensions["ledger"].close()


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_every_operation_keeps_to_its_document(api_schema, mode) -> None:
    failures = []
    for found in api_schema.get_all_operations():
        operation = found.ok()

        @BOUNDED
        @given(case=operation.as_strategy(generation_mode=mode))
        def examples(case) -> None:
            case.call_and_validate(checks=CHECKS)

        try:
            examples()
        except Unsatisfiable:  # nothing of this operation can be made invalid
            continue
        except Exception as failure:  # one report for every operation that fails
            failures.append(f"{operation.label}:\n{failure}")
    assert not failures, "\n\n".join(failures)


def test_operation_sequences_keep_to_the_document(api_schema) -> None:
    machine = api_schema.as_state_machine()
    # Links inferred from the document: a run without any would test nothing.
    assert api_schema.statistic.transitions.total > 0

    class Sequences(machine):
        def validate_response(self, response, case, additional_checks=None, **kw):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kw)

    Sequences.run(settings=STATEFUL)
