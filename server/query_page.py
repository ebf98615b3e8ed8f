"""The query page at /: an editor with the competency questions grouped by topic, results as a sortable table
with labels and CURIEs (each IRI a link to its linked-data page), row count and timing, and downloads."""

from __future__ import annotations

import re

from flask import Blueprint, render_template

from policykg.analysis.labelling import AUDIENCE_SHORT
from policykg.labels import GDPR_LABELS
from policykg.namespaces import EU_GDPR, PREFIXES

from . import execution
from .downloads import published_names

bp = Blueprint("query_page", __name__)

#: The competency questions by topic (by number); questions not listed here are shown under "Other questions".
TOPICS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("Legal bases", (1, 2, 27)),
    ("Minors, adults and people without an account", (5, 6, 7, 8, 9)),
    ("Advertising", (3, 4)),
    ("Legitimate interests", (11, 12)),
    ("Rights", (13, 14, 15)),
    ("Information used", (10, 19, 20, 24, 26, 28)),
    ("Recipients, sharing and transfers", (16, 17, 31, 33, 34)),
    ("Processing and purposes in DPV", (18, 21, 22)),
    ("Where the text says it", (23, 25)),
    ("Retention and the controller", (29, 30, 32)),
)


def grouped_examples(examples) -> list[dict]:
    """The examples as [{topic, examples: [{index, name, title}]}], in TOPICS order, the rest last."""
    number = {i: int(m.group(1)) for i, ex in enumerate(examples) if (m := re.match(r"cq(\d+)", ex.name))}
    groups, placed = [], set()
    for topic, numbers in TOPICS:
        members = [i for n in numbers for i, _ in enumerate(examples) if number.get(i) == n]
        if members:
            groups.append({"topic": topic, "examples": [{"index": i, "name": examples[i].name,
                                                         "title": examples[i].title} for i in members]})
            placed.update(members)
    rest = [i for i in range(len(examples)) if i not in placed]
    if rest:
        groups.append({"topic": "Other questions" if placed else "Examples",
                       "examples": [{"index": i, "name": examples[i].name, "title": examples[i].title} for i in rest]})
    return groups


def page_vocabulary() -> dict:
    """What the page's script needs to label results: prefixes, GDPR citations, short audience names."""
    return {"prefixes": PREFIXES, "gdpr": {f"{EU_GDPR}{k}": v for k, v in GDPR_LABELS.items()},
            "audiences": AUDIENCE_SHORT}


@bp.route("/")
def index() -> str:
    """The query page (works offline: its script and style are served by this app)."""
    st = execution.state()
    examples = [{"name": ex.name, "title": ex.title, "query": ex.query} for ex in st.examples]
    return render_template("index.html", examples=examples, groups=grouped_examples(st.examples),
                           vocabulary=page_vocabulary(), downloads=published_names(st.build_dir),
                           backend=st.backend.name, dpv=bool(st.dpv_dir))
