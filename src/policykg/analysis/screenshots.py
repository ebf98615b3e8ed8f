"""`python -m policykg.analysis.screenshots --out docs/img`: the figures of the notebooks and the query page as PNG
files for the README and docs, made from a build (not by hand). Figures are written without timestamps, so the
same build gives the same files; the query page is shot in headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update", "--font-render-hinting=none"]
#: The question the query-page screenshot runs (shows labels, CURIEs, sorting and the row count).
PAGE_QUESTION = "cq09"


def figures(build: Path | None, out: Path) -> list[Path]:
    """Write every notebook figure as PNG into out; return the files."""
    import matplotlib

    matplotlib.use("Agg")
    from policykg.analysis import (
        basis_by_audience_group,
        basis_matrix,
        changes_by_basis,
        findings_table,
        items_gained,
        labeller,
        open_store,
        plot_audience_bases,
        plot_basis_heatmap,
        plot_changes_by_basis,
        plot_findings,
        plot_items_gained,
        plot_processes_per_basis,
        plot_sankey,
        processes_per_basis,
        sankey_flows,
        save_figure,
        validate_build,
    )

    store = open_store(build)
    made = {
        "legal-basis-heatmap": plot_basis_heatmap(basis_matrix(store)),
        "processes-per-basis": plot_processes_per_basis(processes_per_basis(store)),
        "audience-bases": plot_audience_bases(basis_by_audience_group(store)),
        "sankey": plot_sankey(sankey_flows(store)),
        "sankey-legitimate-interests-minors": plot_sankey(
            sankey_flows(store, basis="legitimate interests", audience="minors"),
            title="Legitimate-interest processing that applies to minors"),
        "findings": plot_findings(findings_table(validate_build(build).findings, labeller(store))),
        "changes-by-basis": plot_changes_by_basis(changes_by_basis(store)),
        "items-gained": plot_items_gained(items_gained(store)),
    }
    return [save_figure(fig, out / f"{name}.png", dpi=90) for name, fig in made.items()]


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
    written = figures(args.build_dir, args.out)
    if not args.no_page:
        written.append(query_page(args.build_dir, args.out))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
