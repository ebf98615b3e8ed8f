"""The package as users get it: `python -m build` makes the wheel and sdist (the wheel from the sdist), the wheel
ships every ontology, shape, query and data file, and once installed into a fresh venv outside the clone, policykg
works from any directory: build, validate, query, docs and serve, with DPV and the texts in ../shared of the current
directory, and clear messages (never a traceback) when they are not there.

Marked `wheel`: `make test` leaves these out and .ci/wheel-smoke runs them after it (`pytest -m wheel`). They need
the package index (PyPI) for the build backend and the wheel's dependencies; without it they skip and say so."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from policykg import __version__
from policykg.config import DPV_FILES, RESOURCE_PACKAGES, analysis_sparql_dir, locate_dpv_dir, project_root, resource_dir
from policykg.local_server import free_port
from policykg.sources.versions import load_registry, locate_text, text_search_dirs
from policykg.store.questions import compare, from_sparql_json, get_question
from policykg.validate.library import available_rule_sets, available_shape_sets
from server_fixture import stop, wait_for

pytestmark = pytest.mark.wheel

#: What pip and build print when the package index cannot be reached.
OFFLINE = re.compile(r"No matching distribution found|Could not find a version that satisfies|NewConnectionError|"
                     r"Temporary failure in name resolution|Network is unreachable|Max retries exceeded", re.IGNORECASE)
COMMAND_TIMEOUT = 180


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT,
                          stdin=subprocess.DEVNULL, check=False)


def _needs_index_or_fail(what: str, proc: subprocess.CompletedProcess[str]) -> None:
    output = proc.stdout + proc.stderr
    tail = "\n".join(output.strip().splitlines()[-15:])
    if OFFLINE.search(output):
        pytest.skip(f"{what} needs the package index (PyPI), which is not reachable here:\n{tail}")
    pytest.fail(f"{what} failed (exit {proc.returncode}):\n{tail}")


def _resource_files() -> dict[str, Path]:
    """Every file the wheel must ship: wheel path -> the file in this checkout."""
    files: dict[str, Path] = {}
    folders = {f"policykg/resources/{name}": resource_dir(name) for name in RESOURCE_PACKAGES}
    folders["policykg/store/sparql"] = analysis_sparql_dir()
    folders["policykg/server/templates"] = project_root() / "server" / "templates"
    folders["policykg/server/static"] = project_root() / "server" / "static"
    for prefix, folder in folders.items():
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path
    return files


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel built from it by `python -m build` (isolated: the build backend comes from the index)."""
    if importlib.util.find_spec("build") is None:
        pytest.skip("the `build` package is not installed (it is in the test extras: pip install -e '.[test]')")
    out = tmp_path_factory.mktemp("dist")
    proc = _run([sys.executable, "-m", "build", "--outdir", str(out), str(project_root())], cwd=out)
    if proc.returncode:
        _needs_index_or_fail("python -m build", proc)
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, f"expected one wheel and one sdist in {out}: {sorted(out.iterdir())}"
    return {"wheel": wheels[0], "sdist": sdists[0]}


def test_the_wheel_ships_every_ontology_shape_query_and_data_file(dist) -> None:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = set(wheel.namelist())
        expected = _resource_files()
        missing = sorted(set(expected) - names)
        assert not missing, f"{dist['wheel'].name} lacks {len(missing)} files: {missing[:20]}"
        for name, path in expected.items():
            assert wheel.read(name) == path.read_bytes(), f"{name} differs from {path}"
        for name in ("policykg.ttl", "versions.yaml", "links.yaml", "phrases.yaml"):
            assert any(n.startswith("policykg/resources/") and n.endswith("/" + name) for n in names), name
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith(("tests/", "build/"))]
        metadata = wheel.read(f"policykg-{__version__}.dist-info/METADATA").decode()
        entry_points = wheel.read(f"policykg-{__version__}.dist-info/entry_points.txt").decode()
    assert f"\nVersion: {__version__}\n" in metadata
    assert "policykg = policykg.cli.main:main" in entry_points
    assert dist["wheel"].name == f"policykg-{__version__}-py3-none-any.whl"


