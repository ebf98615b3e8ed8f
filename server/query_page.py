"""The query page at /: an editor with the competency questions as examples, results as a table."""

from __future__ import annotations

from flask import Blueprint, render_template

from . import execution
from .downloads import published_names

bp = Blueprint("query_page", __name__)


@bp.route("/")
def index() -> str:
    """The query page (works offline: its script and style are served by this app)."""
    st = execution.state()
    examples = [{"name": ex.name, "title": ex.title, "query": ex.query} for ex in st.examples]
    return render_template("index.html", examples=examples, downloads=published_names(st.build_dir),
                           backend=st.backend.name, dpv=bool(st.dpv_dir))
