"""The build pipeline: load -> compile -> check -> serialise, written atomically into the output folder."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from .compile import compile_data
from .config import (
    data_dir,
    dpv_missing_message,
    locate_dpv_dir,
    locate_source_text,
    ontology_dir,
    text_missing_message,
)
from .dpv import dpv_term_index
from .dumps import write_artefacts
from .errors import MissingResourceError
from .sources import load_sources, read_policy_text

ONTOLOGY_FILE = "policykg.ttl"


@dataclass
class BuildReport:
    """What a build wrote and what it could not check."""

    out_dir: Path
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Compiled:
    """The two graphs a build produces, plus what could not be checked."""

    ontology: Graph
    data: Graph
    notice_url: str
    effective: str
    warnings: list[str]


def compile_graphs(
    dpv_dir: Path | str | None = None,
    source_text: Path | str | None = None,
    *,
    sources_dir: Path | None = None,
    ontology_path: Path | None = None,
    strict: bool = False,
) -> Compiled:
    """Load and compile the sources; check spans and DPV terms where the text and DPV are available."""
    warnings: list[str] = []
    sources = load_sources(sources_dir or data_dir(), ontology_path or ontology_dir() / ONTOLOGY_FILE)
    text_found = locate_source_text(source_text)
    dpv_found = locate_dpv_dir(dpv_dir)
    for found, explicit, message, skipped in (
        (text_found, source_text, text_missing_message, "source spans were not checked against the text"),
        (dpv_found, dpv_dir, dpv_missing_message, "DPV terms were not checked"),
    ):
        if found.path is None:
            if strict or explicit:
                raise MissingResourceError(message(found))
            warnings.append(f"{message(found)} Built anyway: {skipped}.")
    text = read_policy_text(text_found.path) if text_found.path else None
    dpv_terms = dpv_term_index(dpv_found.path) if dpv_found.path else None
    data = compile_data(sources, text, dpv_terms)
    notice = sources.notice["notice"]
    return Compiled(sources.ontology, data, str(notice["url"]), str(notice["effective"]), warnings)


def build(
    out_dir: Path | str,
    dpv_dir: Path | str | None = None,
    source_text: Path | str | None = None,
    *,
    sources_dir: Path | None = None,
    ontology_path: Path | None = None,
    strict: bool = False,
) -> BuildReport:
    """Compile the sources and write every artefact into out_dir; on any error out_dir is left as it was."""
    out = Path(out_dir)
    compiled = compile_graphs(dpv_dir, source_text, sources_dir=sources_dir, ontology_path=ontology_path, strict=strict)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    staging.chmod(0o755)
    try:
        counts = write_artefacts(staging, compiled.ontology, compiled.data, compiled.notice_url, compiled.effective)
        _replace_dir(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildReport(out, counts, compiled.warnings)


def _replace_dir(new: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(target)


def is_built(out_dir: Path) -> bool:
    """True when out_dir holds a complete build newer than every source file."""
    sums = out_dir / "SHA256SUMS"
    if not sums.is_file():
        return False
    built = sums.stat().st_mtime
    sources = [*data_dir().glob("*.yaml"), ontology_dir() / ONTOLOGY_FILE]
    return all(p.stat().st_mtime <= built for p in sources if p.exists())


def ensure_built(out_dir: Path | str, dpv_dir: Path | str | None = None) -> Path:
    """Build into out_dir unless an up-to-date build is already there; return out_dir."""
    out = Path(out_dir)
    if not is_built(out):
        build(out, dpv_dir)
    return out
