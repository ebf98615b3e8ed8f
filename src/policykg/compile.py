"""Build stage: turn the curated sources into the data graph (rdflib), checking every term and span."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from .errors import SourceError
from .namespaces import (
    DATA,
    DPV,
    DPV_FAMILIES,
    EU_GDPR,
    LEGAL_GB,
    OA,
    PD,
    PKO,
    SPDX,
    TECH,
    bind_prefixes,
)
from .sources import PolicyText, Sources, Span, check_span, parse_span, plain_text

CURIE_PREFIXES = {"pko": PKO, "dpv": DPV, "pd": PD, "eu-gdpr": EU_GDPR, "legal-gb": LEGAL_GB, "tech": TECH}
ALL_BASES = tuple(EU_GDPR[f"A6-1-{x}"] for x in "abcdef")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EN = "en"


def kebab(local_name: str) -> str:
    """`InformationWithSpecialProtections` -> `information-with-special-protections`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", local_name).lower()


@dataclass
class Context:
    """What every compile step needs: where we are in which file, and how to check terms and spans."""

    sources: Sources
    text: PolicyText | None
    dpv_terms: frozenset[str] | None
    graph: Graph = field(default_factory=Graph)
    spans: dict[tuple[int, int], Span] = field(default_factory=dict)
    local_terms: frozenset[str] = frozenset()

    def term(self, curie: Any, *, file, line: int, kind: str = "term") -> URIRef:
        """Resolve a CURIE such as `dpv:Collect` and check that the term exists."""
        if not isinstance(curie, str) or ":" not in curie:
            raise SourceError(f"expected a {kind} as prefix:Name, got {curie!r}", path=file, line=line)
        prefix, local = curie.split(":", 1)
        if prefix not in CURIE_PREFIXES:
            raise SourceError(f"unknown prefix {prefix!r} in {curie!r} (known: {', '.join(CURIE_PREFIXES)})", path=file, line=line)
        iri = CURIE_PREFIXES[prefix][local]
        if prefix == "pko":
            if str(iri) not in self.local_terms:
                raise SourceError(f"unknown {kind} {curie}: not defined in {self.sources.ontology_path.name}", path=file, line=line)
        elif self.dpv_terms is not None and str(iri) not in self.dpv_terms:
            raise SourceError(f"unknown {kind} {curie}: not in DPV 2.3", path=file, line=line)
        return iri

    def span(self, value: Any, *, file, line: int) -> URIRef:
        """Parse and check a span, record it, and return its IRI."""
        span = parse_span(value, file=file, line=line)
        if self.text is not None:
            check_span(span, self.text)
        self.spans.setdefault((span.start, span.end), span)
        return DATA[f"span/{span.slug}"]

    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        """Add one triple."""
        self.graph.add((s, p, o))


def _require(mapping: dict[str, Any], key: str, file) -> Any:
    if key not in mapping or mapping[key] in (None, "", []):
        raise SourceError(f"missing {key!r}", path=file, line=mapping.get("__line__"))
    return mapping[key]


def _slug(value: Any, file, line: int) -> str:
    if not isinstance(value, str) or not SLUG.match(value):
        raise SourceError(f"id must be a lowercase slug like 'legal-obligation', got {value!r}", path=file, line=line)
    return value


def _derive(ctx: Context, subject: URIRef, spans: Iterable[URIRef]) -> None:
    for span_iri in spans:
        ctx.add(subject, PROV.wasDerivedFrom, span_iri)


def _local_terms(ontology: Graph) -> frozenset[str]:
    return frozenset(str(s) for s in ontology.subjects(RDFS.label, None) if isinstance(s, URIRef) and str(s).startswith(str(PKO)))


def compile_data(sources: Sources, text: PolicyText | None, dpv_terms: frozenset[str] | None) -> Graph:
    """Compile notice.yaml and processes.yaml into the data graph; raise SourceError on any defect."""
    ctx = Context(sources=sources, text=text, dpv_terms=dpv_terms, local_terms=_local_terms(sources.ontology))
    bind_prefixes(ctx.graph)
    notice = _compile_notice(ctx)
    sections = _compile_sections(ctx, notice)
    recipients = _compile_recipients(ctx, notice)
    rights = _compile_rights(ctx, notice)
    _compile_processes(ctx, notice, recipients, rights)
    _compile_statements(ctx, notice, recipients)
    _compile_term_sources(ctx)
    _compile_spans(ctx, sections)
    _check_dpv_iris(ctx)
    return ctx.graph


