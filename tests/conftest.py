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
