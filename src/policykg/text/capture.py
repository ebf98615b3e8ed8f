"""A captured policy text as stored: its exact characters (CRLF kept, so offsets match the file) and its sha256."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policykg.digest import sha256_bytes
from policykg.errors import MissingResourceError


@dataclass(frozen=True)
class PolicyText:
    """The policy text the spans point into, with its sha256."""

    path: Path
    text: str
    sha256: str


def read_policy_text(path: Path) -> PolicyText:
    """Read a policy text file (UTF-8, line endings as stored) and hash its bytes: the one reader of captured texts."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MissingResourceError(f"cannot read the policy text: {exc.strerror}", path=path) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MissingResourceError(f"the policy text is not UTF-8 (byte {exc.start}): save it as UTF-8", path=path) from exc
    return PolicyText(path=path, text=text, sha256=sha256_bytes(data))
