"""Writing to the in-memory ledger: all or nothing, ids, references, changes.

The incident is made up: a container ship seized in a strait.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pytest
from eventsourcing.application import AggregateNotFoundError

from ledger.application.app import LedgerApplication
from ledger.application.planning import RecordError
from ledger.domain.model import Statement, stream_id
from ledger.schemas.lines import parse_line
from ledger.schemas.validation import validate_body


class FakeCatalogue:
    """What the ledger holds, read back from the application's own aggregates."""

    def __init__(self) -> None:
        self.app: LedgerApplication | None = None

    def _get(self, kind: str, slug: str):
        try:
            return self.app.repository.get(stream_id(kind, slug))
        except AggregateNotFoundError:
            return None

    def fingerprints(self, kind: str, slugs: Iterable[str]) -> dict[str, str]:
        found = {slug: self._get(kind, slug) for slug in slugs}
        return {slug: a.fingerprint for slug, a in found.items() if a is not None}

    def claim_incidents(self, slugs: Iterable[str]) -> dict[str, str]:
        found = {slug: self._get("claim", slug) for slug in slugs}
        return {slug: a.incident for slug, a in found.items() if a is not None}


@pytest.fixture
def app() -> LedgerApplication:
    catalogue = FakeCatalogue()
    application = LedgerApplication(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
        catalogue=catalogue,
        validate=validate_body,
    )
    catalogue.app = application
    return application


def lines(*items: dict) -> list[tuple[int, dict]]:
    """Records as an import file gives them: parsed, with 1-based line numbers."""
    return [(n, parse_line(json.dumps(item), n)) for n, item in enumerate(items, 1)]


def write(app: LedgerApplication, *items: dict):
    result, _recordings = app.write(lines(*items), recorded_by="analyst-kim")
    return result


def refused(app: LedgerApplication, *items: dict) -> RecordError:
    before = app.max_sequence()
    with pytest.raises(RecordError) as caught:
        write(app, *items)
    assert app.max_sequence() == before, "a refused write must record nothing"
    return caught.value


INCIDENT = {"type": "incident", "id": "ship-seized", "title": "Container ship seized"}
OWNER = {
    "type": "actor",
    "id": "owner",
    "name": "Harbourline Shipping",
    "kind": "organisation",
}
NAVY = {"type": "actor", "id": "navy", "name": "Eastland Navy", "kind": "state"}
CLAIM = {
    "type": "claim",
    "id": "seized-in-intl-waters",
    "incident": "ship-seized",
    "proposition": "The ship was seized in international waters",
}
BASE = (INCIDENT, OWNER, NAVY, CLAIM)


def statement(slug: str, **fields) -> dict:
    record = {
        "type": "statement",
        "id": slug,
        "incident": "ship-seized",
        "speaker": "owner",
        "kind": "report",
        "stated_at": "2022-08-14",
        "claims": [{"claim": "seized-in-intl-waters"}],
        "paraphrase": "The owner says the ship was boarded 20 miles offshore.",
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not ...}


def demand(slug: str = "owner-demand") -> dict:
    return statement(
        slug,
        kind="demand",
        claims=...,
        demand={"addressee": "navy", "action": "release the crew"},
    )


def events_of(app: LedgerApplication, slug: str) -> list:
    return list(app.events.get(stream_id("statement", slug)))


# --- all or nothing ---


def test_empty_ledger_has_no_notifications(app):
    assert not app.recorder.max_notification_id()


def test_write_records_every_record(app):
    result = write(app, *BASE, statement("s1"))
    assert result.recorded == 5
    assert app.recorder.max_notification_id() == 5


def test_bad_reference_on_the_last_record_leaves_the_store_empty(app):
    with pytest.raises(RecordError):
        write(app, *BASE, statement("s1"), statement("s2", speaker="nobody"))
    assert not app.recorder.max_notification_id()
    assert app.find_statement("s1") is None


def test_bad_reference_names_the_field_and_the_line(app):
    with pytest.raises(RecordError) as caught:
        write(app, *BASE, statement("s1", speaker="nobody"))
    assert (caught.value.field, caught.value.line) == ("speaker", 5)
    assert "nobody" in caught.value.message