def _compile_notice(ctx: Context) -> URIRef:
    n, f = ctx.sources.notice, ctx.sources.notice_path
    source = _require(n, "source", f)
    if not (isinstance(source.get("sha256"), str) and re.fullmatch(r"[0-9a-f]{64}", source["sha256"])):
        raise SourceError(f"source sha256 must be a quoted 64-character lowercase hex string, got {source.get('sha256')!r}",
                          path=f, line=source["__line__"])
    if ctx.text is not None and ctx.text.sha256 != source.get("sha256"):
        raise SourceError(
            f"the policy text {ctx.text.path} has sha256 {ctx.text.sha256}, but the sources were written against {source.get('sha256')}",
            path=f, line=source["__line__"],
        )
    text_iri = DATA["source/policy-text"]
    checksum = DATA["source/policy-text/sha256"]
    ctx.add(text_iri, RDF.type, FOAF.Document)
    ctx.add(text_iri, RDFS.label, Literal("Meta Privacy Policy (UK), text as captured from the Privacy Center", lang=EN))
    ctx.add(text_iri, DCTERMS.identifier, Literal(_require(source, "file", f)))
    ctx.add(text_iri, DCTERMS.source, URIRef(_require(source, "captured_from", f)))
    ctx.add(text_iri, DCTERMS.format, Literal("text/markdown"))
    ctx.add(text_iri, SPDX.checksum, checksum)
    ctx.add(checksum, RDF.type, SPDX.Checksum)
    ctx.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
    ctx.add(checksum, SPDX.checksumValue, Literal(_require(source, "sha256", f), datatype=XSD.hexBinary))

    meta = _require(n, "notice", f)
    line = meta["__line__"]
    iri = DATA["notice"]
    ctx.add(iri, RDF.type, DPV.PrivacyNotice)
    ctx.add(iri, RDFS.label, Literal(_require(meta, "label", f), lang=EN))
    ctx.add(iri, DCTERMS.description, Literal(_require(meta, "description", f), lang=EN))
    ctx.add(iri, FOAF.page, URIRef(_require(meta, "url", f)))
    ctx.add(iri, RDFS.seeAlso, URIRef(_require(meta, "printable_url", f)))
    ctx.add(iri, DCTERMS.valid, Literal(str(_require(meta, "effective", f)), datatype=XSD.date))
    ctx.add(iri, DCTERMS.source, text_iri)
    ctx.add(iri, DPV.hasApplicableLaw, ctx.term(_require(meta, "applicable_law", f), file=f, line=line))
    ctx.add(iri, DPV.hasAuthority, ctx.term(_require(meta, "authority", f), file=f, line=line))
    ctx.add(iri, DPV.hasJurisdiction, ctx.term(_require(meta, "jurisdiction", f), file=f, line=line))
    _derive(ctx, iri, [ctx.span(_require(meta, "span", f), file=f, line=line)])
    if "no_sale" in meta:
        ctx.add(iri, PKO.statesNoSaleOfPersonalData, Literal(True))
        _derive(ctx, iri, [ctx.span(meta["no_sale"], file=f, line=line)])

    c = _require(n, "controller", f)
    controller = DATA["controller/" + _slug(_require(c, "id", f), f, c["__line__"])]
    ctx.add(iri, DPV.hasDataController, controller)
    ctx.add(controller, RDF.type, DPV.DataController)
    ctx.add(controller, RDFS.label, Literal(_require(c, "name", f), lang=EN))
    ctx.add(controller, DPV.hasName, Literal(c["name"]))
    ctx.add(controller, DPV.hasAddress, Literal(_require(c, "address", f)))
    ctx.add(controller, DPV.hasContact, URIRef(_require(c, "contact", f)))
    _derive(ctx, controller, [ctx.span(_require(c, "span", f), file=f, line=c["__line__"]),
                              ctx.span(_require(c, "address_span", f), file=f, line=c["__line__"])])

    d = _require(n, "dpo", f)
    dpo = DATA["dpo/" + _slug(_require(d, "id", f), f, d["__line__"])]
    ctx.add(controller, DPV.hasDataProtectionOfficer, dpo)
    ctx.add(dpo, RDF.type, DPV.DataProtectionOfficer)
    ctx.add(dpo, RDFS.label, Literal(_require(d, "label", f), lang=EN))
    ctx.add(dpo, DPV.hasContact, URIRef(_require(d, "contact", f)))
    _derive(ctx, dpo, [ctx.span(_require(d, "span", f), file=f, line=d["__line__"])])
    return iri


