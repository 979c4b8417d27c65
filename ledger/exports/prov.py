"""The W3C PROV export (PROV-JSON, PROV-N, PROV-O in Turtle), through ``prov``.

Statements, claims, incidents and documents are entities; actors and the
recorders are agents. Stating, each hop of the provenance chain (telling,
reporting, citing, translating) and each ledger event (recording, correcting,
withdrawing, grading) are activities, with their times: a partial date is the
interval it stands for. See docs/export.md for the whole mapping.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from prov.constants import PROV
from prov.model import PROV_LABEL, PROV_ROLE, PROV_TYPE, ProvDocument

from ledger.domain.dates import PartialDate
from ledger.domain.retractions import retractions
from ledger.domain.state import StatementFacts

if TYPE_CHECKING:
    from ledger.exports import Dossier

BASE = "urn:incident-ledger:"
PREFIXES = (
    "ledger",
    "incident",
    "claim",
    "statement",
    "document",
    "actor",
    "recorder",
    "activity",
    "record",
)
SERIALIZERS = {
    "prov-json": {"format": "json", "indent": 2},
    "prov-n": {"format": "provn"},
    "prov-o": {"format": "rdf", "rdf_format": "turtle"},
}
# Actors of these kinds are people; every other kind is an organisation.
_PEOPLE = {"person"}


def document_key(document: dict[str, Any]) -> str:
    """A document's id: its content hash, else a hash of what is known of it."""
    digest = document.get("content_hash", "").removeprefix("sha256:")
    if digest:
        return digest
    text = json.dumps(document, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _interval(text: str | None, zone: str | None = None) -> tuple[Any, Any]:
    """A stated date's interval: a day, month or year in its zone (the
    statement's own, else the incident's), or UTC."""
    if not text:
        return None, None
    stated = PartialDate.parse(text, zone)
    end = stated.start if stated.precision == "instant" else stated.end
    return stated.start, end


class _Builder:
    """Builds one PROV document from a dossier, declaring each node once."""

    def __init__(self, found: Dossier):
        self.found = found
        self.doc = ProvDocument()
        self.ns = {p: self.doc.add_namespace(p, f"{BASE}{p}:") for p in PREFIXES}
        self.declared: set[str] = set()

    def ledger(self, name: str) -> Any:
        return self.ns["ledger"][name]

    def _once(self, key: str) -> bool:
        if key in self.declared:
            return False
        self.declared.add(key)
        return True

    def _attrs(self, kind: str, values: dict[str, Any]) -> dict[Any, Any]:
        attrs: dict[Any, Any] = {PROV_TYPE: self.ledger(kind)}
        for name, value in values.items():
            if value not in (None, "", [], {}):
                key = PROV_LABEL if name == "label" else self.ledger(name)
                attrs[key] = value
        return attrs

    def _associate(self, activity: Any, agent: Any, role: str) -> None:
        # Every association carries its role: prov's RDF reader keeps only the
        # qualified associations of an activity that has one.
        self.doc.wasAssociatedWith(
            activity, agent, other_attributes={PROV_ROLE: self.ledger(role)}
        )

    # -- agents -----------------------------------------------------------------

    def actor(self, slug: str) -> Any:
        """The agent of an actor, with those it acts on behalf of."""
        node = self.ns["actor"][slug]
        if not self._once(f"actor:{slug}"):
            return node
        profile = self.found.actors.get(slug, {})
        kind = profile.get("kind")
        attrs = self._attrs(
            "Actor",
            {"label": profile.get("display_name", slug), "actorKind": kind},
        )
        attrs[PROV_TYPE] = PROV["Person"] if kind in _PEOPLE else PROV["Organization"]
        if profile.get("same_as"):
            # Merged: the same person or body as another actor (ledger merge).
            attrs[self.ledger("sameAs")] = self.actor(profile["same_as"])
        self.doc.agent(node, attrs)
        if profile.get("affiliation"):
            self.doc.actedOnBehalfOf(node, self.actor(profile["affiliation"]))
        return node

    def recorder(self, name: str) -> Any:
        """The agent of a recorder (a person or an account of the ledger)."""
        node = self.ns["recorder"][quote(name, safe="")]
        if self._once(f"recorder:{name}"):
            self.doc.agent(node, self._attrs("Recorder", {"label": name}))
        return node

    # -- entities ---------------------------------------------------------------

    def incident(self, profile: dict[str, Any]) -> Any:
        """The entity of an incident."""
        node = self.ns["incident"][profile["id"]]
        values = {k: v for k, v in profile.items() if k != "id"}
        values["label"] = values.pop("title", None)
        values = {_camel(k): v for k, v in values.items()}
        self.doc.entity(node, self._attrs("Incident", values))
        return node

    def claim(self, claim: dict[str, Any], incident: Any) -> Any:
        """The entity of a claim, with its status as the state gives it."""
        node = self.ns["claim"][claim["id"]]
        attrs = self._attrs(
            "Claim", {"label": claim["proposition"], "status": claim["status"]}
        )
        attrs[self.ledger("incident")] = incident
        self.doc.entity(node, attrs)
        return node

    def document(self, document: dict[str, Any]) -> Any:
        """The entity of a source document, attributed to its outlet."""
        node = self.ns["document"][document_key(document)]
        if self._once(f"document:{node.localpart}"):
            values = {_camel(k): v for k, v in document.items() if k != "outlet"}
            values["label"] = values.pop("title", None)
            self.doc.entity(node, self._attrs("Document", values))
            if document.get("outlet"):
                self.doc.wasAttributedTo(node, self.actor(document["outlet"]))
        return node

    # -- a statement ------------------------------------------------------------

    def statement(
        self, s: dict[str, Any], incident: Any, events: list, zone: str | None = None
    ) -> None:
        """A statement, its stating, its chain to the document, its recording."""
        slug = s["id"]
        node = self.ns["statement"][slug]
        speaker = self.actor(s["speaker"])
        values = {
            k: s.get(k) for k in ("kind", "quote", "paraphrase", "hedging", "note")
        }
        values["statedAt"] = s["stated_at"]
        values["demandAction"] = (s.get("demand") or {}).get("action")
        attrs = self._attrs("Statement", values)
        attrs[self.ledger("incident")] = incident
        if s.get("demand"):
            attrs[self.ledger("demandAddressee")] = self.actor(s["demand"]["addressee"])
        self.doc.entity(node, attrs)
        start, end = _interval(s["stated_at"], zone)
        stating = self.doc.activity(
            self.ns["activity"][f"stating.{slug}"],
            start,
            end,
            self._attrs("Stating", {"label": f"{s['kind']} by {s['speaker']}"}),
        )
        self._associate(stating, speaker, "speaker")
        self.doc.wasGeneratedBy(node, stating)
        self.doc.wasAttributedTo(node, speaker)
        for target in s.get("attribution", {}).get("actors", []):
            self.doc.influence(
                node,
                self.actor(target),
                other_attributes={PROV_TYPE: self.ledger("heldResponsible")},
            )
        if s.get("responds_to"):
            self.doc.influence(
                node,
                self.ns["statement"][s["responds_to"]],
                other_attributes={PROV_TYPE: self.ledger("respondsTo")},
            )
        last = self.chain(s, node, stating)
        self.recording(s, last, events)

    def chain(self, s: dict[str, Any], words: Any, activity: Any) -> Any:
        """The hops from the speaker to the document: each hop an activity whose
        agent takes the words on; returns the last entity (what was read)."""
        slug = s["id"]
        for i, hop in enumerate(s.get("provenance") or [], 1):
            agent = self.actor(hop["agent"])
            document = hop.get("document")
            if hop["relation"] == "contributed" and not document and i > 1:
                # A contributor works on the previous hop's report.
                self._associate(activity, agent, "contributed")
                continue
            start, end = _interval((document or {}).get("published_at"))
            activity = self.doc.activity(
                self.ns["activity"][f"relaying.{slug}.{i}"],
                start,
                end,
                self._attrs(
                    "Relaying",
                    {
                        "label": f"{hop['relation']} {hop['agent']}",
                        "relation": hop["relation"],
                    },
                ),
            )
            self._associate(activity, agent, hop["relation"])
            self.doc.used(activity, words)
            relayed = self.ns["statement"][f"{slug}.hop{i}"]
            self.doc.entity(relayed, self._attrs("Relayed", {"hop": i}))
            self.doc.wasGeneratedBy(relayed, activity)
            self.doc.wasAttributedTo(relayed, agent)
            self.doc.wasDerivedFrom(relayed, words, activity)
            words = relayed
            if document:
                held = self.document(document)
                self.doc.wasDerivedFrom(held, relayed)
                words = held
        return words

    def recording(self, s: dict[str, Any], read: Any, events: list) -> None:
        """Each ledger event about the statement, as an activity of the recorder."""
        slug = s["id"]
        record = None
        version = 0
        for event in events:
            when = event["recorded_at"]
            activity = self.doc.activity(
                self.ns["activity"][f"recording.{event['seq']}"],
                when,
                when,
                self._attrs(
                    "Recording",
                    {
                        "label": event["summary"],
                        "eventType": event["type"],
                        "seq": event["seq"],
                        "hash": event["hash"],
                    },
                ),
            )
            self._associate(activity, self.recorder(event["recorded_by"]), "recorder")
            if event["type"] in ("Statement.Recorded", "Statement.Corrected"):
                version += 1
                new = self.ns["record"][f"{slug}.v{version}"]
                self.doc.entity(new, self._attrs("Record", {"version": version}))
                self.doc.wasGeneratedBy(new, activity, when)
                if record is None:
                    self.doc.used(activity, read)
                    self.doc.wasDerivedFrom(new, read, activity)
                else:
                    self.doc.used(activity, record)
                    self.doc.wasRevisionOf(new, record)
                record = new
            elif event["type"] == "Statement.Withdrawn" and record is not None:
                self.doc.wasInvalidatedBy(record, activity, when)
            elif record is not None:
                self.doc.used(activity, record)

    # -- the whole document -----------------------------------------------------

    def build(self) -> ProvDocument:
        """Every incident of the dossier, its claims and statements."""
        for profile in self.found.incidents:
            slug = profile["id"]
            incident = self.incident(profile)
            claims = {
                c["id"]: self.claim(c, incident)
                for c in self.found.states[slug]["claims"]
            }
            by_subject: dict[str, list] = {}
            for event in self.found.events[slug]:
                by_subject.setdefault(event["subject"], []).append(event)
            statements = self.found.statements[slug]
            zone = profile.get("time_zone")
            for s in statements:
                self.statement(s, incident, by_subject.get(s["id"], []), zone)
                for stance in s.get("claims") or []:
                    self.doc.influence(
                        claims[stance["claim"]],
                        self.ns["statement"][s["id"]],
                        other_attributes={self.ledger("stance"): stance["stance"]},
                    )
            self.retractions(statements)
        return self.doc

    def retractions(self, statements: list[dict[str, Any]]) -> None:
        """A retraction's stating invalidates the statement it takes back, while
        no retraction of it stands (the state's own rule)."""
        standing = [
            StatementFacts(s["id"], s.get("seq") or 0, s)
            for s in statements
            if not s["withdrawn"]
        ]
        for target, by in retractions(standing).items():
            self.doc.wasInvalidatedBy(
                self.ns["statement"][target],
                self.ns["activity"][f"stating.{by}"],
            )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def prov_document(found: Dossier) -> ProvDocument:
    """The dossier as a PROV document."""
    return _Builder(found).build()


def prov_text(found: Dossier, fmt: str) -> str:
    """The dossier in PROV-JSON, PROV-N or PROV-O (Turtle)."""
    with warnings.catch_warnings():
        # prov calls an rdflib API that rdflib 7.6 deprecates; nothing to act on.
        warnings.filterwarnings("ignore", "Dataset.default_context", DeprecationWarning)
        text = prov_document(found).serialize(**SERIALIZERS[fmt])
    return text if text.endswith("\n") else text + "\n"
