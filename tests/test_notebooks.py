"""The analyst notebooks: committed without outputs, free of logic, and executed end to end on a fresh build."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from cq_support import fresh_build

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]
CELL_TIMEOUT = 120


def _read(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def test_the_four_notebooks_exist() -> None:
    assert [n[:3] for n in NAMES] == ["01-", "02-", "03-", "04-"]


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


@pytest.fixture(scope="module")
def notebook_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fresh_build(tmp_path_factory.mktemp("notebooks") / "build")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_runs(path: Path, notebook_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    copy = tmp_path / path.name
    shutil.copy(path, copy)
    monkeypatch.setenv("POLICYKG_BUILD_DIR", str(notebook_build))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = _read(copy)
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type in ("execute_result", "display_data") for o in outputs)
    if path.name.startswith(("02-", "03-")):
        assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name} drew no figure"
