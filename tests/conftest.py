"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from policykg.config import locate_dpv_dir, queries_dir
from server_fixture import write_fixture_build

pytest_plugins = ["build_fixtures"]


@pytest.fixture(scope="session")
def dpv_dir() -> Path | None:
    """The DPV 2.3 folder (../shared/dpv/2.3 here and in CI), or None."""
    return locate_dpv_dir(None).path


@pytest.fixture(scope="session")
def server_build_dir(tmp_path_factory) -> Path:
    """A tiny build folder with every file name `policykg build` writes."""
    return write_fixture_build(tmp_path_factory.mktemp("server-build"))


@pytest.fixture(scope="session")
def server_settings(server_build_dir, dpv_dir) -> dict:
    """create_app() settings for the fixture build (short timeout to keep the tests quick)."""
    return {
        "BUILD_DIR": str(server_build_dir),
        "DPV_DIR": str(dpv_dir) if dpv_dir else False,
        "QUERY_TIMEOUT": 3.0,
        "QUERY_WORKERS": 2,
        "QUERIES_DIR": str(queries_dir()),
        "TEXTS_DIR": str(server_build_dir / "texts"),
    }


@pytest.fixture(scope="session")
def app(server_settings):
    """The Flask app on the fixture build (embedded store, DPV when available); one per test session."""
    from policykg.server import create_app

    application = create_app(server_settings)
    application.config["TESTING"] = True
    yield application
    application.extensions["policykg"].close()


@pytest.fixture()
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, or $POLICYKG_CHROMIUM) driven by Playwright; skipped where either is missing."""
    from policykg.analysis.screenshots import CHROMIUM_FLAGS, find_chromium

    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set POLICYKG_CHROMIUM)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (no browser download needed)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


# ---- CI: no skip it did not expect ----

#: With $POLICYKG_FAIL_ON_SKIP set (as .ci/run sets it), a test that skips makes the run fail unless its node id
#: matches a pattern in .ci/expected-skips (one fnmatch pattern per line, # comments). CI has ../shared, Java,
#: Chromium, Virtuoso and the package index, so a skip there means a test silently stopped testing.
_SKIPPED: list[tuple[str, str]] = []


def pytest_runtest_logreport(report) -> None:
    """Remember every skipped test with its reason."""
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _SKIPPED.append((report.nodeid, reason))


def _expected_skips() -> list[str]:
    path = Path(__file__).resolve().parent.parent / ".ci" / "expected-skips"
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def pytest_sessionfinish(session, exitstatus) -> None:
    """Fail the run on an unexpected skip when $POLICYKG_FAIL_ON_SKIP is set."""
    import fnmatch
    import os

    if not os.environ.get("POLICYKG_FAIL_ON_SKIP") or exitstatus not in (0, pytest.ExitCode.OK):
        return
    if hasattr(session.config, "workerinput"):  # a pytest-xdist worker: its reports reach the controller, which checks
        return
    patterns = _expected_skips()
    unexpected = [(node, why) for node, why in _SKIPPED if not any(fnmatch.fnmatch(node, p) for p in patterns)]
    if unexpected:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"{len(unexpected)} test(s) skipped that CI expects to run ($POLICYKG_FAIL_ON_SKIP):"]
        lines += [f"  {node}: {why}" for node, why in unexpected]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