def test_the_sdist_holds_the_sources_and_the_release_notes(dist) -> None:
    with tarfile.open(dist["sdist"]) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    root = project_root()
    wanted = {"pyproject.toml", "README.md", "CHANGELOG.md", "CITATION.cff", "src/policykg/config.py", "server/state.py"}
    for name in RESOURCE_PACKAGES:
        folder = resource_dir(name)
        wanted |= {p.relative_to(root).as_posix() for p in folder.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert not sorted(wanted - names), f"{dist['sdist'].name} lacks {sorted(wanted - names)[:20]}"


# ---- the wheel installed into a fresh venv, run from elsewhere ----

@pytest.fixture(scope="module")
def venv_bin(dist, tmp_path_factory) -> Path:
    """A fresh venv outside the clone with the wheel (and its dependencies) installed: its bin folder."""
    venv = tmp_path_factory.mktemp("venv")
    assert not venv.resolve().is_relative_to(project_root().resolve())
    proc = _run([sys.executable, "-m", "venv", str(venv)], cwd=venv)
    assert proc.returncode == 0, proc.stderr
    proc = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 str(dist["wheel"])], cwd=venv)
    if proc.returncode:
        _needs_index_or_fail("pip install of the wheel", proc)
    return venv / "bin"


def _env(venv_bin: Path, home: Path) -> dict[str, str]:
    """The environment of a user of the wheel: its venv first on PATH, none of policykg's variables, an empty cache."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("POLICYKG_") and k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    env["XDG_CACHE_HOME"] = str(home / "cache")  # the fetch-dpv cache: empty unless a test fills it
    return env


def _policykg(venv_bin: Path, *args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return _run([str(venv_bin / "policykg"), *args], cwd=cwd, env=_env(venv_bin, home))


@pytest.fixture(scope="module")
def bare(tmp_path_factory) -> Path:
    """A working directory with nothing beside it (no ../shared)."""
    home = tmp_path_factory.mktemp("bare")
    (home / "work").mkdir()
    return home / "work"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A working directory whose ../shared holds DPV 2.3 and the policy texts (links to this machine's copies)."""
    dpv = locate_dpv_dir().path
    if dpv is None:
        pytest.skip("DPV 2.3 not found (../shared/dpv/2.3, $POLICYKG_DPV_DIR): the installed wheel needs it to validate")
    home = tmp_path_factory.mktemp("user")
    shared = home / "shared"
    (shared / "dpv").mkdir(parents=True)
    (shared / "dpv" / "2.3").symlink_to(dpv, target_is_directory=True)
    (shared / "seed").mkdir()
    for version in load_registry().versions:
        text = locate_text(version)
        if text is not None:
            (shared / "seed" / version.text_file).symlink_to(text)
    (home / "work").mkdir()
    return home / "work"


def _no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr[-3000:]


def test_the_resources_are_read_from_the_installed_package(venv_bin, bare) -> None:
    code = ("from policykg import config\n"
            "print(config.ontology_path()); print(config.data_root()); print(config.source_tree())\n")
    proc = _run([str(venv_bin / "python"), "-c", code], cwd=bare, env=_env(venv_bin, bare.parent))
    assert proc.returncode == 0, proc.stderr
    ontology, data, tree = proc.stdout.split()
    site = venv_bin.parent.resolve()
    assert Path(ontology).resolve().is_relative_to(site) and Path(ontology).is_file(), ontology
    assert Path(data, "versions.yaml").is_file() and Path(data).resolve().is_relative_to(site), data
    assert tree == "None"


def test_without_dpv_each_command_says_what_it_needs_and_where_it_looked(venv_bin, bare) -> None:
    home = bare.parent
    looked = str(home / "shared" / "dpv" / "2.3")

    proc = _policykg(venv_bin, "validate", cwd=bare, home=home)
    _no_traceback(proc)
    assert proc.returncode == 2 and "DPV 2.3" in proc.stderr and looked in proc.stderr, proc.stderr
    assert "--dpv-dir" in proc.stderr and "fetch-dpv" in proc.stderr

    proc = _policykg(venv_bin, "build", "--strict", "--out", "strict", cwd=bare, home=home)
    _no_traceback(proc)
    assert proc.returncode == 2 and looked in proc.stderr and not (bare / "strict").exists(), proc.stderr

    proc = _policykg(venv_bin, "build", cwd=bare, home=home)  # builds without them, saying what it skipped
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert looked in proc.stderr and str(home / "shared") in proc.stderr and "--texts-dir" in proc.stderr
    assert (bare / "build" / "SHA256SUMS").is_file()

    proc = _policykg(venv_bin, "fetch-dpv", "--check", "--dest", str(home / "nothing"), cwd=bare, home=home)
    _no_traceback(proc)
    assert proc.returncode == 1 and all(f"{name}: missing" in proc.stderr for name in DPV_FILES), proc.stderr

    proc = _policykg(venv_bin, "ingest", "--refresh-phrases", cwd=bare, home=home)
    _no_traceback(proc)
    assert proc.returncode == 2 and "installed inside the policykg package" in proc.stderr, proc.stderr


