"""What the SHACL shapes found, for notebook 04: the findings as a table (kind and verdict, the provision they apply,
what they are about) and as a process x provision pivot, where each rule comes from (its shape file and the law or
vocabulary behind it), and the policy text quoted whole-word."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from policykg.labels import gdpr_label

if TYPE_CHECKING:  # pragma: no cover - typing only
    import matplotlib.figure
    import pandas

    from policykg.validate.shacl import Finding, Outcome

_ARTICLE = re.compile(r"Arts?\.\s?\d+[A-Z]?(?:\(\d+\))?(?:\([a-z]+\))?(?:-(?:\(\w\)|\d+[A-Z]?))?")
#: Completeness failures first, then the verdicts, strongest first (policykg.validate.findings.COUNT_KEYS).
VERDICT_ORDER = ("completeness", "conflicts-with", "does-not-state", "check")


def validate_build(build: Path | str | None = None, dpv_dir: Path | str | None = None, *,
                   version: str | None = None) -> Outcome:
    """Validate one version of the built graph (ontology + that version's data; the primary by default) with the
    SHACL shapes and rules, with the law in force on the date the notice records (its effective date), quoting spans
    from that version's text when it is found: policykg.validate.shacl's Outcome."""
    from policykg.analysis.session import build_dir
    from policykg.config import locate_dpv_dir
    from policykg.sources.rdf_files import parse_rdf_files
    from policykg.sources.versions import load_registry, locate_text
    from policykg.store.dataset import read_manifest
    from policykg.text.capture import read_policy_text
    from policykg.validate.shacl import load_dpv_graph, validate_graph

    out = build_dir(build)
    manifest = read_manifest(out)
    name = version or manifest.primary
    entry = manifest.version(name)
    if entry is None:
        raise KeyError(f"the build holds no version {name!r}")
    files = [out / manifest.files[manifest.ontology_graph], out / manifest.files[entry["graph"]]]
    dpv = locate_dpv_dir(dpv_dir).path
    try:
        text_path = locate_text(load_registry().get(name))
    except Exception:  # noqa: BLE001 - without the registry entry, spans are given as offsets only
        text_path = None
    return validate_graph(parse_rdf_files(files), load_dpv_graph(dpv) if dpv else None,
                          texts=read_policy_text(text_path) if text_path else None)


def quote(text: str | None, limit: int = 220) -> str:
    """A passage as reading text on one line, shortened at a word boundary (with '…') when longer than limit (the
    validation report's quote)."""
    from policykg.validate.report import quote as report_quote

    return report_quote(text, limit)


def provision(finding: Finding) -> str:
    """The provision a finding is about, short: the article of the first provision it applies (or that provision's
    name, up to its details), else the GDPR right it concerns, else the article its rule names, else the rule."""
    lead = finding.lead
    if lead is not None:
        match = _ARTICLE.search(lead.label)
        return _article(match.group(0)) if match else lead.label.split(":")[0].split(" (")[0]
    if finding.value and gdpr_label(finding.value):
        return gdpr_label(finding.value) or ""
    for text in (finding.shape_label, finding.message):
        match = _ARTICLE.search(text or "")
        if match:
            return _article(match.group(0))
    return finding.shape_label


def _article(text: str) -> str:
    return text.replace("Arts.", "Arts. ").replace("Art.", "Art. ").replace("  ", " ")


def findings_table(findings: list[Finding], labeller=None) -> pandas.DataFrame:
    """Validation results as a table: kind ("completeness" or "finding"), verdict (conflicts-with, does-not-state or
    check), the date whose law was applied, concern (shape file), provision, rule, what it is about (focus, its
    label; a process label told apart by audience when a labeller from policykg.analysis.labeller is given),
    message, the first source span it rests on, its quote (whole words) and the link to the policy's section."""
    import pandas as pd

    from policykg.validate.report import rests_on

    records = []
    for f in findings:
        spans = rests_on(f)
        first = spans[0][1] if spans else None
        focus_label = labeller(f.focus) if labeller is not None and f.focus.startswith("http") else f.focus_label
        records.append({
            "kind": f.kind,
            "verdict": f.verdict or "",
            "law_as_of": f.law_as_of or "",
            "concern": f.concern,
            "provision": provision(f),
            "rule": f.shape_label,
            "focus_label": focus_label,
            "message": f.message,
            "span": f"{first.start}\u2013{first.end}" if first else "",
            "quote": quote(first.text) if first else "",
            "link": (first.scope or "") if first else "",
            "focus": f.focus,
            "shape": f.shape,
            "path": f.path or "",
        })
    columns = ["kind", "verdict", "law_as_of", "concern", "provision", "rule", "focus_label", "message", "span", "quote",
               "link", "focus", "shape", "path"]
    return pd.DataFrame.from_records(records, columns=columns)


def findings_pivot(table: pandas.DataFrame) -> pandas.DataFrame:
    """Findings as what they are about (rows) x provision (columns), a cell counting the findings."""
    if table.empty:
        import pandas as pd

        return pd.DataFrame()
    pivot = table.pivot_table(index="focus_label", columns="provision", values="rule", aggfunc="count", fill_value=0)
    pivot = pivot.loc[pivot.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    pivot = pivot[pivot.sum(axis=0).sort_values(ascending=False, kind="stable").index]
    pivot.index.name, pivot.columns.name = "what the finding is about", "provision"
    return pivot


def plot_findings(table: pandas.DataFrame, *, title: str = "What the shapes found: findings by provision") -> matplotlib.figure.Figure:
    """A heatmap of the findings: what each is about (rows, in full) x provision, numbers of findings in the cells."""
    from policykg.analysis.figures import plot_matrix

    about = "what the finding is about"
    long = table.assign(findings=1).rename(columns={"focus_label": about})
    rows = list(findings_pivot(table).index)
    return plot_matrix(long, about, "provision", "findings", title=title, row_order=rows)


def rule_sources(directory: Path | None = None) -> pandas.DataFrame:
    """Where each rule comes from: one row per shape file (concern), its title and the opening comment of the file
    that says which law or vocabulary the rules encode, and the number of rules it holds."""
    import pandas as pd
    from rdflib import Graph
    from rdflib.namespace import OWL, RDF, RDFS, SH

    from policykg.config import shapes_dir
    from policykg.validate.shacl import available_shape_sets

    folder = directory or shapes_dir()
    records = []
    for name in available_shape_sets(folder):
        path = folder / f"{name}.ttl"
        text = path.read_text(encoding="utf-8")
        graph = Graph().parse(data=text, format="turtle")
        title = next((str(graph.value(o, RDFS.label)) for o in graph.subjects(RDF.type, OWL.Ontology)), name)
        rules = len(set(graph.subjects(RDF.type, SH.NodeShape)) | set(graph.subjects(RDF.type, SH.PropertyShape)))
        records.append({"concern": name, "title": title, "source": _opening_comment(text), "rules": rules,
                        "file": f"shapes/{path.name}"})
    return pd.DataFrame.from_records(records, columns=["concern", "title", "source", "rules", "file"])


def _opening_comment(text: str) -> str:
    """The first block of '#' comment lines after the prefixes, as one paragraph."""
    block: list[str] = []
    for line in text.splitlines():
        if line.startswith("#"):
            block.append(line.lstrip("#").strip())
        elif block:
            break
    return " ".join(part for part in block if part)


def links_as_html(df: pandas.DataFrame, column: str = "link") -> str:
    """The table as HTML with the link column made clickable (for notebooks)."""
    import html

    shown = df.copy()
    shown[column] = shown[column].map(lambda u: f'<a href="{html.escape(u)}">{html.escape(u)}</a>' if u else "")
    return shown.to_html(escape=False, index=False)
