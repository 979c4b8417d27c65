"""Step definitions for features/: each step calls the application or the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pytest_bdd import given, parsers, scenarios, then, when

from tests.support import (
    EXAMPLES,
    ExampleLedger,
    example_lines,
    records_of,
    speakers,
    split,
)

scenarios(".")


@given("a new ledger", target_fixture="ledger")
def _(tmp_path):
    return ExampleLedger.new(tmp_path)


@given(
    parsers.parse('a ledger holding the example "{example}"'), target_fixture="ledger"
)
def _(tmp_path, example):
    return ExampleLedger.new(tmp_path).holding(example)


@given(
    parsers.parse(
        'the incident, actors and claims of the example "{example}" are recorded'
    )
)
def _(ledger, example):
    ledger.write(records_of(example, types=("incident", "actor", "claim")))


@given(parsers.parse('a reader notes the moment "{name}"'))
def _(ledger, name):
    ledger.moments[name] = datetime.now(UTC).isoformat()


@when(
    parsers.parse(
        'the recorder records the statements {statements} of the example "{example}"'
    )
)
def _(ledger, statements, example):
    ledger.write(records_of(example, ids=split(statements)))


@when(
    parsers.parse('the recorder imports the example "{example}" again'),
    target_fixture="result",
)
def _(ledger, example):
    return ledger.cli("import", str(ledger_file(example)))


@when(
    parsers.parse(
        'the recorder imports the example "{example}" with line {line:d} giving "{field}" as "{value}"'
    ),
    target_fixture="result",
)
def _(ledger, tmp_path, example, line, field, value):
    return ledger.cli("import", str(bad_copy(tmp_path, example, line, field, value)))


@when(
    parsers.parse(
        'the recorder corrects the field "{field}" of "{statement}" to "{value}" because "{reason}"'
    ),
    target_fixture="result",
)
def _(ledger, field, statement, value, reason):
    return ledger.cli(
        "correct", statement, "--field", field, "--value", value, "--reason", reason
    )


@when(
    parsers.parse('a reader asks for the state as of "{date}"'), target_fixture="state"
)
def _(ledger, date):
    return ledger.state(incident_of_ledger(ledger), as_of=date)


@when(
    parsers.parse('an auditor asks for the provenance of "{claim}"'),
    target_fixture="provenance",
)
def _(ledger, claim):
    return ledger.query("provenance", claim)


@when(
    parsers.parse('someone runs "{sql}" directly on the database'),
    target_fixture="refusal",
)
def _(ledger, sql):
    return ledger.run_sql(sql)


@then(parsers.parse('the claim "{claim}" is "{status}"'))
def _(ledger, claim, status):
    assert ledger.claim(claim)["status"] == status


@then(
    parsers.parse(
        'the claim "{claim}" is supported by "{supporter}" and denied by "{denier}"'
    )
)
def _(ledger, claim, supporter, denier):
    found = ledger.claim(claim)
    assert supporter in speakers(found["supporters"]) and denier in speakers(
        found["deniers"]
    )


@then(
    parsers.parse(
        'the assessment "{statement}" keeps the hedging "{hedging}" and holds responsible "{held}"'
    )
)
def _(ledger, statement, hedging, held):
    entry = assessment(ledger, statement)
    assert (entry["hedging"], " or ".join(entry["attribution"]["actors"])) == (
        hedging,
        held,
    )


@then(parsers.parse('the demand "{demand}" is "{status}"'))
def _(ledger, demand, status):
    assert demand_status(ledger, demand) == status


@then("the import succeeds and says nothing new was recorded")
def _(result):
    assert result.exit_code == 0 and "nothing new" in result.output


@then("the ledger holds as many events as before")
def _(ledger):
    assert ledger.count_events() == ledger.events_before > 0


@then(
    parsers.parse(
        'the import fails with exit code 1 naming line {line:d} and the field "{field}"'
    )
)
def _(result, line, field):
    assert result.exit_code == 1 and f".jsonl:{line}: {field}: " in result.output


@then("the ledger holds no events")
def _(ledger):
    assert ledger.count_events() == 0


@then(parsers.parse("the statements standing are exactly {statements}"))
def _(state, statements):
    assert sorted(s["statement"] for s in state["statements"]) == sorted(
        split(statements)
    )


@then("no statement is undetermined")
def _(state):
    assert state["undetermined"] == []


@then(parsers.parse("the statements {statements} are listed apart as undetermined"))
def _(state, statements):
    assert sorted(s["statement"] for s in state["undetermined"]) == sorted(
        split(statements)
    )


@then(parsers.parse("the statements {statements} stand as well"))
def _(state, statements):
    assert set(split(statements)) <= {s["statement"] for s in state["statements"]}


@then(
    parsers.parse('the state known at "{moment}" shows "{statement}" stated "{date}"')
)
def _(ledger, moment, statement, date):
    assert (
        stated_at(
            ledger.state(incident_of_ledger(ledger), known_at=ledger.moments[moment]),
            statement,
        )
        == date
    )


@then(parsers.parse('the current state shows "{statement}" stated "{date}"'))
def _(ledger, statement, date):
    assert stated_at(ledger.state(incident_of_ledger(ledger)), statement) == date


@then(
    parsers.parse(
        'the history shows the correction of "{statement}" from "{before}" to "{after}" with the reason "{reason}"'
    )
)
def _(ledger, statement, before, after, reason):
    assert correction_in_history(ledger, statement) == (
        before,
        after,
        reason,
        ledger.recorded_by,
    )


@then(
    "every statement behind the claim names its speaker and starts its chain with that speaker"
)
def _(provenance):
    assert provenance["statements"] and all(
        s["chain"][0]["agent"] == s["speaker"] for s in provenance["statements"]
    )


@then(
    parsers.parse(
        'the statement "{statement}" reaches the document with the hash "{digest}" through {hops}'
    )
)
def _(provenance, statement, digest, hops):
    assert chain_of(provenance, statement) == (split(hops), digest)


@then(
    "every statement behind the claim shows the ledger event that recorded it, by whom and its hash"
)
def _(provenance):
    assert all(recording_event(s) for s in provenance["statements"])


@then("the database refuses it as a change to an immutable event")
def _(refusal):
    assert refusal is not None and "stored events are immutable" in refusal


# -- small readers of answers, kept out of the steps ------------------------------


def ledger_file(example: str):
    return EXAMPLES[example]


def bad_copy(tmp_path, example: str, line: int, field: str, value: str):
    """A copy of the example with one field of one line replaced."""
    lines = example_lines(example)
    record = json.loads(lines[line - 1])
    lines[line - 1] = json.dumps({**record, field: value})
    path = tmp_path / f"{example}-bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def incident_of_ledger(ledger: ExampleLedger) -> str:
    return ledger.query("incidents")[0]["id"]


def assessment(ledger: ExampleLedger, statement: str) -> dict:
    state = ledger.state(incident_of_ledger(ledger))
    return next(
        a
        for c in state["claims"]
        for a in c["assessments"]
        if a["statement"] == statement
    )


def demand_status(ledger: ExampleLedger, demand: str) -> str:
    state = ledger.state(incident_of_ledger(ledger))
    return next(d["status"] for d in state["demands"] if d["statement"] == demand)


def stated_at(state: dict, statement: str) -> str:
    return next(
        s["stated_at"]
        for s in state["statements"] + state["undetermined"]
        if s["statement"] == statement
    )


def correction_in_history(ledger: ExampleLedger, statement: str) -> tuple:
    history = ledger.query("history", incident_of_ledger(ledger))
    event = next(
        e
        for e in history["events"]
        if e["type"] == "Statement.Corrected" and e["subject"] == statement
    )
    detail = event["detail"]
    return detail["before"], detail["after"], detail["reason"], event["recorded_by"]


def chain_of(provenance: dict, statement: str) -> tuple[list[str], str | None]:
    entry = next(s for s in provenance["statements"] if s["id"] == statement)
    hops = [f"{h['relation']} {h['agent']}" for h in entry["chain"][1:]]
    hashes = [
        h["document"]["content_hash"] for h in entry["chain"] if h.get("document")
    ]
    return hops, (hashes[-1] if hashes else None)


def recording_event(statement: dict) -> bool:
    recorded = [e for e in statement["events"] if e["type"] == "Statement.Recorded"]
    return (
        len(recorded) == 1
        and recorded[0]["recorded_by"]
        and len(recorded[0]["hash"]) == 64
    )