@dataclass(frozen=True)
class Section:
    """A notice section: its IRI, link and span, to place other spans in it."""

    iri: URIRef
    link: str
    start: int
    depth: int


def _compile_sections(ctx: Context, notice: URIRef) -> list[Section]:
    f = ctx.sources.notice_path
    url = str(ctx.sources.notice["notice"]["url"])
    out: list[Section] = []
    seen: dict[str, URIRef] = {}
    for s in _require(ctx.sources.notice, "sections", f):
        line = s["__line__"]
        slug = _slug(_require(s, "id", f), f, line)
        iri = DATA["section/" + slug]
        if slug in seen:
            raise SourceError(f"duplicate section id {slug!r}", path=f, line=line)
        seen[slug] = iri
        parent = s.get("parent")
        if parent is not None and parent not in seen:
            raise SourceError(f"unknown parent section {parent!r} (a parent must come first)", path=f, line=line)
        link = s.get("link") or (next(x.link for x in out if x.iri == seen[parent]) if parent else url)
        span_iri = ctx.span(_require(s, "span", f), file=f, line=line)
        ctx.add(iri, RDF.type, PKO.NoticeSection)
        ctx.add(iri, RDFS.label, Literal(_require(s, "title", f), lang=EN))
        ctx.add(iri, FOAF.page, URIRef(link))
        ctx.add(iri, DCTERMS.isPartOf, seen[parent] if parent else notice)
        ctx.add(seen[parent] if parent else notice, DCTERMS.hasPart, iri)
        if "basis" in s:
            ctx.add(iri, DPV.hasLegalBasis, ctx.term(s["basis"], file=f, line=line, kind="legal basis"))
        _derive(ctx, iri, [span_iri])
        start = int(s["span"][0])
        out.append(Section(iri, link, start, 1 if parent else 0))
    return out


def _compile_recipients(ctx: Context, notice: URIRef) -> dict[str, URIRef]:
    f = ctx.sources.notice_path
    out: dict[str, URIRef] = {}
    for r in _require(ctx.sources.notice, "recipients", f):
        line = r["__line__"]
        slug = _slug(_require(r, "id", f), f, line)
        if slug in out:
            raise SourceError(f"duplicate recipient id {slug!r}", path=f, line=line)
        iri = out[slug] = DATA["recipient/" + slug]
        for t in _require(r, "types", f):
            ctx.add(iri, RDF.type, ctx.term(t, file=f, line=line, kind="recipient type"))
        ctx.add(iri, RDFS.label, Literal(_require(r, "label", f), lang=EN))
        ctx.add(iri, DCTERMS.description, Literal(_require(r, "description", f), lang=EN))
        if "link" in r:
            ctx.add(iri, FOAF.page, URIRef(r["link"]))
        if "part_of" in r:
            if r["part_of"] not in out:
                raise SourceError(f"unknown recipient group {r['part_of']!r} (a group must come first)", path=f, line=line)
            ctx.add(iri, DCTERMS.isPartOf, out[r["part_of"]])
            ctx.add(out[r["part_of"]], DCTERMS.hasPart, iri)
        spans = [_require(r, "span", f), *r.get("extra_spans", [])]
        _derive(ctx, iri, [ctx.span(s, file=f, line=line) for s in spans])
        purposes = r.get("shared_for", [])
        purpose_spans = r.get("shared_for_spans", [])
        for p in purposes:
            ctx.add(iri, PKO.sharedForPurpose, ctx.term(p, file=f, line=line, kind="purpose"))
        _derive(ctx, iri, [ctx.span(s, file=f, line=line) for s in purpose_spans])
        ctx.add(notice, DPV.hasRecipient, iri)
    return out


