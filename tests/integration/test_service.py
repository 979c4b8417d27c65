"""The service layer every door shares: commands, queries and their errors."""

from __future__ import annotations

import json

import pytest

from ledger.application.service import LedgerService
from ledger.errors import BadInput, Conflict, NotFound, PreconditionFailed, Refused
from ledger.integrity import merkle
from ledger.integrity.service import ensure_key
from ledger.schemas import outputs, resources
from tests.support import ExampleLedger, records_of

INCIDENT = "tanker-seizure"


@pytest.fixture
def seized(tmp_path) -> ExampleLedger:
    return ExampleLedger.new(tmp_path).holding("fictional-seizure")


@pytest.fixture
def service(seized):
    with LedgerService.open(seized.url, str(seized.key)) as opened:
        yield opened


def _statement(**extra):
    return {
        "incident": INCIDENT,
        "speaker": "Meridian",
        "kind": "report",
        "stated_at": "2021-05-04",
        "claims": [{"claim": "tanker-was-seized"}],
        "quote": "They came at night.",
        **extra,
    }


def test_record_a_statement_resolves_actors_and_gives_an_id(service):
    result = service.record_statement(
        _statement(attribution={"actors": ["Coastalia"]}), "alice"
    )
    (slug,) = result.ids
    assert slug.startswith("st-") and result.recorded == 1
    found = service.statement(slug)
    assert found["speaker"] == "shipowner"
    assert found["attribution"]["actors"] == ["coastal-state"]
    assert found["version"] == 1 and found["incident"] == INCIDENT
    assert service.statements(speaker="shipowner")[0]["incident"] == INCIDENT
    events = service.history(INCIDENT, recorded_by="alice")["events"]
    assert [e["subject"] for e in events] == [slug]


def test_an_unknown_speaker_is_bad_input_naming_the_field(service):
    with pytest.raises(BadInput) as raised:
        service.record_statement(_statement(speaker="Nobody"), "alice")
    assert raised.value.problems[0].field == "speaker"


def test_the_same_record_twice_is_a_no_op_that_says_so(service):
    first = service.record_statement(_statement(id="night-report"), "alice")
    again = service.record_statement(_statement(id="night-report"), "bob")
    assert first.recorded == 1
    assert again.recorded == 0 and again.unchanged == {"statement": 1}
    assert again.known_at_seq == first.known_at_seq


def test_the_same_id_with_other_content_is_a_conflict_naming_it(service):
    service.record_statement(_statement(id="night-report"), "alice")
    with pytest.raises(Conflict) as raised:
        service.record_statement(_statement(id="night-report", quote="Other"), "a")
    assert "night-report" in str(raised.value)


def test_a_stale_expected_version_fails_and_writes_nothing(service):
    slug = "owner-reports-seizure"
    assert service.statement(slug)["version"] == 1
    service.grade(slug, "alice", reliability="B", expected_version=1)
    assert service.statement(slug)["version"] == 2
    before = service.position()
    with pytest.raises(PreconditionFailed) as raised:
        service.withdraw(slug, "entered twice", "bob", expected_version=1)
    assert "version 2, not 1" in str(raised.value)
    assert service.position() == before
    assert not service.statement(slug)["withdrawn"]
    service.withdraw(slug, "entered twice", "bob", expected_version=2, change_id="w1")
    # repeating the same withdrawal is a no-op, whatever version it expected
    again = service.withdraw(
        slug, "entered twice", "bob", expected_version=2, change_id="w1"
    )
    assert again.recorded == 0


def test_a_correction_of_the_speaker_takes_a_name(service):
    service.correct(
        "owner-reports-seizure", "speaker", "Example Wire", "misattributed", "alice"
    )
    assert service.statement("owner-reports-seizure")["speaker"] == "wire-service"


def test_rules_refuse_and_missing_things_are_not_found(service):
    service.withdraw("owner-reports-seizure", "error", "alice")
    with pytest.raises(Refused):
        service.withdraw("owner-reports-seizure", "error again", "alice")
    with pytest.raises(NotFound):
        service.grade("no-such-statement", "alice", reliability="A")
    with pytest.raises(NotFound):
        service.state("no-such-incident")


def test_reads_do_not_write_and_say_where_they_stand(seized, service):
    position = service.position()
    assert service.state(INCIDENT)["known_at_seq"] == position
    # a writer stops after saving, before projecting: the read models are behind
    service.ledger.app.write(
        [(None, {**records_of("fictional-seizure")[-1][1], "id": "late"})], "crash"
    )
    assert service.behind() == 1
    state = service.state(INCIDENT)
    history = service.history(INCIDENT)
    provenance = service.provenance("tanker-was-seized")
    assert state["known_at_seq"] == history["known_at_seq"] == position
    assert provenance["known_at_seq"] == position
    assert service.behind() == 1 and service.position() == position
    assert "late" not in [s["id"] for s in service.statements()]
    assert service.catch_up() == 1
    assert "late" in [s["id"] for s in service.statements()]


