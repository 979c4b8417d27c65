"""Aggregates of the ledger. Each command method guards, then triggers one event.

Event bodies only assign what the event carries: they run again on every
replay, so they never read the clock or make ids.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from ledger.domain.profiles import corrected
from ledger.domain.text import a_or_an
from ledger.domain.vocabulary import PROFILE_CORRECTABLE
from ledger.errors import Refused

_NAMESPACE = uuid5(NAMESPACE_URL, "urn:ledger:incident-ledger")


def stream_id(kind: str, slug: str) -> UUID:
    """The stable aggregate id of an incident, actor, claim or statement slug."""
    return uuid5(_NAMESPACE, f"{kind}:{slug}")


class LedgerRuleError(Refused):
    """A command that the ledger's rules refuse."""


class Profiled(Aggregate):
    """What incidents, actors and claims share: a slug, the profile they were
    opened with, and corrections of one profile field at a time (an actor's
    ``same_as`` among them: the merge of two records of one actor)."""

    KIND: ClassVar[str] = ""
    # The fields a correction may change; the rest (id, a claim's incident) never.
    CORRECTABLE: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def create_id(cls, slug: str) -> UUID:  # type: ignore[override]
        """Each is addressed by its kind and slug."""
        return stream_id(cls.KIND, slug)

    def _opened(
        self, slug: str, profile: dict[str, Any], fingerprint: str, recorded_by: str
    ) -> None:
        self.slug = slug
        self.profile = dict(profile)
        self.fingerprint = fingerprint
        self.recorded_by = recorded_by
        self.changes: dict[str, str] = {}

    @property
    def of_incident(self) -> str | None:
        """The incident this record belongs to (None for an actor)."""
        return None

    class Corrected(Aggregate.Event):
        """One field of the profile corrected; the earlier value stays in the log."""

        incident: str | None
        subject: str
        change_id: str
        field: str
        value: Any
        previous: Any
        reason: str
        fingerprint: str
        recorded_by: str

        def apply(self, aggregate: Any) -> None:
            aggregate.profile = corrected(aggregate.profile, self.field, self.value)
            aggregate.changes[self.change_id] = self.fingerprint

    def correct(
        self,
        *,
        change_id: str,
        field: str,
        value: Any,
        reason: str,
        fingerprint: str,
        recorded_by: str,
    ) -> None:
        """Record a correction of one profile field."""
        if change_id in self.changes:
            raise LedgerRuleError(f"change {change_id} is already recorded")
        if field not in self.CORRECTABLE:
            raise LedgerRuleError(
                f"{field}: {a_or_an(self.KIND)}'s {field} cannot be corrected; "
                f"correct one of: {', '.join(self.CORRECTABLE)}"
            )
        if self.profile.get(field) == value:
            raise LedgerRuleError(f"{field}: the {self.KIND} already has this value")
        self.trigger_event(
            self.Corrected,
            incident=self.of_incident,
            subject=self.slug,
            change_id=change_id,
            field=field,
            value=value,
            previous=self.profile.get(field),
            reason=reason,
            fingerprint=fingerprint,
            recorded_by=recorded_by,
        )


class Incident(Profiled):
    """What happened: title, description, when and where."""

    KIND = "incident"
    CORRECTABLE = PROFILE_CORRECTABLE["incident"]

    @event("Opened")
    def __init__(
        self, slug: str, profile: dict[str, Any], fingerprint: str, recorded_by: str
    ):
        self._opened(slug, profile, fingerprint, recorded_by)

    @property
    def of_incident(self) -> str | None:
        return self.slug


class Actor(Profiled):
    """A person, organisation, state, armed group or outlet; possibly anonymous."""

    KIND = "actor"
    CORRECTABLE = PROFILE_CORRECTABLE["actor"]

    @event("Registered")
    def __init__(
        self, slug: str, profile: dict[str, Any], fingerprint: str, recorded_by: str
    ):
        self._opened(slug, profile, fingerprint, recorded_by)