@dataclass(frozen=True)
class RightOffer:
    """A right the notice offers, and the bases it attaches it to."""

    iri: URIRef
    rights: tuple[URIRef, ...]
    bases: tuple[URIRef, ...]


def _compile_rights(ctx: Context, notice: URIRef) -> list[RightOffer]:
    f = ctx.sources.notice_path
    out: list[RightOffer] = []
    for r in _require(ctx.sources.notice, "rights", f):
        line = r["__line__"]
        iri = DATA["right/" + _slug(_require(r, "id", f), f, line)]
        ctx.add(iri, RDF.type, DPV.RightExerciseNotice)
        ctx.add(iri, RDFS.label, Literal(_require(r, "label", f), lang=EN))
        ctx.add(iri, DCTERMS.description, Literal(_require(r, "description", f), lang=EN))
        rights = tuple(ctx.term(x, file=f, line=line, kind="right") for x in _require(r, "rights", f))
        applies = _require(r, "applies_to", f)
        if applies == "all":
            bases = ALL_BASES
        elif isinstance(applies, list):
            bases = tuple(ctx.term(x, file=f, line=line, kind="legal basis") for x in applies)
        else:
            raise SourceError(f"applies_to must be 'all' or a list of legal bases, got {applies!r}", path=f, line=line)
        for right in rights:
            ctx.add(iri, DPV.hasRight, right)
            ctx.add(notice, DPV.hasRight, right)
        for basis in bases:
            ctx.add(iri, PKO.appliesToLegalBasis, basis)
        if "authority" in r:
            ctx.add(iri, DPV.hasAuthority, ctx.term(r["authority"], file=f, line=line, kind="authority"))
        if "link" in r:
            ctx.add(iri, FOAF.page, URIRef(r["link"]))
        _derive(ctx, iri, [ctx.span(s, file=f, line=line) for s in _require(r, "spans", f)])
        ctx.add(notice, DCTERMS.hasPart, iri)
        out.append(RightOffer(iri, rights, bases))
    return out


BASIS_NAMES = {
    "A6-1-a": "consent", "A6-1-b": "contract", "A6-1-c": "legal obligation",
    "A6-1-d": "vital interests", "A6-1-e": "public interest", "A6-1-f": "legitimate interests",
}


def _process_label(title: str, duplicates: set[str], bases: list[URIRef], audience_label: str) -> str:
    """The row's own title, plus its basis and audience where another row has the same title."""
    if title not in duplicates:
        return title
    basis = next(BASIS_NAMES[b.split("#")[-1]] for b in bases if b.split("#")[-1] in BASIS_NAMES)
    return f"{title} ({basis}; {audience_label[0].lower() + audience_label[1:]})"


def _title_span(ctx: Context, proc: dict[str, Any], title: str, f, line: int) -> URIRef:
    """The span of the row's own title, checked word for word (links reduced to their text) against the policy."""
    ts = _require(proc, "title_span", f)
    if not (isinstance(ts, list) and len(ts) == 2 and all(isinstance(x, int) for x in ts)):
        raise SourceError(f"title_span must be [start, end], got {ts!r}", path=f, line=line)
    if ctx.text is None:
        return ctx.span([ts[0], ts[1], title[:40]], file=f, line=line)
    found = plain_text(ctx.text.text[ts[0]:ts[1]])
    if found != title:
        raise SourceError(f"title {title!r} does not match the text at title_span {ts}: {found!r}", path=f, line=line)
    return ctx.span([ts[0], ts[1], ctx.text.text[ts[0]:min(ts[1], ts[0] + 40)]], file=f, line=line)


