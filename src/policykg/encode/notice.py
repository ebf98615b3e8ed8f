"""Build stage, notice level: the text, the notice, controller, DPO, sections, recipients, rights, retention,
transfers and other statements of one version, and the span resources every fact points to."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from policykg.encode.target import Target
from policykg.errors import SourceError
from policykg.namespaces import DCTERMS, DPV, EU_GDPR, FOAF, OA, PKO, PROV, RDF, RDFS, SPDX, XSD
from policykg.sources.schema_notice import NoticeFile
from policykg.sources.schema_types import NOT_STATED

ALL_BASES = tuple(EU_GDPR[f"A6-1-{x}"] for x in "abcdef")


@dataclass(frozen=True)
class SectionRef:
    """A notice section: its IRI, link and start, to place spans in it."""

    iri: URIRef
    link: str
    start: int
    depth: int


@dataclass(frozen=True)
class RightOffer:
    """A right the notice offers, and the bases it attaches it to."""

    iri: URIRef
    rights: tuple[URIRef, ...]
    bases: tuple[URIRef, ...]


@dataclass
class Written:
    """What the processes need from the notice: its IRI, controller, recipients and rights."""

    notice: URIRef
    controller: URIRef
    transfer_process: str
    modality: URIRef = PKO.PossibleUse
    contracts: list[URIRef] = field(default_factory=list)
    statement_processes: list[tuple[str, int]] = field(default_factory=list)
    recipients: dict[str, URIRef] = field(default_factory=dict)
    rights: list[RightOffer] = field(default_factory=list)
    sections: list[SectionRef] = field(default_factory=list)


def write_notice(t: Target, n: NoticeFile) -> Written:
    """Write the notice-level facts of one version."""
    notice = _notice(t, n)
    controller = _parties(t, n, notice)
    written = Written(notice, controller, n.transfers.process)
    written.sections = _sections(t, n, notice)
    written.recipients = _recipients(t, n, notice)
    written.rights = _rights(t, n, notice)
    _term_sources(t, n)
    _retention(t, n, notice)
    _transfers(t, n, notice)
    _legal_requests_and_changes(t, n, written.recipients)
    _provision(t, n, notice)
    written.modality = _modality(t, n, notice)
    _contracts_and_statements(t, n, written)
    return written


def _notice(t: Target, n: NoticeFile) -> URIRef:
    v, f = t.version, t.notice_path
    text_iri, checksum = t.ns["source/policy-text"], t.ns["source/policy-text/sha256"]
    t.add(text_iri, RDF.type, FOAF.Document)
    t.add(text_iri, RDFS.label, t.text(f"{v.label}: the text as captured"))
    t.add(text_iri, DCTERMS.identifier, Literal(v.text_file))
    t.add(text_iri, DCTERMS["format"], Literal("text/markdown"))  # .format is str.format
    if v.captured_from and v.captured_from.startswith(("https://", "http://")):
        t.add(text_iri, DCTERMS.source, URIRef(v.captured_from))
    elif v.captured_from:  # where it was captured, in words (no commit id known in full: never invented)
        t.add(text_iri, DCTERMS.bibliographicCitation, t.text(v.captured_from))
    if v.captured_date:
        t.add(text_iri, DCTERMS.created, Literal(v.captured_date.isoformat(), datatype=XSD.date))
    t.add(text_iri, SPDX.checksum, checksum)
    t.add(checksum, RDF.type, SPDX.Checksum)
    t.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
    t.add(checksum, SPDX.checksumValue, Literal(v.sha256, datatype=XSD.hexBinary))

    m = n.notice
    iri = t.ns["notice"]
    t.add(iri, RDF.type, DPV.PrivacyNotice)
    t.add(iri, RDFS.label, t.text(m.label))
    t.add(iri, DCTERMS.description, t.text(m.description))
    t.add(iri, FOAF.page, URIRef(m.url))
    if m.printable_url:
        t.add(iri, RDFS.seeAlso, URIRef(m.printable_url))
    t.add(iri, DCTERMS.valid, Literal(v.effective.isoformat(), datatype=XSD.date))
    t.add(iri, DCTERMS.identifier, Literal(v.name))
    t.add(iri, DCTERMS.source, text_iri)
    # What the notice does not name is recorded as not stated (decision 37), never filled in.
    if m.applicable_law == NOT_STATED:
        t.add(iri, PKO.statesApplicableLaw, Literal(False))
    else:
        t.add(iri, DPV.hasApplicableLaw, t.resolver.term(m.applicable_law, file=f, line=m.line, kind="law"))
    if m.authority == NOT_STATED:
        t.add(iri, PKO.statesAuthority, Literal(False))
    else:
        t.add(iri, DPV.hasAuthority, t.resolver.term(m.authority, file=f, line=m.line, kind="authority"))
    if m.jurisdiction != NOT_STATED:
        t.add(iri, DPV.hasJurisdiction, t.resolver.term(m.jurisdiction, file=f, line=m.line, kind="jurisdiction"))
    t.derive(iri, [t.span(m.span, file=f, line=m.line)])
    if m.no_sale is not None:
        t.add(iri, PKO.statesNoSaleOfPersonalData, Literal(True))
        t.derive(iri, [t.span(m.no_sale, file=f, line=m.line)])
    return iri


def _parties(t: Target, n: NoticeFile, notice: URIRef) -> URIRef:
    f, c, d = t.notice_path, n.controller, n.dpo
    controller = t.ns["controller/" + c.id]
    t.add(notice, DPV.hasDataController, controller)
    t.add(controller, RDF.type, DPV.DataController)
    t.add(controller, RDFS.label, t.text(c.name))
    t.add(controller, DPV.hasName, Literal(c.name))
    t.add(controller, DPV.hasAddress, Literal(c.address))
    t.add(controller, DPV.hasContact, URIRef(c.contact))
    t.derive(controller, [t.span(c.span, file=f, line=c.line), t.span(c.address_span, file=f, line=c.line)])
    dpo = t.ns["dpo/" + d.id]
    t.add(controller, DPV.hasDataProtectionOfficer, dpo)
    t.add(dpo, RDF.type, DPV.DataProtectionOfficer)
    t.add(dpo, RDFS.label, t.text(d.label))
    if d.contact == NOT_STATED:
        t.add(dpo, PKO.statesContact, Literal(False))
    else:
        t.add(dpo, DPV.hasContact, URIRef(d.contact))
    t.derive(dpo, [t.span(d.span, file=f, line=d.line)])
    return controller


def _sections(t: Target, n: NoticeFile, notice: URIRef) -> list[SectionRef]:
    f = t.notice_path
    out: dict[str, SectionRef] = {}
    for s in n.sections:
        if s.id in out:
            raise SourceError(f"duplicate section id {s.id!r}", path=f, line=s.line)
        if s.parent is not None and s.parent not in out:
            raise SourceError(f"unknown parent section {s.parent!r} (a parent must come first)", path=f, line=s.line)
        parent = out[s.parent] if s.parent else None
        iri = t.ns["section/" + s.id]
        link = s.link or (parent.link if parent else n.notice.url)
        span_iri = t.span(s.span, file=f, line=s.line)
        t.add(iri, RDF.type, PKO.NoticeSection)
        t.add(iri, RDFS.label, t.text(s.title))
        t.add(iri, FOAF.page, URIRef(link))
        t.add(iri, DCTERMS.isPartOf, parent.iri if parent else notice)
        t.add(parent.iri if parent else notice, DCTERMS.hasPart, iri)
        if s.basis:
            t.add(iri, DPV.hasLegalBasis, t.resolver.term(s.basis, file=f, line=s.line, kind="legal basis"))
        t.derive(iri, [span_iri])
        out[s.id] = SectionRef(iri, link, s.span[0], 1 if parent else 0)
    return list(out.values())


def _recipients(t: Target, n: NoticeFile, notice: URIRef) -> dict[str, URIRef]:
    f = t.notice_path
    out: dict[str, URIRef] = {}
    for r in n.recipients:
        if r.id in out:
            raise SourceError(f"duplicate recipient id {r.id!r}", path=f, line=r.line)
        iri = out[r.id] = t.ns["recipient/" + r.id]
        for kind in r.types:
            t.add(iri, RDF.type, t.resolver.term(kind, file=f, line=r.line, kind="recipient type"))
        t.add(iri, RDFS.label, t.text(r.label))
        t.add(iri, DCTERMS.description, t.text(r.description))
        if r.link:
            t.add(iri, FOAF.page, URIRef(r.link))
        if r.part_of:
            if r.part_of not in out:
                raise SourceError(f"unknown recipient group {r.part_of!r} (a group must come first)", path=f, line=r.line)
            t.add(iri, DCTERMS.isPartOf, out[r.part_of])
            t.add(out[r.part_of], DCTERMS.hasPart, iri)
        t.derive(iri, [t.span(s, file=f, line=r.line) for s in (r.span, *r.extra_spans)])
        for p in r.shared_for:
            t.add(iri, PKO.sharedForPurpose, t.resolver.term(p, file=f, line=r.line, kind="purpose"))
        t.derive(iri, [t.span(s, file=f, line=r.line) for s in r.shared_for_spans])
        t.add(notice, DPV.hasRecipient, iri)
    return out


def _rights(t: Target, n: NoticeFile, notice: URIRef) -> list[RightOffer]:
    f = t.notice_path
    out: list[RightOffer] = []
    for r in n.rights:
        iri = t.ns["right/" + r.id]
        t.add(iri, RDF.type, DPV.RightExerciseNotice)
        t.add(iri, RDFS.label, t.text(r.label))
        t.add(iri, DCTERMS.description, t.text(r.description))
        rights = tuple(t.resolver.term(x, file=f, line=r.line, kind="right") for x in r.rights)
        if r.applies_to == NOT_STATED:
            bases: tuple[URIRef, ...] = ()
        elif r.applies_to == "all":
            bases = ALL_BASES
        else:
            bases = tuple(t.resolver.term(x, file=f, line=r.line, kind="legal basis") for x in r.applies_to)
        for right in rights:
            t.add(iri, DPV.hasRight, right)
            t.add(notice, DPV.hasRight, right)
        for basis in bases:
            t.add(iri, PKO.appliesToLegalBasis, basis)
        if r.authority:
            t.add(iri, DPV.hasAuthority, t.resolver.term(r.authority, file=f, line=r.line, kind="authority"))
        if r.link:
            t.add(iri, FOAF.page, URIRef(r.link))
        t.derive(iri, [t.span(s, file=f, line=r.line) for s in r.spans])
        t.add(notice, DCTERMS.hasPart, iri)
        out.append(RightOffer(iri, rights, bases))
    return out


def _term_sources(t: Target, n: NoticeFile) -> None:
    f = t.notice_path
    for curie, spans in n.term_sources.items():
        term = t.resolver.term(curie, file=f, line=n.line)
        t.derive(term, [t.span(s, file=f, line=n.line) for s in spans])


def _retention(t: Target, n: NoticeFile, notice: URIRef) -> None:
    f, ret = t.notice_path, n.retention
    retention = t.ns[ret.id]
    t.add(notice, DPV.hasStorageCondition, retention)
    t.add(retention, RDF.type, DPV.StorageDuration)
    t.add(retention, RDFS.label, t.text(ret.label))
    t.add(retention, DCTERMS.description, t.text(ret.description))
    t.add(retention, DPV.hasDuration, DPV.IndeterminateDuration)
    t.add(retention, PKO.statesFixedRetentionPeriod, Literal(ret.fixed_period_stated))
    t.derive(retention, [t.span(ret.span, file=f, line=ret.line)])
    for c in ret.criteria:
        criterion = t.ns[f"{ret.id}/criterion/{c.id}"]
        t.add(retention, PKO.hasRetentionCriterion, criterion)
        t.add(criterion, RDF.type, PKO.RetentionCriterion)
        t.add(criterion, RDFS.label, t.text(c.label))
        t.add(criterion, DCTERMS.description, t.text(c.description))
        t.derive(criterion, [t.span(c.span, file=f, line=c.line)])


def _transfers(t: Target, n: NoticeFile, notice: URIRef) -> None:
    f, tr = t.notice_path, n.transfers
    section = t.ns["section/transfers"]
    t.add(section, DCTERMS.description, t.text(tr.description))
    t.add(section, PKO.statesDestinations, Literal(tr.destinations_stated))
    t.derive(section, [t.span(tr.span, file=f, line=tr.line)])
    sg = tr.safeguard
    safeguard = t.ns[sg.id]
    t.add(safeguard, RDF.type, DPV.SafeguardForDataTransfer)
    t.add(safeguard, RDFS.label, t.text(sg.label))
    t.add(safeguard, DCTERMS.description, t.text(sg.description))
    t.add(safeguard, FOAF.page, URIRef(sg.link))
    t.add(safeguard, PKO.statesTransferMechanism, Literal(sg.mechanism_stated))
    t.derive(safeguard, [t.span(sg.span, file=f, line=sg.line)])
    t.add(section, DPV.hasTechnicalOrganisationalMeasure, safeguard)
    t.add(t.ns["process/" + tr.process], DPV.hasTechnicalOrganisationalMeasure, safeguard)


def _legal_requests_and_changes(t: Target, n: NoticeFile, recipients: dict[str, URIRef]) -> None:
    f, lr, pc = t.notice_path, n.legal_requests, n.policy_changes
    section = t.ns["section/" + lr.section]
    t.add(section, DCTERMS.description, t.text(lr.description))
    for r in lr.recipients:
        if r not in recipients:
            raise SourceError(f"unknown recipient {r!r}", path=f, line=lr.line)
        t.add(section, DPV.hasRecipient, recipients[r])
    t.derive(section, [t.span(s, file=f, line=lr.line) for s in lr.spans])
    section = t.ns["section/" + pc.section]
    t.add(section, DCTERMS.description, t.text(pc.description))
    t.add(section, PKO.notifiesBeforeMaterialChanges, Literal(pc.notifies_before_material_changes))
    t.derive(section, [t.span(pc.span, file=f, line=pc.line)])


def _provision(t: Target, n: NoticeFile, notice: URIRef) -> None:
    f = t.notice_path
    for p in n.data_provision:
        iri = t.ns["provision/" + p.id]
        t.add(notice, PKO.hasProvisionRequirement, iri)
        t.add(iri, RDF.type, PKO.ProvisionRequirement)
        t.add(iri, RDFS.label, t.text(p.label))
        t.add(iri, DCTERMS.description, t.text(p.description))
        t.add(iri, DPV.hasNecessity, t.resolver.term(p.necessity, file=f, line=p.line, kind="necessity"))
        t.add(iri, PKO.consequenceOfNotProviding, t.text(p.consequence))
        t.derive(iri, [t.span(p.span, file=f, line=p.line)])


def _modality(t: Target, n: NoticeFile, notice: URIRef) -> URIRef:
    f, m = t.notice_path, n.information_modality
    modality = PKO.PossibleUse if m.modality == "possible" else PKO.StatedUse
    statement = t.ns["statement/information-modality"]
    t.add(notice, PKO.hasStatement, statement)
    t.add(statement, RDF.type, PKO.ModalityStatement)
    t.add(statement, RDF.type, PKO.NoticeStatement)
    t.add(statement, RDFS.label, t.text("The listed information is what could be used" if m.modality == "possible"
                                         else "The listed information is what is used"))
    t.add(statement, PKO.useModality, modality)
    t.derive(statement, [t.span(s, file=f, line=m.line) for s in m.spans])
    return modality


def _contracts_and_statements(t: Target, n: NoticeFile, written: Written) -> None:
    f, notice = t.notice_path, written.notice
    for c in n.contracts:
        iri = t.ns["contract/" + c.id]
        written.contracts.append(iri)
        t.add(notice, PKO.namesContract, iri)
        t.add(iri, RDF.type, PKO.ContractDocument)
        t.add(iri, RDFS.label, t.text(c.label))
        t.add(iri, FOAF.page, URIRef(c.link))
        t.derive(iri, [t.span(c.span, file=f, line=c.line)])
    for s in n.statements:
        iri = t.ns["statement/" + s.id]
        t.add(notice, PKO.hasStatement, iri)
        t.add(iri, RDF.type, PKO.NoticeStatement)
        t.add(iri, RDF.type, t.resolver.term(s.kind, file=f, line=s.line, kind="statement kind"))
        t.add(iri, RDFS.label, t.text(s.label))
        t.add(iri, DCTERMS.description, t.text(s.description))
        for curie in s.about:
            t.add(iri, DCTERMS.subject, t.resolver.term(curie, file=f, line=s.line))
        for curie in s.types:
            t.add(iri, RDF.type, t.resolver.term(curie, file=f, line=s.line, kind="type"))
        for curie in s.data_subjects:
            t.add(iri, DPV.hasDataSubject, t.resolver.term(curie, file=f, line=s.line, kind="data subject"))
        if s.measure:
            t.add(notice, DPV.hasOrganisationalMeasure, iri)
        for pid in s.processes:
            t.add(iri, PKO.concernsProcess, t.ns["process/" + pid])
            written.statement_processes.append((pid, s.line))
        t.derive(iri, [t.span(x, file=f, line=s.line) for x in s.spans])


def write_spans(t: Target, sections: list[SectionRef]) -> None:
    """One span resource per checked span: the text it points into, its selector, and the section holding it."""
    text_iri = t.ns["source/policy-text"]
    ordered = sorted(sections, key=lambda s: (s.start, s.depth))
    for (start, end), span in sorted(t.resolver.spans.items()):
        iri = t.ns[f"span/{span.slug}"]
        selector = t.ns[f"span/{span.slug}/selector"]
        t.add(iri, RDF.type, OA.SpecificResource)
        t.add(iri, RDF.type, PROV.Entity)
        t.add(iri, RDFS.label, t.text(f"{t.version.label}, characters {start}-{end}"))
        t.add(iri, OA.hasSource, text_iri)
        t.add(iri, OA.hasSelector, selector)
        t.add(selector, RDF.type, OA.TextPositionSelector)
        t.add(selector, OA.start, Literal(start, datatype=XSD.nonNegativeInteger))
        t.add(selector, OA.end, Literal(end, datatype=XSD.nonNegativeInteger))
        containing = [s for s in ordered if s.start <= start]
        if containing:
            section = max(containing, key=lambda s: (s.start, s.depth))
            t.add(iri, PKO.inSection, section.iri)
            t.add(iri, OA.hasScope, URIRef(section.link))
