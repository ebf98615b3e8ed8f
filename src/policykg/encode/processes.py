"""Build stage, process level: one dpv:Process per row of the legal-basis section, with its basis, audience,
purposes, processing, recipients, legitimate interests, exclusions and every listed information item."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef

from policykg.encode.law import ProcessFacts, carries
from policykg.encode.notice import Written
from policykg.encode.target import Target
from policykg.errors import SourceError
from policykg.namespaces import DCTERMS, DPV, PKO, RDF, RDFS, SKOS
from policykg.sources.schema_versions import Process
from policykg.text.markdown import plain_text

#: Short names of the Art. 6(1) bases, for labels that tell apart rows sharing a title.
BASIS_NAMES = {
    "A6-1-a": "consent", "A6-1-b": "contract", "A6-1-c": "legal obligation",
    "A6-1-d": "vital interests", "A6-1-e": "public interest", "A6-1-f": "legitimate interests",
}


CONTRACT_BASIS = URIRef("https://w3id.org/dpv/legal/eu/gdpr#A6-1-b")
MODALITIES = {"possible": PKO.PossibleUse, "stated": PKO.StatedUse}


def kebab(local_name: str) -> str:
    """`InformationWithSpecialProtections` -> `information-with-special-protections`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", local_name).lower()


def process_label(title: str, duplicated: bool, bases: list[URIRef], audience_label: str) -> str:
    """The row's own title, plus its basis and audience where another row of the version has the same title."""
    if not duplicated or not bases:
        return title
    basis = next(BASIS_NAMES[b.split("#")[-1]] for b in bases if b.split("#")[-1] in BASIS_NAMES)
    return f"{title} ({basis}; {audience_label[0].lower() + audience_label[1:]})"


def write_processes(t: Target, processes: list[Process], written: Written) -> None:
    """Write every row of one version."""
    f = t.processes_path
    titles = [p.title for p in processes]
    seen: set[str] = set()
    for proc in processes:
        if proc.id in seen:
            raise SourceError(f"duplicate process id {proc.id!r}", path=f, line=proc.line)
        seen.add(proc.id)
        _process(t, proc, written, titles.count(proc.title) > 1)
    if written.transfer_process not in seen:
        raise SourceError(f"unknown process {written.transfer_process!r} for transfers", path=t.notice_path)
    for pid, line in written.statement_processes:
        if pid not in seen:
            raise SourceError(f"unknown process {pid!r} in a statement", path=t.notice_path, line=line)


def _title_span(t: Target, proc: Process) -> URIRef:
    """The span of the row's own title, checked word for word (links reduced to their text) against the text."""
    start, end = proc.title_span
    if t.resolver.text is None:
        return t.span([start, end, proc.title[:40]], file=t.processes_path, line=proc.line)
    found = plain_text(t.resolver.text.text[start:end])
    if found != proc.title:
        raise SourceError(f"title {proc.title!r} does not match the text at title_span {[start, end]}: {found!r}",
                          path=t.processes_path, line=proc.line)
    head = t.resolver.text.text[start:min(end, start + 40)]
    return t.span([start, end, head], file=t.processes_path, line=proc.line)


def _process(t: Target, proc: Process, written: Written, duplicated: bool) -> None:
    f, line, r = t.processes_path, proc.line, t.resolver
    iri = t.ns["process/" + proc.id]
    bases = [r.term(b, file=f, line=line, kind="legal basis") for b in proc.bases]
    audience = r.term(proc.audience, file=f, line=line, kind="data subject") if proc.audience else None
    audience_label = str(r.ontology.value(audience, RDFS.label) or audience.split("#")[-1]) if audience else ""
    title_span = _title_span(t, proc)
    row_span = t.span(proc.row_span, file=f, line=line)

    t.add(written.notice, DPV.hasProcess, iri)
    t.add(iri, RDF.type, DPV.Process)
    t.add(iri, RDFS.label, t.text(process_label(proc.title, duplicated, bases, audience_label)))
    t.add(iri, DCTERMS.title, t.text(proc.title))
    t.add(iri, DCTERMS.description, t.text(proc.description))
    t.add(iri, DCTERMS.identifier, Literal(proc.id))
    t.add(iri, DPV.hasDataController, written.controller)
    if proc.note:
        t.add(iri, SKOS.note, t.text(proc.note))
    for b in bases:
        t.add(iri, DPV.hasLegalBasis, b)
    if CONTRACT_BASIS in bases:
        for contract in written.contracts:
            t.add(iri, PKO.necessaryForContract, contract)
    if audience is not None:
        t.add(iri, DPV.hasDataSubject, audience)
    if not proc.basis_stated:  # the notice states no basis, audience or interest for the row (decision 37)
        for flag in (PKO.statesLegalBasis, PKO.statesAudience, PKO.statesLegitimateInterest):
            t.add(iri, flag, Literal(False))
    if proc.audience_span is not None:
        t.add(iri, PKO.audienceStatedIn, t.span(proc.audience_span, file=f, line=line))
    for p in proc.purposes:
        purpose = r.term(p, file=f, line=line, kind="purpose")
        t.add(iri, DPV.hasPurpose, purpose)
        t.derive(purpose, [title_span, row_span])
    processing = [r.term(p, file=f, line=line, kind="processing") for p in proc.processing]
    for p in processing:
        t.add(iri, DPV.hasProcessing, p)
    if PKO.ManualReview in processing:
        t.add(iri, DPV.hasHumanInvolvement, DPV.HumanInvolved)
    for rid in proc.recipients:
        if rid not in written.recipients:
            raise SourceError(f"unknown recipient {rid!r} (recipients are listed in notice.yaml)", path=f, line=line)
        t.add(iri, DPV.hasRecipient, written.recipients[rid])
    facts = _facts(t, proc, processing)
    for offer in written.rights:
        offered_for = [str(b) for b in bases if b in offer.bases]
        for right in offer.rights:
            if carries(str(right), offered_for, True, facts):
                t.add(iri, DPV.hasRight, right)
    t.derive(iri, [row_span])
    _exclusions_and_derived(t, iri, proc)
    for entry in proc.interests:
        interest = r.term(entry.interest, file=f, line=entry.line, kind="legitimate interest")
        t.add(iri, PKO.hasLegitimateInterest, interest)
        t.derive(interest, [t.span(entry.span, file=f, line=entry.line)])
    modality = MODALITIES[proc.modality] if proc.modality else written.modality
    _data_uses(t, iri, proc, modality)


