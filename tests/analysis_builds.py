"""Builds for the analysis and notebook tests: the primary version alone, and a two-version build whose earlier
version is made here from the primary's sources (a process taken out, items taken from another), so that the
change graphs have something to show."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from cq_support import dpv_or_skip
from build_fixtures import found_or_skip
from policykg.config import data_root, locate_source_text

#: The invented earlier version: the primary's text and sources, less what EARLIER_DROPS takes out.
EARLIER = "meta-uk-2025-01-01"
DROPPED_PROCESS = "li-anonymising"
THINNED_PROCESS = "consent-whatsapp-accounts-center"
THINNED_KEEP = 3  # data lines the thinned process keeps in the earlier version


def _write(out: Path, data_dir: Path | None, versions: list[str]) -> Path:
    from policykg.build import compile_graphs
    from policykg.dumps import write_artefacts

    compiled = compile_graphs(dpv_or_skip(), found_or_skip(locate_source_text(), "policy text").parent,
                              data_root=data_dir, versions=versions, strict=True)
    out.mkdir(parents=True, exist_ok=True)
    write_artefacts(out, compiled)
    (out / "SHA256SUMS").touch()
    return out


def primary_build(out: Path) -> Path:
    """A strict build of the primary version (the one that has sources today)."""
    from policykg.versions import load_registry

    return _write(out, None, [load_registry().primary])


def two_version_build(out: Path, scratch: Path) -> Path:
    """A strict build of an invented earlier version and the primary, with the change graph between them."""
    from policykg.versions import load_registry

    registry = load_registry()
    primary = registry.primary_version
    root = scratch / "data"
    shutil.copytree(primary.data_dir, root / primary.name)
    earlier = root / EARLIER
    shutil.copytree(primary.data_dir, earlier)
    processes = yaml.safe_load((earlier / "processes.yaml").read_text(encoding="utf-8"))
    processes = [p for p in processes if p["id"] != DROPPED_PROCESS]
    for p in processes:
        if p["id"] == THINNED_PROCESS:
            p["data"] = p["data"][:THINNED_KEEP]
    (earlier / "processes.yaml").write_text(yaml.safe_dump(processes, sort_keys=False, allow_unicode=True),
                                            encoding="utf-8")
    registry_yaml = yaml.safe_load((data_root() / "versions.yaml").read_text(encoding="utf-8"))
    entry = next(v for v in registry_yaml["versions"] if v["name"] == primary.name)
    invented = {**entry, "name": EARLIER, "effective": "2025-01-01",
                "label": "Meta Privacy Policy (UK), invented earlier version for tests"}
    (root / "versions.yaml").write_text(yaml.safe_dump({"primary": primary.name, "versions": [invented, entry]},
                                                       sort_keys=False), encoding="utf-8")
    return _write(out, root, [EARLIER, primary.name])