def test_history_filters_and_pages_by_sequence_number(service):
    service.grade("owner-reports-seizure", "alice", reliability="B")
    service.grade("coastalia-denies", "bob", credibility=3)
    graded = service.history(event_type="Statement.Graded")["events"]
    assert [e["recorded_by"] for e in graded] == ["alice", "bob"]
    assert service.history(recorded_by="bob")["events"] == graded[1:]
    whole = service.history(INCIDENT)["events"]
    pages, after = [], None
    while True:
        page = service.history(INCIDENT, after_seq=after, limit=4)
        pages += page["events"]
        after = page["next_after_seq"]
        if after is None:
            break
        assert len(page["events"]) == 4
    assert pages == whole
    statements = service.history(INCIDENT, event_type="Statement")["events"]
    assert {e["type"].split(".")[0] for e in statements} == {"Statement"}


def test_lists_of_actors_claims_and_statements(service):
    assert "coastal-state" in [a["id"] for a in service.actors()]
    claims = service.claims(INCIDENT)
    assert [c["id"] for c in claims][0] == "tanker-was-seized"
    by_speaker = service.statements(speaker="Meridian")
    assert {s["speaker"] for s in by_speaker} == {"shipowner"}
    denials = service.statements(incident=INCIDENT, kind="denial")
    assert [s["id"] for s in denials] == ["coastalia-denies"]
    held = service.statements(claim="coastalia-holds-crew")
    assert "crew-corroborates" in [s["id"] for s in held]


def test_inclusion_and_consistency_proofs_verify(seized, service):
    ensure_key(seized.url, str(seized.key))
    with pytest.raises(NotFound):
        service.latest_checkpoint()
    checkpoint = service.checkpoint("admin")
    assert service.latest_checkpoint() == checkpoint
    size = checkpoint["tree_size"]
    proof = service.inclusion(seq=3)
    assert proof["root_hash"] == checkpoint["root_hash"]
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf_hash"]),
        proof["leaf_index"],
        size,
        [bytes.fromhex(p) for p in proof["path"]],
        bytes.fromhex(checkpoint["root_hash"]),
    )
    assert service.inclusion(leaf_hash=proof["leaf_hash"]) == proof
    consistency = service.consistency(5)
    assert merkle.verify_consistency(
        5,
        size,
        bytes.fromhex(consistency["first_root"]),
        bytes.fromhex(consistency["second_root"]),
        [bytes.fromhex(p) for p in consistency["proof"]],
    )
    with pytest.raises(BadInput):
        service.consistency(size + 1)


def _keys(value, path=""):
    """Every key path of a JSON-like answer (list items share a path)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}"
            yield from _keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item, f"{path}[]")


def test_output_schemas_describe_every_key_the_service_answers(seized, service):
    """An OpenAPI document built from the schemas shows what clients get."""
    ensure_key(seized.url, str(seized.key))
    service.correct("coastalia-denies", "hedging", "flatly", "misheard", "alice")
    service.grade("coastalia-denies", "bob", reliability="C", reason="partisan")
    service.withdraw("crew-corroborates", "error", "alice")
    checkpoint = service.checkpoint("admin")
    answers = [
        (outputs.StateOutput(), service.state(INCIDENT)),
        (outputs.HistoryOutput(), service.history(INCIDENT, limit=5)),
        (outputs.HistoryOutput(), service.history()),
        (outputs.ProvenanceOutput(), service.provenance("coastalia-denies")),
        (outputs.ProvenanceOutput(), service.provenance("coastalia-holds-crew")),
        (outputs.IncidentOutput(many=True), service.incidents()),
        (resources.ActorOutput(many=True), service.actors()),
        (resources.ClaimOutput(many=True), service.claims()),
        (resources.StatementOutput(many=True), service.statements()),
        (resources.CheckpointOutput(), checkpoint),
        (resources.InclusionOutput(), service.inclusion(seq=2)),
        (resources.ConsistencyOutput(), service.consistency(3)),
    ]
    for schema, answer in answers:
        dumped = schema.dump(answer)
        missing = set(_keys(answer)) - set(_keys(dumped))
        # the provenance of a statement also lists its raw hops as "chain"
        raw_hops = (".statement.provenance", ".statements[].provenance")
        if isinstance(schema, outputs.ProvenanceOutput):
            missing = {k for k in missing if not k.startswith(raw_hops)}
        assert not missing, (type(schema).__name__, sorted(missing))


def test_import_lines_is_all_or_nothing_with_every_bad_line(service):
    good = {
        "type": "claim",
        "id": "crew-released",
        "incident": INCIDENT,
        "proposition": "The crew was released",
    }
    before = service.position()
    with pytest.raises(BadInput) as raised:
        service.import_lines([good, "", "{not json", {"type": "claim"}], "alice")
    assert [p.line for p in raised.value.problems] == [3, 4]
    assert str(raised.value).startswith("line 3: (line): not valid JSON")
    assert service.position() == before
    result = service.import_lines([json.dumps(good), good], "alice")
    assert result.new == {"claim": 1} and result.known_at_seq == before + 1
    with pytest.raises(Conflict):
        service.import_lines([{**good, "proposition": "Other"}], "alice")
    with pytest.raises(BadInput):
        service.import_lines(["", "  "], "alice")


def test_states_at_several_dates_are_each_dates_state(service):
    """A timeline reads the statements once and folds them per date: the same
    answers as one state per date."""
    dates = [None, "2021-05", "2021-05-04", "2021-06-01", "2020"]
    once = service.states(INCIDENT, dates)
    assert once == [service.state(INCIDENT, date) for date in dates]
    assert len({json.dumps(s["counts"], sort_keys=True) for s in once}) > 1