def _compile_processes(ctx: Context, notice: URIRef, recipients: dict[str, URIRef], rights: list[RightOffer]) -> None:
    f = ctx.sources.processes_path
    procs = ctx.sources.processes
    titles = [p.get("title") for p in procs if isinstance(p, dict)]
    duplicates = {t for t in titles if isinstance(t, str) and titles.count(t) > 1}
    seen: set[str] = set()
    controller = next(ctx.graph.objects(notice, DPV.hasDataController))
    ontology = ctx.sources.ontology
    for proc in procs:
        if not isinstance(proc, dict):
            raise SourceError(f"each process must be a mapping, got {proc!r}", path=f)
        line = proc["__line__"]
        slug = _slug(_require(proc, "id", f), f, line)
        if slug in seen:
            raise SourceError(f"duplicate process id {slug!r}", path=f, line=line)
        seen.add(slug)
        iri = DATA["process/" + slug]
        title = _require(proc, "title", f)
        bases = [ctx.term(b, file=f, line=line, kind="legal basis") for b in _require(proc, "basis", f)]
        audience = ctx.term(_require(proc, "audience", f), file=f, line=line, kind="data subject")
        audience_label = str(ontology.value(audience, RDFS.label) or audience.split("#")[-1])
        title_span = _title_span(ctx, proc, title, f, line)
        row_span = ctx.span(_require(proc, "row_span", f), file=f, line=line)

        ctx.add(notice, DPV.hasProcess, iri)
        ctx.add(iri, RDF.type, DPV.Process)
        ctx.add(iri, RDFS.label, Literal(_process_label(title, duplicates, bases, audience_label), lang=EN))
        ctx.add(iri, DCTERMS.title, Literal(title, lang=EN))
        ctx.add(iri, DCTERMS.description, Literal(_require(proc, "description", f), lang=EN))
        ctx.add(iri, DPV.hasDataController, controller)
        if "note" in proc:
            ctx.add(iri, SKOS.note, Literal(proc["note"], lang=EN))
        for b in bases:
            ctx.add(iri, DPV.hasLegalBasis, b)
        ctx.add(iri, DPV.hasDataSubject, audience)
        purposes = [ctx.term(p, file=f, line=line, kind="purpose") for p in _require(proc, "purposes", f)]
        for p in purposes:
            ctx.add(iri, DPV.hasPurpose, p)
            _derive(ctx, p, [title_span, row_span])
        processing = [ctx.term(p, file=f, line=line, kind="processing") for p in _require(proc, "processing", f)]
        for p in processing:
            ctx.add(iri, DPV.hasProcessing, p)
        if PKO.ManualReview in processing:
            ctx.add(iri, DPV.hasHumanInvolvement, DPV.HumanInvolved)
        for r in proc.get("recipients", []):
            if r not in recipients:
                raise SourceError(f"unknown recipient {r!r} (recipients are listed in notice.yaml)", path=f, line=line)
            ctx.add(iri, DPV.hasRecipient, recipients[r])
        for offer in rights:
            if any(b in offer.bases for b in bases):
                for right in offer.rights:
                    ctx.add(iri, DPV.hasRight, right)
        _derive(ctx, iri, [row_span])
        _compile_interests(ctx, iri, proc, f)
        _compile_data_uses(ctx, iri, proc, f)


def _compile_interests(ctx: Context, process: URIRef, proc: dict[str, Any], f) -> None:
    for entry in proc.get("interests", []):
        line = entry["__line__"]
        interest = ctx.term(_require(entry, "interest", f), file=f, line=line, kind="legitimate interest")
        ctx.add(process, PKO.hasLegitimateInterest, interest)
        _derive(ctx, interest, [ctx.span(_require(entry, "span", f), file=f, line=line)])


