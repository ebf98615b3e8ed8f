"""Errors that the command line reports as a clear message and exit code 2."""

from __future__ import annotations

from pathlib import Path


class PolicyKGError(Exception):
    """A user-facing error: bad input, missing DPV folder, unreadable file."""

    exit_code = 2

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path:
            where = f"{self.path}:{line}: " if line else f"{self.path}: "
        super().__init__(where + message)


class SourceError(PolicyKGError):
    """A curated source file (YAML, Turtle) is malformed or inconsistent."""


class MissingResourceError(PolicyKGError):
    """A needed outside resource (DPV folder, policy text, Java) is not there."""
