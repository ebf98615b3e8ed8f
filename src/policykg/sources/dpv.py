"""DPV 2.3: find the folder, index its terms, load it as a graph, fetch and verify the pinned release."""

from __future__ import annotations

import os
import tempfile
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from policykg.config import DPV_FILES, DPV_RELEASE_BASE
from policykg.digest import sha256_file
from policykg.errors import MissingResourceError, PolicyKGError
from policykg.namespaces import DPV_FAMILIES

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def dpv_triples(dpv_dir: Path):
    """Yield the triples of the pinned canonical DPV files (config.DPV_FILES; pyoxigraph terms)."""
    for name in DPV_FILES:
        path = dpv_dir / name
        try:
            yield from ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        except (OSError, SyntaxError) as exc:
            raise MissingResourceError(f"cannot read DPV file: {exc}", path=path) from exc


def dpv_term_index(dpv_dir: Path) -> frozenset[str]:
    """The IRIs that DPV 2.3 defines (subjects with an rdf:type) in the canonical namespaces."""
    namespaces = tuple(str(ns) for ns, _ in DPV_FAMILIES.values())
    return frozenset(
        t.subject.value
        for t in dpv_triples(dpv_dir)
        if t.predicate == RDF_TYPE and isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(namespaces)
    )


def is_dpv_iri(iri: str) -> bool:
    """True for IRIs in one of the canonical DPV namespaces this project uses."""
    return any(iri.startswith(str(ns)) for ns, _ in DPV_FAMILIES.values())


def verify_dpv_dir(dpv_dir: Path) -> list[str]:
    """Problems with a DPV folder against the pinned checksums (empty list: all good)."""
    problems = []
    for name, (_, expected) in DPV_FILES.items():
        path = dpv_dir / name
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif (actual := sha256_file(path)) != expected:
            problems.append(f"{path}: sha256 {actual} does not match the pinned {expected}")
    return problems


def fetch_dpv(dest: Path, base_url: str = DPV_RELEASE_BASE, timeout: float = 60.0) -> Path:
    """Download the pinned DPV 2.3 files into dest, verifying each sha256; nothing is left half-written."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest, prefix=".fetch-") as tmp:
        staged = []
        for name, (rel, expected) in DPV_FILES.items():
            url = base_url.rstrip("/") + "/" + rel
            target = Path(tmp) / name
            try:
                request = urllib.request.Request(url, headers={"Accept": "text/turtle"})
                with urllib.request.urlopen(request, timeout=timeout) as response, target.open("wb") as out:
                    out.write(response.read())
            except OSError as exc:
                raise PolicyKGError(f"cannot download {url}: {exc}") from exc
            actual = sha256_file(target)
            if actual != expected:
                raise PolicyKGError(f"{url}: sha256 {actual} does not match the pinned DPV 2.3 checksum {expected}")
            staged.append((target, dest / name))
        for source, target in staged:
            os.replace(source, target)
    return dest