def _compile_data_uses(ctx: Context, process: URIRef, proc: dict[str, Any], f) -> None:
    ontology = ctx.sources.ontology
    process_title = proc["title"]
    categories = {c for c in ontology.subjects(SKOS.topConceptOf, PKO.InformationScheme)}
    for entry in _require(proc, "data", f):
        line = entry["__line__"]
        under = ctx.term(_require(entry, "under", f), file=f, line=line, kind="information category")
        if under not in categories:
            raise SourceError(f"{entry['under']} is not one of the policy's information categories", path=f, line=line)
        span_iri = ctx.span(_require(entry, "span", f), file=f, line=line)
        for curie in _require(entry, "items", f):
            item = ctx.term(curie, file=f, line=line, kind="information item")
            if (item, RDF.type, DPV.PersonalData) not in ontology:
                raise SourceError(f"{curie} is not an information item (dpv:PersonalData) in the ontology", path=f, line=line)
            qualified = URIRef(f"{process}/data/{kebab(curie.split(':', 1)[1])}")
            ctx.add(process, DPV.hasPersonalData, item)
            ctx.add(process, PKO.hasQualifiedPersonalData, qualified)
            ctx.add(qualified, RDF.type, PKO.QualifiedPersonalData)
            item_label = ontology.value(item, RDFS.label)
            ctx.add(qualified, RDFS.label, Literal(f"{item_label} in {process_title}", lang=EN))
            ctx.add(qualified, PKO.personalData, item)
            ctx.add(qualified, PKO.listedUnder, under)
            if "qualifier" in entry:
                ctx.add(qualified, PKO.qualifier, Literal(entry["qualifier"], lang=EN))
            ctx.add(qualified, PROV.wasDerivedFrom, span_iri)
            ctx.add(item, PROV.wasDerivedFrom, span_iri)
            if under == PKO.InformationFromPartnersVendorsAndThirdParties:
                ctx.add(process, DPV.hasDataSource, DPV.ThirdPartyDataSource)


def _compile_statements(ctx: Context, notice: URIRef, recipients: dict[str, URIRef]) -> None:
    n, f = ctx.sources.notice, ctx.sources.notice_path

    ret = _require(n, "retention", f)
    line = ret["__line__"]
    retention = DATA["retention"]
    ctx.add(notice, DPV.hasStorageCondition, retention)
    ctx.add(retention, RDF.type, DPV.StorageDuration)
    ctx.add(retention, RDFS.label, Literal(_require(ret, "label", f), lang=EN))
    ctx.add(retention, DCTERMS.description, Literal(_require(ret, "description", f), lang=EN))
    ctx.add(retention, DPV.hasDuration, DPV.IndeterminateDuration)
    ctx.add(retention, PKO.statesFixedRetentionPeriod, Literal(bool(ret.get("fixed_period_stated", False))))
    _derive(ctx, retention, [ctx.span(_require(ret, "span", f), file=f, line=line)])
    for c in _require(ret, "criteria", f):
        criterion = DATA["retention/criterion/" + _slug(_require(c, "id", f), f, c["__line__"])]
        ctx.add(retention, PKO.hasRetentionCriterion, criterion)
        ctx.add(criterion, RDF.type, PKO.RetentionCriterion)
        ctx.add(criterion, RDFS.label, Literal(_require(c, "label", f), lang=EN))
        ctx.add(criterion, DCTERMS.description, Literal(_require(c, "description", f), lang=EN))
        _derive(ctx, criterion, [ctx.span(_require(c, "span", f), file=f, line=c["__line__"])])

    tr = _require(n, "transfers", f)
    line = tr["__line__"]
    transfers = DATA["section/transfers"]
    ctx.add(transfers, DCTERMS.description, Literal(_require(tr, "description", f), lang=EN))
    ctx.add(transfers, PKO.statesDestinations, Literal(bool(tr.get("destinations_stated", False))))
    _derive(ctx, transfers, [ctx.span(_require(tr, "span", f), file=f, line=line)])
    sg = _require(tr, "safeguard", f)
    safeguard = DATA[_slug(_require(sg, "id", f), f, sg["__line__"])]
    ctx.add(safeguard, RDF.type, DPV.SafeguardForDataTransfer)
    ctx.add(safeguard, RDFS.label, Literal(_require(sg, "label", f), lang=EN))
    ctx.add(safeguard, DCTERMS.description, Literal(_require(sg, "description", f), lang=EN))
    ctx.add(safeguard, FOAF.page, URIRef(_require(sg, "link", f)))
    ctx.add(safeguard, PKO.statesTransferMechanism, Literal(bool(sg.get("mechanism_stated", False))))
    _derive(ctx, safeguard, [ctx.span(_require(sg, "span", f), file=f, line=sg["__line__"])])
    ctx.add(transfers, DPV.hasTechnicalOrganisationalMeasure, safeguard)
    transfer_process = DATA["process/" + _require(tr, "process", f)]
    if (notice, DPV.hasProcess, transfer_process) not in ctx.graph:
        raise SourceError(f"unknown process {tr['process']!r} for transfers", path=f, line=line)
    ctx.add(transfer_process, DPV.hasTechnicalOrganisationalMeasure, safeguard)

    lr = _require(n, "legal_requests", f)
    section = DATA["section/" + _require(lr, "section", f)]
    ctx.add(section, DCTERMS.description, Literal(_require(lr, "description", f), lang=EN))
    for r in _require(lr, "recipients", f):
        if r not in recipients:
            raise SourceError(f"unknown recipient {r!r}", path=f, line=lr["__line__"])
        ctx.add(section, DPV.hasRecipient, recipients[r])
    _derive(ctx, section, [ctx.span(s, file=f, line=lr["__line__"]) for s in _require(lr, "spans", f)])

    pc = _require(n, "policy_changes", f)
    section = DATA["section/" + _require(pc, "section", f)]
    ctx.add(section, DCTERMS.description, Literal(_require(pc, "description", f), lang=EN))
    ctx.add(section, PKO.notifiesBeforeMaterialChanges, Literal(bool(_require(pc, "notifies_before_material_changes", f))))
    _derive(ctx, section, [ctx.span(_require(pc, "span", f), file=f, line=pc["__line__"])])

    for p in _require(n, "data_provision", f):
        line = p["__line__"]
        iri = DATA["provision/" + _slug(_require(p, "id", f), f, line)]
        ctx.add(notice, PKO.hasProvisionRequirement, iri)
        ctx.add(iri, RDF.type, PKO.ProvisionRequirement)
        ctx.add(iri, RDFS.label, Literal(_require(p, "label", f), lang=EN))
        ctx.add(iri, DCTERMS.description, Literal(_require(p, "description", f), lang=EN))
        ctx.add(iri, DPV.hasNecessity, ctx.term(_require(p, "necessity", f), file=f, line=line, kind="necessity"))
        ctx.add(iri, PKO.consequenceOfNotProviding, Literal(_require(p, "consequence", f), lang=EN))
        _derive(ctx, iri, [ctx.span(_require(p, "span", f), file=f, line=line)])


