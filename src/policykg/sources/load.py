"""Load stage: one version's curated sources (notice.yaml, processes.yaml), read and checked against their schemas."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policykg.errors import SourceError
from policykg.sources.schema import validate_yaml
from policykg.sources.schema_notice import NoticeFile
from policykg.sources.schema_versions import Process, ProcessesFile
from policykg.sources.versions import Version

#: The file `policykg ingest` leaves in a version's folder while something is left to curate.
CURATION_FILE = "curation.yaml"


@dataclass(frozen=True)
class VersionSources:
    """One version's checked sources."""

    version: Version
    notice: NoticeFile
    processes: list[Process]
    notice_path: Path
    processes_path: Path


def load_version_sources(version: Version) -> VersionSources:
    """Read one version's notice.yaml and processes.yaml, checked against their schemas."""
    notice_path = version.data_dir / "notice.yaml"
    processes_path = version.data_dir / "processes.yaml"
    for path in (notice_path, processes_path):
        if not path.is_file():
            raise SourceError(f"missing: every version folder needs notice.yaml and processes.yaml ({version.name})",
                              path=path)
    notice = validate_yaml(notice_path, NoticeFile)
    processes = validate_yaml(processes_path, ProcessesFile).root
    return VersionSources(version, notice, processes, notice_path, processes_path)
