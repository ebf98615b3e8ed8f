"""`python -m policykg.analysis.screenshots --out docs/img`: the figures of the notebooks and the query page as PNG
files for the README and docs, made from a build (not by hand). Figures are written without timestamps, so the
same build gives the same files; the query page is shot in headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update", "--font-render-hinting=none"]
#: The question the query-page screenshot runs (shows labels, CURIEs, sorting and the row count).
PAGE_QUESTION = "cq09"


#: The record of what each figure in docs/img was drawn from (tests/test_docs_images.py compares it with the build).
MANIFEST = "figures.json"


def figure_tables(store, build: Path | None) -> dict[str, tuple[pandas.DataFrame, Callable[[pandas.DataFrame], Any]]]:
    """Each docs figure: the table it is drawn from and the function that draws a figure from it."""
    from policykg import analysis as A

    return {
        "legal-basis-heatmap": (A.basis_matrix(store), A.plot_basis_heatmap),
        "processes-per-basis": (A.processes_per_basis(store), A.plot_processes_per_basis),
        "audience-bases": (A.basis_by_audience_group(store), A.plot_audience_bases),
        "sankey": (A.sankey_flows(store), A.plot_sankey),
        "sankey-legitimate-interests-minors": (
            A.sankey_flows(store, basis="legitimate interests", audience="minors"),
            partial(A.plot_sankey, title="Legitimate-interest processing that applies to minors")),
        "findings": (A.findings_table(A.validate_build(build).findings, A.labeller(store)), A.plot_findings),
        "changes-by-basis": (A.changes_by_basis(store), A.plot_changes_by_basis),
        "items-gained": (A.items_gained(store), A.plot_items_gained),
    }


def table_digest(df: pandas.DataFrame) -> dict[str, object]:
    """What a figure was drawn from, in a form that does not depend on the drawing: rows and a sha256 of the CSV."""
    header, *rows = df.to_csv(index=False, lineterminator="\n").splitlines()
    csv = "\n".join([header, *sorted(rows)])  # the same rows in any order are the same data
    return {"rows": int(len(df)), "sha256": hashlib.sha256(csv.encode("utf-8")).hexdigest()}


def figures(build: Path | None, out: Path) -> tuple[list[Path], dict[str, dict[str, object]]]:
    """Write every notebook figure as PNG into out; return the files and what each was drawn from."""
    import matplotlib

    matplotlib.use("Agg")
    from policykg.analysis import open_store, save_figure

    store = open_store(build)
    written, record = [], {}
    for name, (df, draw) in figure_tables(store, build).items():
        if df.empty:
            raise RuntimeError(f"the build has no data for the figure {name!r}: refusing to draw a placeholder")
        written.append(save_figure(draw(df), out / f"{name}.png", dpi=90))
        record[name] = table_digest(df)
    return written, record


def page_table(store) -> pandas.DataFrame:
    """The answer the query-page screenshot shows (PAGE_QUESTION on the primary version)."""
    from policykg.analysis import query_df

    return query_df(store, PAGE_QUESTION, labels=False)


def find_chromium() -> str | None:
    """Debian's Chromium (or $POLICYKG_CHROMIUM)."""
    explicit = os.environ.get("POLICYKG_CHROMIUM")
    if explicit and Path(explicit).exists():
        return explicit
    return next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))),
                None)


def query_page(build: Path | None, out: Path) -> Path:
    """Serve the build, run a competency question on the query page in headless Chromium, and shoot it."""
    from playwright.sync_api import sync_playwright

    from policykg.analysis.endpoint import running_endpoint
    from policykg.store.questions import get_question

    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("no Chromium found (apt-get install chromium, or set POLICYKG_CHROMIUM)")
    target = out / "query-page.png"
    with running_endpoint(build) as endpoint, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1000}, device_scale_factor=1)
            page.goto(endpoint.removesuffix("/sparql") + "/")
            page.select_option("#example", label=get_question(PAGE_QUESTION).question)
            page.click("#run")
            page.wait_for_selector("table.results.labelled", timeout=30000)
            page.click("table.results th:nth-child(2) button.sort")
            page.locator("#status").scroll_into_view_if_needed()
            page.screenshot(path=str(target), clip={"x": 0, "y": 220, "width": 1200, "height": 1000}, full_page=True)
        finally:
            browser.close()
    return target


def main(argv: list[str] | None = None) -> int:
    """Redraw the figures and the query page into --out; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m policykg.analysis.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/img"), help="folder to write into (default docs/img)")
    parser.add_argument("--build-dir", type=Path, default=None, help="the build (default ./build or $POLICYKG_BUILD_DIR)")
    parser.add_argument("--no-page", action="store_true", help="only the figures, not the query page")
    args = parser.parse_args(argv)
    written, record = figures(args.build_dir, args.out)
    if not args.no_page:
        from policykg.analysis import open_store

        written.append(query_page(args.build_dir, args.out))
        record["query-page"] = table_digest(page_table(open_store(args.build_dir)))
    manifest = args.out / MANIFEST
    if args.no_page and manifest.is_file():  # keep the record of the page shot last time
        record = {**json.loads(manifest.read_text(encoding="utf-8")), **record}
    manifest.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    written.append(manifest)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