def _compile_term_sources(ctx: Context) -> None:
    f = ctx.sources.notice_path
    table = _require(ctx.sources.notice, "term_sources", f)
    line = table["__line__"]
    for curie, spans in table.items():
        if curie == "__line__":
            continue
        term = ctx.term(curie, file=f, line=line)
        _derive(ctx, term, [ctx.span(s, file=f, line=line) for s in spans])


def _compile_spans(ctx: Context, sections: list[Section]) -> None:
    text_iri = DATA["source/policy-text"]
    ordered = sorted(sections, key=lambda s: (s.start, s.depth))
    for (start, end), span in sorted(ctx.spans.items()):
        iri = DATA[f"span/{span.slug}"]
        selector = DATA[f"span/{span.slug}/selector"]
        ctx.add(iri, RDF.type, OA.SpecificResource)
        ctx.add(iri, RDF.type, PROV.Entity)
        ctx.add(iri, RDFS.label, Literal(f"Policy text, characters {start}-{end}", lang=EN))
        ctx.add(iri, OA.hasSource, text_iri)
        ctx.add(iri, OA.hasSelector, selector)
        ctx.add(selector, RDF.type, OA.TextPositionSelector)
        ctx.add(selector, OA.start, Literal(start, datatype=XSD.nonNegativeInteger))
        ctx.add(selector, OA.end, Literal(end, datatype=XSD.nonNegativeInteger))
        containing = [s for s in ordered if s.start <= start]
        if containing:
            section = max(containing, key=lambda s: (s.start, s.depth))
            ctx.add(iri, PKO.inSection, section.iri)
            ctx.add(iri, OA.hasScope, URIRef(section.link))


def _check_dpv_iris(ctx: Context) -> None:
    if ctx.dpv_terms is None:
        return
    namespaces = tuple(str(ns) for ns, _ in DPV_FAMILIES.values())
    for node in set(ctx.graph.all_nodes()) | set(ctx.sources.ontology.all_nodes()):
        if isinstance(node, URIRef) and str(node).startswith(namespaces) and str(node) not in ctx.dpv_terms:
            raise SourceError(f"{node} is not a DPV 2.3 term", path=ctx.sources.ontology_path)
