"""The change pages people forward: the index of comparisons (a line per comparison saying what changed), one page
per comparison in the site's style, and an Atom feed of the comparisons. All three read the build's JSON reports
(`changes-<old>--<new>.json`) and say what changed with the one summary of `policykg.changes.summary`."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, request, url_for
from jinja2 import ChoiceLoader, PackageLoader

from policykg.changes.diff import Diff
from policykg.changes.render import view
from policykg.changes.summary import summary_lines
from policykg.iris import SITE

from ..errors import plain
from ..protocol import execution

ATOM = "application/atom+xml; charset=utf-8"


def add_template_loader(app: Flask) -> None:
    """Let the app's templates include the package's standalone ones (changes_body.html, shared with the report)."""
    app.jinja_loader = ChoiceLoader([app.jinja_loader, PackageLoader("policykg", "templates")])  # type: ignore[list-item]


@lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int) -> Diff:
    return Diff.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


def load_diff(build_dir: Path, name: str) -> Diff | None:
    """A comparison's diff from the build's JSON report (None when the build has none by that name)."""
    path = build_dir / f"changes-{name}.json"
    if "/" in name or not path.is_file():
        return None
    return _read(str(path), path.stat().st_mtime_ns)


def comparisons() -> list[dict[str, Any]]:
    """Every comparison of the build with its diff's summary lines, newest first."""
    st = execution.state()
    out = []
    for c in st.manifest.changes if st.manifest else ():
        diff = load_diff(st.build_dir, c["name"])
        if diff is None:
            continue
        newer = max(diff.old.effective, diff.new.effective) or "0001-01-01"
        out.append({**c, "summary": summary_lines(diff), "updated": newer, "old_label": diff.old.label,
                    "new_label": diff.new.label, "title": f"{diff.old.label} → {diff.new.label}"})
    return sorted(out, key=lambda c: (c["updated"], c["name"]), reverse=True)


def index() -> Response:
    """The versions the endpoint holds, and a line per comparison saying what changed."""
    st = execution.state()
    manifest = st.manifest
    if manifest is None:
        return plain(404, "404 Not Found: this endpoint has no build manifest, so it does not know the versions")
    return Response(render_template("changes.html", versions=manifest.versions, comparisons=comparisons(),
                                    primary=manifest.primary))


def comparison_page(name: str) -> Response | None:
    """The page of one comparison in the site's style (None when the build has no report by that name)."""
    diff = load_diff(execution.state().build_dir, name)
    if diff is None:
        return None
    return Response(render_template("changes_comparison.html", v=view(diff), name=name))


def stylesheet() -> Response:
    """policykg/templates/changes_style.css, the one stylesheet of the change pages and reports."""
    from importlib import resources

    css = resources.files("policykg").joinpath("templates", "changes_style.css").read_text(encoding="utf-8")
    response = Response(css, content_type="text/css; charset=utf-8")
    response.cache_control.max_age = 3600
    return response


def feed() -> Response:
    """An Atom 1.0 feed: one entry per comparison, with its summary, updated on the newer version's effective date."""
    st = execution.state()
    if st.manifest is None:
        return plain(404, "404 Not Found: this endpoint has no build manifest, so it has no comparisons")
    entries = comparisons()
    updated = max((c["updated"] for c in entries), default=date(2000, 1, 1).isoformat())
    body = render_template("changes_feed.xml", entries=entries, updated=updated, site=str(SITE),
                           self_url=request.url_root.rstrip("/") + url_for("pages.changes_feed"),
                           index_url=request.url_root.rstrip("/") + url_for("pages.changes"),
                           page_url=lambda n: request.url_root.rstrip("/") + f"/changes/{n}")
    response = Response(body, content_type=ATOM)
    response.set_etag(f"{st.version}-atom")
    return response
