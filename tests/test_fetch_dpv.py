"""`policykg fetch-dpv` downloads the pinned release and checks it; a tampered file is refused and nothing is kept."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from policykg.cli.main import main as cli_main
from policykg.config import DPV_FILES


@pytest.fixture()
def release_mirror(tmp_path: Path, dpv_folder: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server on 127.0.0.1 laid out like the DPV 2.3 release, from the DPV folder."""
    root = tmp_path / "mirror"
    for name, (rel, _) in DPV_FILES.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dpv_folder / name, target)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", root
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_downloads_and_verifies(release_mirror, tmp_path: Path, capsys) -> None:
    url, _ = release_mirror
    dest = tmp_path / "dpv"
    assert cli_main(["fetch-dpv", "--dest", str(dest), "--base-url", url]) == 0
    assert sorted(p.name for p in dest.iterdir()) == sorted(DPV_FILES)
    assert cli_main(["fetch-dpv", "--check", "--dest", str(dest)]) == 0
    assert "verified" in capsys.readouterr().out


def test_fetch_refuses_a_tampered_file_and_keeps_nothing(release_mirror, tmp_path: Path, capsys) -> None:
    url, root = release_mirror
    with (root / DPV_FILES["pd.ttl"][0]).open("a", encoding="utf-8") as handle:
        handle.write("\n# tampered\n")
    dest = tmp_path / "dpv"
    assert cli_main(["fetch-dpv", "--dest", str(dest), "--base-url", url]) == 2
    err = capsys.readouterr().err
    assert "pd.ttl" in err and "does not match the pinned" in err
    assert not any(p.suffix == ".ttl" for p in dest.rglob("*"))


def test_fetch_reports_an_unreachable_server(tmp_path: Path, capsys) -> None:
    assert cli_main(["fetch-dpv", "--dest", str(tmp_path / "d"), "--base-url", "http://127.0.0.1:9/"]) == 2
    assert "cannot download" in capsys.readouterr().err


def test_check_names_what_is_wrong(tmp_path: Path, dpv_folder: Path, capsys) -> None:
    for name in DPV_FILES:
        shutil.copyfile(dpv_folder / name, tmp_path / name)
    (tmp_path / "tech.ttl").write_text("changed", encoding="utf-8")
    (tmp_path / "legal-gb.ttl").unlink()
    assert cli_main(["fetch-dpv", "--check", "--dest", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "tech.ttl: sha256" in err and "legal-gb.ttl: missing" in err