#: Purposes that are direct marketing (Art. 21(2)), and, in the UK, targeted advertising the ICO counts as such.
DIRECT_MARKETING = frozenset({DPV.DirectMarketing})
TARGETED_ADVERTISING = frozenset({DPV.PersonalisedAdvertising, DPV.TargetedAdvertising})


def _reaches(ontology: Graph, term: URIRef, targets: frozenset[URIRef]) -> bool:
    """True when a term is one of targets or under one (skos:broader*, as far as the ontology states it)."""
    seen: set[URIRef] = set()
    stack = [term]
    while stack:
        current = stack.pop()
        if current in targets:
            return True
        if current not in seen:
            seen.add(current)
            stack += [b for b in ontology.objects(current, SKOS.broader) if isinstance(b, URIRef)]
    return False


def _facts(t: Target, proc: Process, processing: list[URIRef]) -> ProcessFacts:
    """What the rights exceptions of policykg.encode.law depend on, from the row: its purposes (those it excludes
    outright left out), the categories of what it lists, and its processing."""
    r, f = t.resolver, t.processes_path
    excluded = {x.purpose for x in proc.excludes if not x.data}
    marketing = DIRECT_MARKETING | (TARGETED_ADVERTISING if t.version.jurisdiction == "uk" else frozenset())
    purposes = [r.term(p, file=f, line=proc.line, kind="purpose") for p in proc.purposes if p not in excluded]
    return ProcessFacts(
        direct_marketing=any(_reaches(r.ontology, p, marketing) for p in purposes),
        provided_data=any(entry.under != "pko:InformationFromPartnersVendorsAndThirdParties" for entry in proc.data),
        automated_decisions=any(_reaches(r.ontology, p, frozenset({DPV.AutomatedDecisionMaking})) for p in processing))


def _exclusions_and_derived(t: Target, process: URIRef, proc: Process) -> None:
    f, r = t.processes_path, t.resolver
    for k, x in enumerate(proc.excludes, 1):
        node = URIRef(f"{process}/exclusion/{k}")
        purpose = r.term(x.purpose, file=f, line=x.line, kind="purpose")
        t.add(process, PKO.hasExclusion, node)
        t.add(node, RDF.type, PKO.Exclusion)
        t.add(node, PKO.excludedPurpose, purpose)
        data = [r.term(d, file=f, line=x.line, kind="personal data") for d in x.data]
        for item in data:
            t.add(node, PKO.excludedPersonalData, item)
        what = f"{r.ontology.value(purpose, RDFS.label) or x.purpose}"
        with_ = " with " + ", ".join(str(r.ontology.value(d, RDFS.label) or d) for d in data) if data else ""
        t.add(node, RDFS.label, t.text(f"Not for {what[0].lower() + what[1:]}{with_} ({proc.title})"))
        t.derive(node, [t.span(x.span, file=f, line=x.line)])
    for d in proc.derived:
        span = t.span(d.span, file=f, line=d.line)
        for curie in d.items:
            item = r.personal_data_item(curie, file=f, line=d.line)
            node = URIRef(f"{process}/derived/{kebab(curie.split(':', 1)[1])}")
            t.add(process, DPV.hasPersonalData, item)
            t.add(process, PKO.hasDerivedPersonalData, node)
            t.add(node, RDF.type, PKO.DerivedPersonalData)
            t.add(node, PKO.personalData, item)
            t.add(node, PKO.useModality, MODALITIES[d.modality])
            t.add(node, RDFS.label, t.text(f"{r.ontology.value(item, RDFS.label)} derived in {proc.title}"))
            t.derive(node, [span])
            t.derive(item, [span])


def _data_uses(t: Target, process: URIRef, proc: Process, modality: URIRef) -> None:
    f, r = t.processes_path, t.resolver
    for entry in proc.data:
        under = r.category(entry.under, file=f, line=entry.line)
        span_iri = t.span(entry.span, file=f, line=entry.line)
        for curie in entry.items:
            item = r.personal_data_item(curie, file=f, line=entry.line)
            qualified = URIRef(f"{process}/data/{kebab(curie.split(':', 1)[1])}")
            t.add(process, DPV.hasPersonalData, item)
            t.add(process, PKO.hasQualifiedPersonalData, qualified)
            t.add(qualified, RDF.type, PKO.QualifiedPersonalData)
            t.add(qualified, RDFS.label, t.text(f"{r.ontology.value(item, RDFS.label)} in {proc.title}"))
            t.add(qualified, PKO.personalData, item)
            t.add(qualified, PKO.listedUnder, under)
            t.add(qualified, PKO.useModality, modality)
            if entry.qualifier:
                t.add(qualified, PKO.qualifier, t.text(entry.qualifier))
            t.derive(qualified, [span_iri])
            t.derive(item, [span_iri])
            if under == PKO.InformationFromPartnersVendorsAndThirdParties:
                t.add(process, DPV.hasDataSource, DPV.ThirdPartyDataSource)
