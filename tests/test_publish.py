"""`policykg publish` into a store that asks for credentials (HTTP digest or basic), as a stock Virtuoso does."""

from __future__ import annotations

import argparse
import base64
import hashlib
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import policykg.store.publish
from policykg.cli.publish import register as add_publish_parser
from policykg.store.publish import PASSWORD_ENV, USER_ENV, PublishError, Upload, find_credentials

USER, PASSWORD = "loader", "s3cret-Pa55"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class Store:
    """A Graph Store Protocol endpoint on 127.0.0.1 that takes writes only from USER, by digest or basic auth."""

    def __init__(self, scheme: str) -> None:
        self.scheme = scheme
        self.realm = "SPARQL"
        self.nonce = "5c1b2f00d3"
        self.graphs: dict[str, bytes] = {}
        self.refused_bodies = 0  # bytes of upload sent without (valid) credentials
        store = self

        class Handler(BaseHTTPRequestHandler):
            def _authorized(self) -> bool:
                header = self.headers.get("Authorization") or ""
                if store.scheme == "basic":
                    return header == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
                if not header.startswith("Digest "):
                    return False
                fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[7:]))
                ha1 = _md5(f"{USER}:{store.realm}:{PASSWORD}")
                ha2 = _md5(f"{self.command}:{fields.get('uri')}")
                expected = _md5(f"{ha1}:{store.nonce}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
                return fields.get("username") == USER and fields.get("response") == expected

            def _write(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if not self._authorized():
                    store.refused_bodies += len(body)
                    self.send_response(401)
                    if store.scheme == "basic":
                        self.send_header("WWW-Authenticate", f'Basic realm="{store.realm}"')
                    else:
                        self.send_header("WWW-Authenticate", f'Digest realm="{store.realm}", nonce="{store.nonce}", '
                                                             'qop="auth", algorithm="MD5"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                graph = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["graph"][0]
                store.graphs[graph] = (store.graphs.get(graph, b"") if self.command == "POST" else b"") + body
                self.send_response(201 if self.command == "PUT" else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = do_POST = _write

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/sparql-graph-crud-auth"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(params=["digest", "basic"])
def store(request):
    found = Store(request.param)
    yield found
    found.close()


def publish_cli(url: str, build_dir, *options: str) -> int:
    parser = argparse.ArgumentParser()
    add_publish_parser(parser.add_subparsers())
    args = parser.parse_args(["publish", url, "--build-dir", str(build_dir), "--no-dpv", "--no-build", *options])
    return args.func(args)


@pytest.fixture()
def planned(monkeypatch, tmp_path) -> list[Upload]:
    """Two uploads of made-up files (one of 1 MB) in place of a build's, so these tests do not depend on its layout."""
    small, large = tmp_path / "a.nt", tmp_path / "b.nt"
    small.write_text("<http://e/s> <http://e/p> <http://e/o> .\n")
    large.write_text("".join(f"<http://e/s{i}> <http://e/p> \"{'x' * 60}\" .\n" for i in range(12000)))
    uploads = [Upload(small, "https://w3id.org/policykg/graph/a", "PUT"),
               Upload(large, "https://w3id.org/policykg/graph/b", "PUT")]
    monkeypatch.setattr(policykg.store.publish, "plan_uploads", lambda build_dir, dpv_dir: uploads)
    return uploads


@pytest.fixture()
def no_credentials(monkeypatch, tmp_path):
    monkeypatch.delenv(USER_ENV, raising=False)
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    return monkeypatch


def test_publish_with_credentials_from_each_source(store, planned, no_credentials, tmp_path, capsys):
    host = urllib.parse.urlsplit(store.url)
    with_password = store.url.replace("http://", f"http://{USER}:{urllib.parse.quote(PASSWORD)}@")
    ways = [
        (store.url, ["--user", f"{USER}:{PASSWORD}"], {}),
        (store.url, ["--user", USER], {PASSWORD_ENV: PASSWORD}),
        (with_password, [], {}),
        (store.url, [], {USER_ENV: USER, PASSWORD_ENV: PASSWORD}),
        (store.url, [], {"NETRC": str(tmp_path / "netrc")}),
    ]
    (tmp_path / "netrc").write_text(f"machine {host.hostname} login {USER} password {PASSWORD}\n")
    for url, options, env in ways:
        store.graphs.clear()
        for name, value in env.items():
            no_credentials.setenv(name, value)
        assert publish_cli(url, tmp_path, *options) == 0, capsys.readouterr().err
        for name in env:
            no_credentials.delenv(name)
        assert set(store.graphs) == {upload.graph for upload in planned}
        assert all(store.graphs[upload.graph] == upload.path.read_bytes() for upload in planned)
        output = capsys.readouterr()
        assert PASSWORD not in output.out + output.err and urllib.parse.quote(PASSWORD) not in output.err
    assert store.refused_bodies == 0  # the challenge is fetched with an empty request, never with an upload


def test_wrong_or_missing_credentials_are_explained_without_the_password(store, planned, tmp_path, no_credentials,
                                                                         capsys):
    assert publish_cli(store.url, tmp_path) == 2
    err = capsys.readouterr().err
    assert "HTTP 401" in err and "--user" in err and PASSWORD_ENV in err
    wrong = store.url.replace("http://", f"http://{USER}:not-{PASSWORD}@")
    assert publish_cli(wrong, tmp_path) == 2
    err = capsys.readouterr().err
    assert "did not accept the credentials of user 'loader' (from the URL)" in err
    assert PASSWORD not in err and "not-" not in err and "@" not in err


def test_where_credentials_come_from(no_credentials, tmp_path):
    url = "http://store.example:8890/sparql-graph-crud-auth"
    assert find_credentials(url) is None
    (tmp_path / "netrc").write_text("machine store.example login n password p\n")
    env = {"NETRC": str(tmp_path / "netrc")}
    assert find_credentials(url, environ=env).user == "n"
    env.update({USER_ENV: "e", PASSWORD_ENV: "pe"})
    assert find_credentials(url, environ=env).user == "e"
    assert find_credentials("http://u:p%40ss@store.example/x", environ=env).password == "p@ss"
    assert find_credentials(url, "cli:pc", environ=env).source == "--user"
    assert find_credentials(url, "cli", environ=env).password == "pe"
    with pytest.raises(PublishError, match=PASSWORD_ENV):
        find_credentials(url, "cli", environ={}, interactive=False)
    assert "secret" not in repr(find_credentials(url, "cli:secret", environ={}))


def test_virtuosos_anonymous_endpoint_is_explained(planned, tmp_path, no_credentials, capsys):
    class Refusing(BaseHTTPRequestHandler):
        def do_PUT(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<html><body>Error 42000 SQ110:SECURITY: Permission denied</body></html>"
            self.send_response(403)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/sparql-graph-crud"
        assert publish_cli(url, tmp_path) == 2
    finally:
        httpd.shutdown()
        httpd.server_close()
    err = capsys.readouterr().err
    assert "Permission denied" in err and "/sparql-graph-crud-auth" in err and "world-writable" in err
