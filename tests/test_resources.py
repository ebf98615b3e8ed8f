"""Where policykg finds things: the curated resources through importlib.resources (policykg.config decides, no other
module computes paths from __file__), the build in ./build of the current directory, DPV and the texts in
../shared, and clear errors when something is not where it should be."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from policykg import config
from policykg.cli.main import main as cli_main
from policykg.errors import MissingResourceError

CHECKOUT = Path(__file__).resolve().parents[1]


def test_each_resource_is_found_through_its_package() -> None:
    assert set(config.RESOURCE_PACKAGES) == {"ontology", "shapes", "queries", "data"}
    for name in config.RESOURCE_PACKAGES:
        assert config.resource_dir(name).is_dir(), name
    assert config.ontology_path().is_file()
    assert (config.data_root() / "versions.yaml").is_file() and (config.data_root() / "links.yaml").is_file()
    assert sorted(p.stem for p in config.shapes_dir().glob("*.ttl"))
    assert sorted(config.queries_dir().glob("cq*.rq")) and sorted(config.analysis_sparql_dir().glob("*.rq"))


def test_in_a_checkout_the_resources_are_its_own_folders() -> None:
    """An editable install reads the checkout's folders (edits show at once); the layout stays as it is."""
    assert config.source_tree() == CHECKOUT == config.project_root()
    for name in config.RESOURCE_PACKAGES:
        assert config.resource_dir(name) == CHECKOUT / name


def test_a_resource_package_that_is_not_installed_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setitem(config.RESOURCE_PACKAGES, "shapes", "policykg.resources.absent")
    with pytest.raises(MissingResourceError, match=r"shapes/ folder is not installed .*pip install"):
        config.shapes_dir()


def test_the_build_goes_to_build_of_the_current_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(config.BUILD_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    assert config.default_build_dir() == tmp_path / "build"
    monkeypatch.setenv(config.BUILD_ENV, str(tmp_path / "elsewhere"))
    assert config.default_build_dir() == tmp_path / "elsewhere"


def test_shared_is_looked_for_beside_the_checkout_then_beside_the_current_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(config.DPV_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert config.shared_dirs() == [("../shared beside the checkout", CHECKOUT.parent / "shared"),
                                    ("../shared", tmp_path / "shared")]
    tried = config.locate_dpv_dir().tried
    assert str(tmp_path / "shared" / "dpv" / "2.3") in tried[1] and "fetch-dpv cache" in tried[2]


def test_with_a_wheel_shared_is_only_beside_the_current_directory(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(config, "source_tree", lambda: None)
    monkeypatch.chdir(tmp_path)
    assert config.shared_dirs() == [("../shared", tmp_path.parent / "shared")]
    with pytest.raises(MissingResourceError, match="installed from a wheel"):
        config.project_root()


def test_ingest_will_not_write_into_an_installed_package(monkeypatch, capsys) -> None:
    monkeypatch.setattr(config, "source_tree", lambda: None)
    assert cli_main(["ingest", "--refresh-phrases"]) == 2
    err = capsys.readouterr().err
    assert "installed inside the policykg package" in err and "--data-root" in err


def test_the_query_page_offers_the_installed_competency_questions(tmp_path, caplog) -> None:
    from policykg.server.state import DEFAULT_EXAMPLES, load_examples

    names = [example.name for example in load_examples()]
    assert "cq02-processes-per-legal-basis" in names
    with caplog.at_level(logging.WARNING, logger="policykg.server"):
        assert load_examples(tmp_path / "absent") == DEFAULT_EXAMPLES
    assert "is not a folder" in caplog.text


def test_no_module_but_config_computes_paths_from_its_own_file() -> None:
    offenders = [
        f"{path.relative_to(CHECKOUT)}:{number}"
        for folder in (CHECKOUT / "src" / "policykg", CHECKOUT / "server")
        for path in sorted(folder.rglob("*.py")) if path.name != "config.py" or path.parent.name != "policykg"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\b__file__\b", line)
    ]
    assert not offenders, f"ask policykg.config where a resource is instead: {offenders}"