def test_unknown_claim_is_refused_at_its_position(app):
    claims = [{"claim": "seized-in-intl-waters"}, {"claim": "crew-beaten"}]
    error = refused(app, *BASE, statement("s1", claims=claims))
    assert error.field == "claims.1.claim"


def test_claim_of_another_incident_is_refused(app):
    other = {"type": "incident", "id": "port-fire", "title": "Fire at the port"}
    error = refused(app, *BASE, other, statement("s1", incident="port-fire"))
    assert error.field == "claims.0.claim"
    assert "ship-seized" in error.message


def test_unknown_attributed_actor_is_refused(app):
    attribution = {"actors": ["coastguard"]}
    error = refused(app, *BASE, statement("s1", attribution=attribution))
    assert error.field == "attribution.actors.0"


def test_unknown_provenance_agent_is_refused(app):
    provenance = [{"agent": "wire", "relation": "reported"}]
    error = refused(app, *BASE, statement("s1", provenance=provenance))
    assert error.field == "provenance.0.agent"


def test_events_carry_the_recorder(app):
    write(app, *BASE, statement("s1"))
    assert app.find_statement("s1").recorded_by == "analyst-kim"


# --- ids ---


def test_rewriting_the_same_records_records_nothing_new(app):
    write(app, *BASE, statement("s1"))
    before = app.recorder.max_notification_id()
    result = write(app, *BASE, statement("s1"))
    assert result.recorded == 0
    assert sum(result.unchanged.values()) == 5
    assert app.recorder.max_notification_id() == before


def test_rewriting_with_one_new_record_records_only_that_one(app):
    write(app, *BASE, statement("s1"))
    result = write(app, *BASE, statement("s1"), statement("s2"))
    assert result.recorded == 1
    assert result.new["statement"] == 1
    assert app.recorder.max_notification_id() == 6


def test_same_id_recorded_earlier_with_other_content_is_refused(app):
    write(app, *BASE, statement("s1"))
    error = refused(app, OWNER, statement("s1", stated_at="2022-08-15"))
    assert (error.field, error.line) == ("id", 2)
    assert "correction" in error.message


def test_same_id_given_twice_differently_in_one_write_is_refused(app):
    error = refused(app, *BASE, statement("s1"), statement("s1", stated_at="2022-08"))
    assert (error.field, error.line) == ("id", 6)
    assert "line 5" in error.message
    assert not app.recorder.max_notification_id()


def test_same_id_given_twice_identically_in_one_write_is_recorded_once(app):
    result = write(app, *BASE, statement("s1"), statement("s1"))
    assert result.new["statement"] == 1
    assert app.recorder.max_notification_id() == 5


def test_actor_and_claim_may_share_a_slug(app):
    actor = {**OWNER, "id": "seized-in-intl-waters"}
    assert write(app, *BASE, actor).recorded == 5


# --- forward references ---


def test_references_to_records_later_in_the_same_write_work(app):
    reply = statement("navy-refusal", speaker="navy", kind="refusal", claims=...)
    reply["responds_to"] = "owner-demand"
    result = write(app, reply, demand(), statement("s1"), CLAIM, NAVY, OWNER, INCIDENT)
    assert result.recorded == 7


def test_affiliation_may_name_an_actor_given_later(app):
    captain = {
        "type": "actor",
        "id": "captain",
        "name": "Captain Ora Lind",
        "kind": "person",
        "affiliation": "owner",
    }
    assert write(app, captain, OWNER).recorded == 2


def test_unknown_affiliation_is_refused(app):
    captain = {"type": "actor", "id": "captain", "name": "Ora Lind", "kind": "person"}
    error = refused(app, {**captain, "affiliation": "crewing-agency"})
    assert (error.field, error.line) == ("affiliation", 1)


# --- corrections ---


def correction(change_id: str, field: str, value, slug: str = "s1") -> dict:
    return {
        "type": "correction",
        "id": change_id,
        "statement": slug,
        "field": field,
        "value": value,
        "reason": "misread the article",
    }