def test_the_installed_wheel_builds_validates_queries_and_documents(venv_bin, project) -> None:
    home = project.parent
    proc = _policykg(venv_bin, "build", cwd=project, home=home)
    _no_traceback(proc)
    assert proc.returncode == 0 and "DPV" not in proc.stderr, proc.stderr
    build = project / "build"
    for name in ("SHA256SUMS", "void.ttl", "policykg.ttl", "policykg.nt.gz", "processing-matrix.csv"):
        assert (build / name).is_file(), name

    proc = _policykg(venv_bin, "validate", "--format", "json", "--out", "report.json", cwd=project, home=home)
    _no_traceback(proc)
    report = json.loads((project / "report.json").read_text(encoding="utf-8"))
    assert proc.returncode == 0 and report["complete"], proc.stderr  # findings alone exit 0 (decision 25)
    assert report["shape_sets"] == [*available_shape_sets(), *available_rule_sets()]  # shapes/rules/ shipped too
    assert [v["name"] for v in report["versions"]] == load_registry().names and report["source_text_checked"]

    proc = _policykg(venv_bin, "query", "--cq", "cq02", "--format", "json", cwd=project, home=home)
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    cq = get_question("cq02")
    assert compare(cq.expected(), from_sparql_json(proc.stdout), ordered=cq.ordered, concatenated=cq.concatenated) == []

    proc = _policykg(venv_bin, "query", "--cq", "cq02", cwd=project, home=home)  # the table: no pandas needed
    _no_traceback(proc)
    assert proc.returncode == 0 and "Art. 6(1)(f)" in proc.stdout, proc.stderr

    proc = _policykg(venv_bin, "diff", "meta-uk-2025-04-07", "meta-uk-2025-06-16", "--format", "json", cwd=project,
                     home=home)
    _no_traceback(proc)
    assert proc.returncode == 1 and json.loads(proc.stdout)["processes"]["added"], proc.stderr

    text = locate_text(load_registry().get("meta-uk-2025-06-16"))
    assert text is not None
    proc = _policykg(venv_bin, "ingest", str(text), "--as", "meta-uk-2025-06-16", "--out", str(home / "draft"),
                     "--dry-run", cwd=project, home=home)
    _no_traceback(proc)
    assert proc.returncode in (0, 1) and "would write" in proc.stdout and not (home / "draft").exists(), proc.stderr

    bundle = next((folder / "ota" / "instagram-privacy-policy.bundle" for _, folder in text_search_dirs()
                   if (folder / "ota" / "instagram-privacy-policy.bundle").is_file()), None)
    assert bundle is not None, "../shared/ota/instagram-privacy-policy.bundle is not beside the project"
    proc = _policykg(venv_bin, "track", str(bundle), "--file", "Instagram/Privacy Policy.md", "--format", "json",
                     cwd=project, home=home)
    _no_traceback(proc)
    tracked = json.loads(proc.stdout)
    assert proc.returncode == 0 and len(tracked["captures"]) == 99, proc.stderr  # nothing new: every version encoded
    assert {v["name"]: v["status"] for v in tracked["versions"]} == dict.fromkeys(load_registry().names, "encoded")

    proc = _policykg(venv_bin, "docs", "--out", str(home / "site"), cwd=project, home=home)
    _no_traceback(proc)
    assert proc.returncode == 0 and "pko:" in (home / "site" / "index.html").read_text(encoding="utf-8"), proc.stderr

    proc = _policykg(venv_bin, "fetch-dpv", "--check", "--dest", str(home / "shared" / "dpv" / "2.3"), cwd=project,
                     home=home)
    assert proc.returncode == 0 and "verified" in proc.stdout, proc.stderr


def test_the_installed_wheel_serves_sparql_on_loopback(venv_bin, project) -> None:
    home = project.parent
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (home / "serve.log").open("w+b")
    process = subprocess.Popen([str(venv_bin / "policykg"), "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--workers", "1", "--query-workers", "1"], cwd=project,
                               env=_env(venv_bin, home), stdin=subprocess.DEVNULL, stdout=log,
                               stderr=subprocess.PIPE)
    try:
        wait_for(f"{base}/healthz", process, seconds=90)
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?process a <https://w3id.org/dpv#Process> }"
        request = urllib.request.Request(f"{base}/sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                                         headers={"Accept": "application/sparql-results+json",
                                                  "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        assert int(answer["results"]["bindings"][0]["n"]["value"]) > 0, answer
        with urllib.request.urlopen(f"{base}/", timeout=30) as response:
            page = response.read().decode("utf-8")
        assert "cq02-processes-per-legal-basis" in page, "the query page lacks the installed competency questions"
    finally:
        started = time.monotonic()
        stop(process)
        log.close()
    assert process.returncode is not None and time.monotonic() - started < 20
