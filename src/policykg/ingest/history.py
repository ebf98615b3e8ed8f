"""A document's captures in an Open Terms Archive versions repository (a git clone or a git bundle): every commit that
changed the file, oldest first, with its date and the file's exact bytes, read in two git calls (one `git log`, one
`git cat-file --batch`) whatever the number of captures."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from difflib import get_close_matches
from pathlib import Path

from policykg.errors import PolicyKGError

#: Separates the commits in the `git log` output (a byte no commit id or date holds).
_MARK = "\x01"
_NO_BLOB = "0" * 40


@dataclass(frozen=True)
class Capture:
    """One capture: the commit, its author date (UTC, the day the archive captured the text) and the file's bytes."""

    commit: str
    date: str
    blob: str
    data: bytes


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run a git command in repo; its standard output, or an error naming the command and what git said."""
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise PolicyKGError("git is not installed: `policykg track` reads the archive with git") from exc
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PolicyKGError(f"git {args[0]} failed: {said[-1] if said else 'no message'}", path=repo)
    return done.stdout


def open_repository(source: Path, workdir: Path) -> Path:
    """The git repository to read: SOURCE itself (a clone, bare or not), or a bare clone of a bundle in workdir."""
    if source.is_dir():
        try:
            _git(source, "rev-parse", "--git-dir")
        except PolicyKGError as exc:
            raise PolicyKGError("not a git repository (give an Open Terms Archive versions repository: a clone or a "
                                "bundle)", path=source) from exc
        return source
    if not source.exists():
        raise PolicyKGError("no such file or folder (give an Open Terms Archive versions repository: a clone or a "
                            "bundle)", path=source)
    target = workdir / "repository.git"
    try:
        _git(workdir, "clone", "--bare", "--quiet", str(source.resolve()), str(target))
    except PolicyKGError as exc:
        raise PolicyKGError("neither a git repository nor a git bundle that git can clone", path=source) from exc
    return target


def _utc_day(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(UTC).date().isoformat()


def captures(repo: Path, path: str) -> list[Capture]:
    """Every capture of the file at `path` (renames followed), oldest first in the history's order."""
    log = _git(repo, "log", "--follow", "-M", "--no-abbrev", "--raw", f"--format={_MARK}%H %aI", "--", path)
    found: list[tuple[str, str, str]] = []
    for record in log.decode("utf-8", "replace").split(_MARK)[1:]:
        lines = record.strip().splitlines()
        commit, stamp = lines[0].split(" ", 1)
        raw = [ln.split("\t", 1)[0].split() for ln in lines[1:] if ln.startswith(":")]
        blob = next((fields[3] for fields in raw if len(fields) >= 5 and fields[3] != _NO_BLOB), None)
        if blob is not None:  # a commit that deletes the file captures nothing
            found.append((commit, _utc_day(stamp), blob))
    if not found:
        raise PolicyKGError(f"no capture of {path!r} in the history{_suggest(repo, path)}", path=repo)
    found.reverse()
    contents = _blobs(repo, sorted({blob for _, _, blob in found}))
    return [Capture(commit, day, blob, contents[blob]) for commit, day, blob in found]


def _suggest(repo: Path, path: str) -> str:
    """' (did you mean …?)' with the files of HEAD whose names are closest to path, if any."""
    try:
        names = _git(repo, "ls-tree", "-r", "--name-only", "HEAD").decode("utf-8", "replace").splitlines()
    except PolicyKGError:
        return ""
    close = get_close_matches(path, names, n=3, cutoff=0.5)
    return f" (did you mean {', '.join(repr(n) for n in close)}?)" if close else " (give the file's path in the repository)"


def _blobs(repo: Path, blobs: list[str]) -> dict[str, bytes]:
    """The contents of the blobs, read by one `git cat-file --batch`."""
    out = _git(repo, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in blobs).encode("ascii"))
    contents: dict[str, bytes] = {}
    pos = 0
    for blob in blobs:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("ascii", "replace").split()
        if len(header) != 3 or header[1] != "blob":
            raise PolicyKGError(f"git cat-file: object {blob} is missing from the repository", path=repo)
        size = int(header[2])
        contents[blob] = out[end + 1:end + 1 + size]
        pos = end + 1 + size + 1
    return contents