def test_correction_records_previous_and_new_value(app):
    write(app, *BASE, statement("s1", stated_at="2022-08-14"))
    write(app, correction("fix-1", "stated_at", "2022-08-15"))
    corrected = events_of(app, "s1")[-1]
    assert type(corrected).__name__ == "Corrected"
    assert isinstance(corrected, Statement.Corrected)
    assert (corrected.field, corrected.previous, corrected.value) == (
        "stated_at",
        "2022-08-14",
        "2022-08-15",
    )
    assert corrected.reason == "misread the article"
    assert corrected.recorded_by == "analyst-kim"


def test_correction_changes_the_statement_but_keeps_the_original(app):
    write(app, *BASE, statement("s1", stated_at="2022-08-14"))
    write(app, correction("fix-1", "stated_at", "2022-08-15"))
    s1 = app.find_statement("s1")
    assert s1.data["stated_at"] == "2022-08-15"
    assert s1.original["stated_at"] == "2022-08-14"


def test_correction_is_normalised_like_a_record(app):
    crew = {**CLAIM, "id": "crew-detained", "proposition": "The crew is detained"}
    write(app, *BASE, crew, statement("s1"))
    write(app, correction("fix-1", "claims", [{"claim": "crew-detained"}]))
    assert events_of(app, "s1")[-1].value == [
        {"claim": "crew-detained", "stance": "supports"}
    ]


def test_correction_equal_to_the_current_value_once_normalised_is_refused(app):
    write(app, *BASE, statement("s1"))
    # The report already supports this claim: its default stance makes them equal.
    error = refused(
        app, correction("fix-1", "claims", [{"claim": "seized-in-intl-waters"}])
    )
    assert error.field == "correction"


def test_correction_that_changes_nothing_is_refused(app):
    write(app, *BASE, statement("s1", stated_at="2022-08-14"))
    error = refused(app, correction("fix-1", "stated_at", "2022-08-14"))
    assert error.field == "correction"


def test_correction_making_the_statement_invalid_is_refused_naming_the_field(app):
    write(app, *BASE, statement("s1"))
    error = refused(app, correction("fix-1", "kind", "demand"))
    assert "demand" in error.field
    assert error.field.startswith("value")
    assert error.line == 1


def test_correction_to_a_denial_that_still_supports_is_refused(app):
    write(app, *BASE, statement("s1"))
    error = refused(app, correction("fix-1", "kind", "denial"))
    assert error.field == "value (claims)"


def test_correction_with_a_bad_date_is_refused_naming_stated_at(app):
    write(app, *BASE, statement("s1"))
    error = refused(app, correction("fix-1", "stated_at", "2022-08-14T10:00"))
    assert error.field == "value (stated_at)"


def test_correction_naming_an_unknown_speaker_is_refused(app):
    write(app, *BASE, statement("s1"))
    error = refused(app, correction("fix-1", "speaker", "harbour-master"))
    assert (error.field, error.line) == ("speaker", 1)


def test_correction_of_an_unknown_statement_is_refused(app):
    write(app, *BASE)
    error = refused(app, correction("fix-1", "stated_at", "2022-08-15", slug="s9"))
    assert error.field == "statement"


def test_rewriting_a_correction_records_nothing_new(app):
    write(app, *BASE, statement("s1"))
    write(app, correction("fix-1", "stated_at", "2022-08-15"))
    before = app.recorder.max_notification_id()
    result = write(
        app, *BASE, statement("s1"), correction("fix-1", "stated_at", "2022-08-15")
    )
    assert result.recorded == 0
    assert app.recorder.max_notification_id() == before


def test_change_id_reused_with_other_content_is_refused(app):
    write(app, *BASE, statement("s1"))
    write(app, correction("fix-1", "stated_at", "2022-08-15"))
    error = refused(app, correction("fix-1", "stated_at", "2022-08-16"))
    assert (error.field, error.line) == ("id", 1)


def test_correction_removing_a_field_records_its_previous_value(app):
    write(app, *BASE, statement("s1", hedging="believes"))
    record = {
        "type": "correction",
        "id": "fix-1",
        "statement": "s1",
        "field": "hedging",
        "reason": "the hedging was the recorder's",
    }
    app.write([(1, record)], recorded_by="analyst-kim")
    corrected = events_of(app, "s1")[-1]
    assert (corrected.previous, corrected.value) == ("believes", None)
    assert app.find_statement("s1").data.get("hedging") is None