class Claim(Profiled):
    """A proposition about an incident that speakers take sides on."""

    KIND = "claim"
    CORRECTABLE = PROFILE_CORRECTABLE["claim"]

    @event("Defined")
    def __init__(
        self,
        slug: str,
        incident: str,
        profile: dict[str, Any],
        fingerprint: str,
        recorded_by: str,
    ):
        self._opened(slug, profile, fingerprint, recorded_by)
        self.incident = incident

    @property
    def of_incident(self) -> str | None:
        return self.incident


class Statement(Aggregate):
    """One speech act by one speaker at one time, from one source."""

    KIND = "statement"

    @classmethod
    def create_id(cls, slug: str) -> UUID:  # type: ignore[override]
        """Statements are addressed by their slug."""
        return stream_id(cls.KIND, slug)

    @event("Recorded")
    def __init__(
        self,
        slug: str,
        incident: str,
        data: dict[str, Any],
        fingerprint: str,
        recorded_by: str,
    ):
        self.slug = slug
        self.incident = incident
        self.original = data
        self.data = dict(data)
        self.fingerprint = fingerprint
        self.recorded_by = recorded_by
        self.withdrawn = False
        self.changes: dict[str, str] = {}

    def correct(
        self,
        *,
        change_id: str,
        field: str,
        value: Any,
        reason: str,
        fingerprint: str,
        recorded_by: str,
    ) -> None:
        """Record a correction of one field; the earlier value stays in the log."""
        self._guard_change(change_id)
        if self.data.get(field) == value:
            raise LedgerRuleError(f"{field}: the statement already has this value")
        previous = self.data.get(field)
        self._corrected(
            incident=self.incident,
            statement=self.slug,
            change_id=change_id,
            field=field,
            value=value,
            previous=previous,
            reason=reason,
            fingerprint=fingerprint,
            recorded_by=recorded_by,
        )

    @event("Corrected")
    def _corrected(
        self,
        incident: str,
        statement: str,
        change_id: str,
        field: str,
        value: Any,
        previous: Any,
        reason: str,
        fingerprint: str,
        recorded_by: str,
    ) -> None:
        if value is None:
            self.data.pop(field, None)
        else:
            self.data[field] = value
        self.changes[change_id] = fingerprint

    def withdraw(
        self, *, change_id: str, reason: str, fingerprint: str, recorded_by: str
    ) -> None:
        """Withdraw a statement entered in error; it stays visible in the history."""
        if self.withdrawn and change_id not in self.changes:
            raise LedgerRuleError(f"statement {self.slug} is already withdrawn")
        self._guard_change(change_id)
        self._withdrawn(
            incident=self.incident,
            statement=self.slug,
            change_id=change_id,
            reason=reason,
            fingerprint=fingerprint,
            recorded_by=recorded_by,
        )

    @event("Withdrawn")
    def _withdrawn(
        self,
        incident: str,
        statement: str,
        change_id: str,
        reason: str,
        fingerprint: str,
        recorded_by: str,
    ) -> None:
        self.withdrawn = True
        self.changes[change_id] = fingerprint

    def grade(
        self,
        *,
        change_id: str,
        reliability: str | None,
        credibility: int | None,
        reason: str,
        fingerprint: str,
        recorded_by: str,
    ) -> None:
        """Grade source reliability (A-F) and the statement's credibility (1-6)."""
        self._guard_change(change_id)
        self._graded(
            incident=self.incident,
            statement=self.slug,
            change_id=change_id,
            reliability=reliability,
            credibility=credibility,
            reason=reason,
            fingerprint=fingerprint,
            recorded_by=recorded_by,
        )

    @event("Graded")
    def _graded(
        self,
        incident: str,
        statement: str,
        change_id: str,
        reliability: str | None,
        credibility: int | None,
        reason: str,
        fingerprint: str,
        recorded_by: str,
    ) -> None:
        self.changes[change_id] = fingerprint

    def _guard_change(self, change_id: str) -> None:
        if change_id in self.changes:
            raise LedgerRuleError(f"change {change_id} is already recorded")
        if self.withdrawn:
            raise LedgerRuleError(
                f"statement {self.slug} was withdrawn from the ledger; "
                "record a new statement instead"
            )
