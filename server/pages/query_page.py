"""The query page at /: an editor with the competency questions grouped by topic, a dataset picker, results as a
sortable table with labels and CURIEs (each IRI a link to its linked-data page), row count and timing, and the
build's downloads grouped by version and comparison.

The page keeps the query and the dataset in its URL (`/?query=...&dataset=...`), so a result can be shared: the
server renders them into the page and the script keeps the URL up to date. A competency question picked on a dataset
it does not apply to is refused on the page with its reason (policykg.store.applicability), not run for 0 rows.
"""

from __future__ import annotations

import logging

from flask import Blueprint, render_template, request

from policykg.iris import PREFIXES
from policykg.labels import GDPR_LABELS
from policykg.namespaces import EU_GDPR
from policykg.store.applicability import ALL, NOT_STATED_QUERY, VersionFacts, facts_from_rows, refusal
from policykg.store.labels import AUDIENCE_SHORT
from policykg.store.views import sparql

from ..protocol import execution
from .downloads import download_groups

bp = Blueprint("query_page", __name__)
log = logging.getLogger("policykg.server")


def grouped_examples(examples) -> list[dict]:
    """The examples as [{topic, examples: [{index, name, title}]}]: grouped by the `# topic:` line of each question,
    topics in the order they first appear, questions without one last."""
    groups: dict[str, list[dict]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault(ex.topic or "Other questions", []).append({"index": i, "name": ex.name, "title": ex.title})
    if "Other questions" in groups:
        groups["Other questions"] = groups.pop("Other questions")
    return [{"topic": topic, "examples": members} for topic, members in groups.items()]


def datasets(st) -> list[dict]:
    """The datasets the page can query: the primary version's (/sparql, picker value ''), each other version's, and
    every graph ('all'); each with its version name (the name a URL's dataset= gives)."""
    from flask import url_for

    primary = st.manifest.primary if st.manifest else None
    out = [{"name": "", "version": primary or "", "label": f"{primary} (the default dataset)" if primary else
            "the default dataset", "endpoint": url_for("sparql.endpoint")}]
    for name in st.dataset_names:
        if name != primary:
            label = "all versions at once" if name == ALL else name
            out.append({"name": name, "version": name, "label": label,
                        "endpoint": url_for("sparql.endpoint", dataset=name)})
    return out


def version_facts(st) -> dict[str, VersionFacts]:
    """What each version's notice does not state (not-stated.rq, asked of the backend once and remembered); empty
    when the backend cannot say (then only the dataset marks refuse)."""
    found = st.memo.get("version-facts")
    if isinstance(found, dict):
        return found
    if st.manifest is None:
        return {}
    try:
        rows = [{k: v["value"] for k, v in b.items()} for b in execution.select_rows(sparql(NOT_STATED_QUERY).text)]
    except Exception as exc:  # noqa: BLE001 - the page still works; questions are refused by their dataset marks only
        log.warning("could not ask what each version states (%s): the query page refuses by dataset only", exc)
        return {}
    facts = facts_from_rows(rows, [v["name"] for v in st.manifest.versions],
                            {v["name"]: v["jurisdiction"] for v in st.manifest.versions if v.get("jurisdiction")})
    st.memo.put("version-facts", facts)
    return facts


def refusals(st, pickable: list[dict]) -> list[dict[str, str]]:
    """For each example (in order): {picker value: the reason it is not asked of that dataset}."""
    facts = version_facts(st)
    versions = [v["name"] for v in st.manifest.versions] if st.manifest else []
    dpv = bool(st.dpv_dir) or st.backend.name == "remote"
    out: list[dict[str, str]] = []
    for ex in st.examples:
        reasons: dict[str, str] = {}
        if ex.question is not None:
            for d in pickable:
                reason = refusal(ex.question, d["version"] or ALL, facts.get(d["version"]), versions=versions, dpv=dpv)
                if reason:
                    reasons[d["name"]] = reason
        out.append(reasons)
    return out


def page_vocabulary() -> dict:
    """What the page's script needs to label results: prefixes, GDPR citations, short audience names."""
    return {"prefixes": PREFIXES, "gdpr": {f"{EU_GDPR}{k}": v for k, v in GDPR_LABELS.items()},
            "audiences": AUDIENCE_SHORT}


def picked(pickable: list[dict], examples: list[dict]) -> tuple[str, int | None, str | None]:
    """The picker value of the dataset the URL names (a version's name or 'all'; the primary is ''), the example
    whose query the URL gives (or None), and that query (None: the first example's)."""
    wanted = request.args.get("dataset", "")
    value = next((d["name"] for d in pickable if wanted in (d["name"], d["version"])), "")
    query = request.args.get("query")
    example = next((i for i, ex in enumerate(examples) if query is not None and ex["query"] == query), None)
    return value, example, query


@bp.route("/")
def index() -> str:
    """The query page (works offline: its script and style are served by this app)."""
    st = execution.state()
    pickable = datasets(st)
    reasons = refusals(st, pickable)
    examples = [{"name": ex.name, "title": ex.title, "query": ex.query, "dataset": ex.dataset or "",
                 "refusals": reasons[i]} for i, ex in enumerate(st.examples)]
    dataset, example, query = picked(pickable, examples)
    if query is None and examples:
        example, query = 0, str(examples[0]["query"])
        dataset = ALL if examples[0]["dataset"] == ALL and ALL in st.dataset_names else dataset
    return render_template("index.html", examples=examples, groups=grouped_examples(st.examples),
                           datasets=pickable, dataset=dataset, example=example,
                           query=query or "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
                           vocabulary=page_vocabulary(), downloads=download_groups(st.build_dir, st.manifest),
                           backend=st.backend.name, dpv=bool(st.dpv_dir))