# --- withdrawals, grades ---


def withdrawal(change_id: str, slug: str = "s1") -> dict:
    return {
        "type": "withdrawal",
        "id": change_id,
        "statement": slug,
        "reason": "duplicate",
    }


def test_withdrawal_marks_the_statement_and_keeps_it(app):
    write(app, *BASE, statement("s1"))
    write(app, withdrawal("w1"))
    s1 = app.find_statement("s1")
    assert s1.withdrawn is True
    assert type(events_of(app, "s1")[-1]).__name__ == "Withdrawn"


def test_withdrawing_twice_is_refused(app):
    write(app, *BASE, statement("s1"))
    write(app, withdrawal("w1"))
    error = refused(app, withdrawal("w2"))
    assert (error.field, error.line) == ("withdrawal", 1)
    assert "already withdrawn" in error.message


def test_withdrawing_twice_in_one_write_is_refused(app):
    write(app, *BASE, statement("s1"))
    error = refused(app, withdrawal("w1"), withdrawal("w2"))
    assert error.line == 2


def test_resending_the_same_withdrawal_records_nothing(app):
    write(app, *BASE, statement("s1"))
    write(app, withdrawal("w1"))
    assert write(app, withdrawal("w1")).recorded == 0


def test_statement_and_its_withdrawal_in_one_write(app):
    write(app, *BASE, statement("s1"), withdrawal("w1"))
    assert app.find_statement("s1").withdrawn is True


def test_grade_is_recorded_with_who_graded(app):
    write(app, *BASE, statement("s1"))
    grade = {"type": "grade", "id": "g1", "statement": "s1", "reliability": "B"}
    write(app, grade)
    graded = events_of(app, "s1")[-1]
    assert type(graded).__name__ == "Graded"
    assert (graded.reliability, graded.credibility) == ("B", None)
    assert graded.recorded_by == "analyst-kim"


# --- retractions and responses ---


def test_speaker_may_retract_its_own_statement(app):
    retraction = statement("r1", kind="retraction", claims=..., retracts="s1")
    assert write(app, *BASE, statement("s1"), retraction).recorded == 6


def test_retracting_another_speakers_statement_is_refused(app):
    retraction = statement(
        "r1", speaker="navy", kind="retraction", claims=..., retracts="s1"
    )
    error = refused(app, *BASE, statement("s1"), retraction)
    assert (error.field, error.line) == ("retracts", 6)


def test_retracting_an_unknown_statement_is_refused_at_retracts(app):
    retraction = statement("r1", kind="retraction", claims=..., retracts="s9")
    error = refused(app, *BASE, retraction)
    assert (error.field, error.line) == ("retracts", 5)


def test_retraction_cannot_retract_itself(app):
    retraction = statement("r1", kind="retraction", claims=..., retracts="r1")
    assert refused(app, *BASE, retraction).field == "retracts"


def test_refusal_of_a_demand_is_recorded(app):
    reply = statement(
        "navy-refusal",
        speaker="navy",
        kind="refusal",
        claims=...,
        responds_to="owner-demand",
    )
    assert write(app, *BASE, demand(), reply).recorded == 6


def test_responds_to_must_name_a_demand(app):
    reply = statement(
        "navy-refusal", speaker="navy", kind="refusal", claims=..., responds_to="s1"
    )
    error = refused(app, *BASE, statement("s1"), reply)
    assert (error.field, error.line) == ("responds_to", 6)
    assert "report" in error.message


def test_responds_to_a_demand_of_another_incident_is_refused(app):
    other = {"type": "incident", "id": "port-fire", "title": "Fire at the port"}
    reply = statement(
        "navy-refusal",
        incident="port-fire",
        speaker="navy",
        kind="refusal",
        claims=...,
        responds_to="owner-demand",
    )
    error = refused(app, *BASE, other, demand(), reply)
    assert error.field == "responds_to"


def test_responding_to_an_unknown_statement_is_refused_at_responds_to(app):
    reply = statement(
        "navy-refusal", speaker="navy", kind="refusal", claims=..., responds_to="d9"
    )
    error = refused(app, *BASE, reply)
    assert (error.field, error.line) == ("responds_to", 5)
