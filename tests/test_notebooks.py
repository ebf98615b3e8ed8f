"""The analyst notebooks: committed without outputs, free of logic, and executed end to end on a fresh build; the
executed notebooks show their figures, the SPARQL behind them, and tables with readable labels beside the IRIs."""

from __future__ import annotations

import ast
import re
import shutil
import time
from html import unescape
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]
CELL_TIMEOUT = 120
#: Static figures (image/png outputs) each notebook must show, at least.
FIGURES = {"01-": 0, "02-": 5, "03-": 2, "04-": 1, "05-": 2, "06-": 2}
#: A notebook must run in about this long (seconds; CI machines are slower than a laptop).
TIME_BUDGET = 30.0


def _read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def test_jupyter_started_in_notebooks_reuses_the_build_and_leaves_nothing_untracked(monkeypatch, tmp_path) -> None:
    """Started in notebooks/, the notebooks read the clone's build/ (not a second build in notebooks/build), and what a
    run there leaves (the endpoint's on-disk store, the exported tables, an old build) is ignored by git."""
    import subprocess

    from policykg.analysis import build_dir

    root = Path(__file__).resolve().parents[1]
    monkeypatch.delenv("POLICYKG_BUILD_DIR", raising=False)
    monkeypatch.chdir(root / "notebooks")
    assert build_dir() == root / "build"
    monkeypatch.chdir(tmp_path)  # outside the clone: ./build of where one stands
    assert build_dir() == tmp_path / "build"
    if not (root / ".git").exists():
        pytest.skip("not a git clone (an sdist): .gitignore is not in force here")
    left = ["notebooks/exports/tables.xlsx", "notebooks/.build-store/CURRENT", "notebooks/build/policykg.nq",
            "notebooks/.ipynb_checkpoints/01-getting-started-checkpoint.ipynb", ".build-store/CURRENT", "build/x.nq"]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *left], cwd=root, capture_output=True, text=True)
    assert ignored.stdout.split() == left


def test_the_six_notebooks_exist() -> None:
    assert [n[:3] for n in NAMES] == list(FIGURES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_outputs_are_stripped(path: Path) -> None:
    for cell in _read(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has committed outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_cells_define_no_functions_or_classes(path: Path) -> None:
    for cell in _read(path).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            assert not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)), (
                f"{path.name}: notebook cells call the package; put logic in policykg.analysis instead")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_every_figure_is_followed_by_what_it_shows(path: Path) -> None:
    cells = _read(path).cells
    for i, cell in enumerate(cells):
        if cell.cell_type == "code" and re.search(r"\bplot_\w+\(", cell.source):
            following = next((c for c in cells[i + 1:] if c.cell_type == "markdown"), None)
            assert following is not None and "What this shows" in following.source, (
                f"{path.name}: the figure of cell {i} has no closing 'What this shows' note")


@pytest.fixture(scope="module")
def executed(build_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Each notebook executed once on the session's build, in a folder of its own: (notebook, seconds, folder)."""
    done: dict[Path, tuple] = {}

    def run(path: Path) -> tuple:
        if path not in done:
            folder = tmp_path_factory.mktemp(path.stem)
            with pytest.MonkeyPatch.context() as monkeypatch:
                done[path] = (*_execute(path, build_dir, folder, monkeypatch), folder)
        return done[path]

    return run


def _execute(path: Path, build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from nbclient import NotebookClient

    copy = tmp_path / path.name
    shutil.copy(path, copy)
    monkeypatch.setenv("POLICYKG_BUILD_DIR", str(build))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = _read(copy)
    started = time.monotonic()
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return notebook, time.monotonic() - started


def _outputs(notebook) -> list:
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]


def _html_tables(outputs: list) -> list[tuple[list[str], list[list[str]]]]:
    """(column headers, rows of cell texts) of every DataFrame shown as HTML."""
    tables = []
    for o in outputs:
        html = o.get("data", {}).get("text/html", "")
        for table in re.findall(r'<table border="1" class="dataframe">(.*?)</table>', html, re.DOTALL):
            head = re.search(r"<thead>(.*?)</thead>", table, re.DOTALL)
            header_rows = re.findall(r"<tr[^>]*>(.*?)</tr>", head.group(1), re.DOTALL) if head else []
            headers = [unescape(re.sub(r"<[^>]+>", "", h)).strip()
                       for h in re.findall(r"<th[^>]*>(.*?)</th>", header_rows[0] if header_rows else "", re.DOTALL)]
            body = re.search(r"<tbody>(.*?)</tbody>", table, re.DOTALL)
            rows = [[unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.DOTALL)]
                    for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1) if body else "", re.DOTALL)]
            tables.append((headers, rows))
    return tables


def _check_labels(name: str, tables) -> None:
    assert tables, f"{name} shows no table"
    for headers, rows in tables:
        if not rows:
            continue
        width = len(rows[0])
        columns = headers[-width:] if len(headers) >= width else headers
        for k, column in enumerate(columns):
            values = [r[k] for r in rows if len(r) == width and r[k]]
            if values and all(v.startswith(("http://", "https://")) for v in values):
                assert f"{column}_label" in columns or column in ("link", "iri", "graph"), (
                    f"{name}: table column {column!r} shows only IRIs, with no {column}_label beside it")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_runs(path: Path, executed) -> None:
    notebook, seconds, folder = executed(path)
    outputs = _outputs(notebook)
    assert not [o for o in outputs if o.output_type == "error"]
    assert seconds < TIME_BUDGET, f"{path.name} took {seconds:.1f} s"
    figures = sum("image/png" in o.get("data", {}) for o in outputs)
    assert figures >= FIGURES[path.name[:3]], f"{path.name} drew {figures} figures"
    _check_labels(path.name, _html_tables(outputs))
    if path.name.startswith("04-"):  # its figure comes from the SHACL rules: it shows where each rule comes from
        assert "shapes/rights.ttl" in "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    else:
        markdown = [o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})]
        assert any("```sparql" in m and "<details>" in m for m in markdown), f"{path.name} shows no SPARQL"
    if path.name.startswith("01-"):
        text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
        from policykg.analysis import endpoint_available

        # The web app is this project's: where it cannot start, the notebook skips its HTTP part, and that is a failure.
        assert endpoint_available(), "policykg serve cannot start here, so notebook 01 skipped asking it over HTTP"
        assert "same rows as in-process: True" in text, text[-2000:]
        assert (folder / "exports" / "tables.xlsx").is_file() and (folder / "exports" / "marketing.csv").is_file()
    if path.name.startswith("03-"):
        assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in outputs), "no interactive Sankey"


def test_the_policy_over_time_shows_changes(executed, build_dir: Path) -> None:
    path = next(p for p in NOTEBOOKS if p.name.startswith("05-"))
    notebook, _, _ = executed(path)
    outputs = _outputs(notebook)
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    import json

    added = {p["title"] for f in build_dir.glob("changes-*.json")
             for p in json.loads(f.read_text(encoding="utf-8"))["processes"]["added"]}
    assert any(t.startswith("If you decide to add a WhatsApp account") for t in added)  # the build's comparisons have rows added …
    assert "added" in html and any(title in html for title in added)  # … and the table shows some, labelled
    items = {v["label"] for f in build_dir.glob("changes-*.json")
             for c in json.loads(f.read_text(encoding="utf-8"))["processes"]["changed"]
             for field in c["changes"] if field["field"] == "items" for v in field["added"] + field["removed"]}
    assert "Interactions with Meta's artificial intelligence technology" in items
    assert "items" in html and any(label in html for label in items)  # the values table names items by label
    _check_labels(path.name, _html_tables(outputs))
