"""The query page at /: an editor with the competency questions grouped by topic, results as a sortable table
with labels and CURIEs (each IRI a link to its linked-data page), row count and timing, and downloads."""

from __future__ import annotations

from flask import Blueprint, render_template

from policykg.iris import PREFIXES
from policykg.labels import GDPR_LABELS
from policykg.namespaces import EU_GDPR
from policykg.store.labels import AUDIENCE_SHORT

from ..protocol import execution
from .downloads import published_names

bp = Blueprint("query_page", __name__)

#: The competency questions by topic (by number); questions not listed here are shown under "Other questions".
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
    """The datasets the page can query: the primary version's (/sparql), each other version's, and every graph."""
    from flask import url_for

    primary = st.manifest.primary if st.manifest else None
    out = [{"name": "", "label": f"{primary} (the default dataset)" if primary else "the default dataset",
            "endpoint": url_for("sparql.endpoint")}]
    for name in st.dataset_names:
        if name != primary:
            label = "all versions at once" if name == "all" else name
            out.append({"name": name, "label": label, "endpoint": url_for("sparql.endpoint", dataset=name)})
    return out


def page_vocabulary() -> dict:
    """What the page's script needs to label results: prefixes, GDPR citations, short audience names."""
    return {"prefixes": PREFIXES, "gdpr": {f"{EU_GDPR}{k}": v for k, v in GDPR_LABELS.items()},
            "audiences": AUDIENCE_SHORT}


@bp.route("/")
def index() -> str:
    """The query page (works offline: its script and style are served by this app)."""
    st = execution.state()
    examples = [{"name": ex.name, "title": ex.title, "query": ex.query, "dataset": ex.dataset or ""}
                for ex in st.examples]
    return render_template("index.html", examples=examples, groups=grouped_examples(st.examples),
                           datasets=datasets(st),
                           vocabulary=page_vocabulary(), downloads=published_names(st.build_dir),
                           backend=st.backend.name, dpv=bool(st.dpv_dir))
