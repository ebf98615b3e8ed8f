"""`policykg publish URL`: load the dumps (and DPV) into a triple store through the SPARQL 1.1 Graph Store Protocol."""

from __future__ import annotations

import getpass
import netrc
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from policykg.errors import PolicyKGError
from policykg.iris import DPV_GRAPH
from policykg.store.dataset import locate_dataset_files, read_manifest

CONTENT_TYPES = {".nt": "application/n-triples", ".ttl": "text/turtle"}
USER_ENV = "POLICYKG_PUBLISH_USER"
PASSWORD_ENV = "POLICYKG_PUBLISH_PASSWORD"


class PublishError(PolicyKGError):
    """The graph store refused or could not be reached."""


@dataclass(frozen=True)
class Credentials:
    """A user name and password for the graph store, and where they came from (the password is never shown)."""

    user: str
    password: str = field(repr=False)
    source: str

    def __str__(self) -> str:
        return f"user {self.user!r} (from {self.source})"


@dataclass(frozen=True)
class Upload:
    """One file sent into one named graph (PUT replaces the graph, POST adds to it)."""

    path: Path
    graph: str
    method: str


def plan_uploads(build_dir: Path, dpv_dir: Path | None) -> list[Upload]:
    """The uploads that publish a build (and DPV): one PUT per graph, then POSTs for DPV's further files."""
    files = locate_dataset_files(build_dir, dpv_dir)
    uploads = [Upload(build_dir / name, graph, "PUT") for graph, name in read_manifest(build_dir).files.items()]
    for index, path in enumerate(files.dpv_files):
        uploads.append(Upload(path, DPV_GRAPH, "PUT" if index == 0 else "POST"))
    return uploads


def graph_url(endpoint: str, graph: str) -> str:
    """The GSP URL addressing a named graph with ?graph= (indirect identification)."""
    separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return endpoint + separator + urllib.parse.urlencode({"graph": graph})


def split_credentials(url: str) -> tuple[str, Credentials | None]:
    """The URL without user:password@ (urllib would take them for part of the host name), and those credentials."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    bare = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    return bare, Credentials(user, password, "the URL")


def find_credentials(url: str, user_option: str | None = None, environ=None, netrc_file: str | None = None,
                     interactive: bool | None = None) -> Credentials | None:
    """The credentials for the store at url: --user, then the URL, then the environment, then ~/.netrc."""
    environ = os.environ if environ is None else environ
    bare, from_url = split_credentials(url)
    if user_option:
        name, colon, password = user_option.partition(":")
        if not colon:
            password = environ.get(PASSWORD_ENV)
            if password is None:
                if interactive if interactive is not None else sys.stdin.isatty():
                    password = getpass.getpass(f"password for {name} at {urllib.parse.urlsplit(bare).netloc}: ")
                else:
                    raise PublishError(f"--user {name} gives no password: set ${PASSWORD_ENV}, or add a ~/.netrc entry")
        return Credentials(name, password, "--user")
    if from_url is not None:
        return from_url
    if environ.get(USER_ENV):
        return Credentials(environ[USER_ENV], environ.get(PASSWORD_ENV, ""), f"${USER_ENV}")
    host = urllib.parse.urlsplit(bare).hostname or ""
    path = netrc_file or environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if os.path.isfile(path):
        try:
            entry = netrc.netrc(path).authenticators(host)
        except (netrc.NetrcParseError, OSError) as exc:
            raise PublishError(f"cannot read {path}: {exc}") from exc
        if entry:
            login, _account, password = entry
            return Credentials(login or "", password or "", path)
    return None


class Authenticator:
    """Answers the store's basic or digest challenge on every upload, from the first one on.

    The challenge is fetched with an empty request, so that no upload is sent to be refused: a store that refuses
    an unauthenticated upload (Virtuoso) closes the connection before reading a large body, and the client would
    see a broken pipe instead of the 401.
    """

    def __init__(self, endpoint: str, credentials: Credentials, timeout: float) -> None:
        self.credentials = credentials
        self.timeout = timeout
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        parts = urllib.parse.urlsplit(endpoint)
        passwords.add_password(None, f"{parts.scheme}://{parts.netloc}/", credentials.user, credentials.password)
        self.digest = _DigestAnswers(passwords)
        self.challenge: tuple[str, dict[str, str]] | None = None
        self.needed = True

    def authorize(self, request: urllib.request.Request) -> None:
        """Add the Authorization header to request, fetching the challenge first if need be."""
        if self.challenge is None and self.needed:
            self.learn(request)
        if self.challenge is None:
            return
        scheme, params = self.challenge
        if scheme == "basic":
            import base64

            token = base64.b64encode(f"{self.credentials.user}:{self.credentials.password}".encode()).decode()
            request.add_unredirected_header("Authorization", "Basic " + token)
        else:
            request.add_unredirected_header("Authorization", self.digest.answer(request, params))

    def learn(self, request: urllib.request.Request) -> None:
        """Send request's method to its URL with an empty body and keep the challenge the store answers with."""
        probe = urllib.request.Request(request.full_url, data=b"", method=request.get_method(),
                                       headers=dict(request.header_items()))
        try:
            with urllib.request.urlopen(probe, timeout=self.timeout):
                self.needed = False  # the store takes uploads without credentials
                return
        except urllib.error.HTTPError as exc:
            exc.read()
            if exc.code != 401:
                return  # the upload itself will report what the store says
            offered = exc.headers.get_all("WWW-Authenticate") or []
        self.challenge = _pick_challenge(offered)
        if self.challenge is None:
            raise PublishError("the graph store asks for an authentication scheme other than basic or digest: "
                               + "; ".join(header.split(" ", 1)[0] for header in offered))


class _DigestAnswers(urllib.request.HTTPDigestAuthHandler):
    """urllib's digest computation (MD5 / SHA, qop=auth, nonce counts), used to answer before being asked."""

    def answer(self, request: urllib.request.Request, params: dict[str, str]) -> str:
        value = self.get_authorization(request, params)
        if value is None:
            raise PublishError("cannot answer the graph store's digest challenge (unsupported algorithm or qop)")
        return "Digest " + value


def _pick_challenge(headers: list[str]) -> tuple[str, dict[str, str]] | None:
    """The strongest challenge offered: digest before basic."""
    found: dict[str, dict[str, str]] = {}
    for header in headers:
        scheme, _, rest = header.strip().partition(" ")
        found[scheme.lower()] = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
    for scheme in ("digest", "basic"):
        if scheme in found:
            return scheme, found[scheme]
    return None


def send(endpoint: str, upload: Upload, timeout: float, auth: Authenticator | None = None,
         credentials: Credentials | None = None) -> int:
    """Send one upload; return the HTTP status or raise PublishError."""
    body = upload.path.read_bytes()
    for attempt in range(2):
        request = urllib.request.Request(
            graph_url(endpoint, upload.graph), data=body, method=upload.method,
            headers={"Content-Type": CONTENT_TYPES[upload.path.suffix], "User-Agent": "policykg-publish"},
        )
        try:
            if auth is not None:
                auth.authorize(request)
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            if exc.code == 401 and auth is not None and attempt == 0 and auth.challenge is not None:
                auth.challenge = None  # a stale nonce: ask for a fresh challenge once
                continue
            detail = _plain(exc.read(2000).decode("utf-8", "replace"))
            raise PublishError(f"{upload.method} {upload.path.name} -> <{upload.graph}> was refused: HTTP {exc.code}"
                               f"{': ' + detail if detail else ''}{_advice(exc.code, endpoint, credentials)}") from None
        except (ConnectionResetError, BrokenPipeError) as exc:
            hint = "" if credentials else " (a store that requires authentication does that: see --user)"
            raise PublishError(f"the graph store at {endpoint} closed the connection during {upload.method} "
                               f"{upload.path.name}{hint}: {exc}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PublishError(f"cannot reach the graph store at {endpoint}: {reason}") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _plain(text: str) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", " ", text).split())[:300]


def _advice(status: int, endpoint: str, credentials: Credentials | None) -> str:
    if status == 401 and credentials is None:
        return (f". The store asks for credentials: give --user NAME (password from ${PASSWORD_ENV}), set "
                f"${USER_ENV} and ${PASSWORD_ENV}, or add a ~/.netrc entry for {urllib.parse.urlsplit(endpoint).hostname}")
    if status == 401:
        return f". The store did not accept the credentials of {credentials}"
    if status == 403 and endpoint.rstrip("/").endswith("/sparql-graph-crud"):
        return (". Virtuoso lets only authenticated users with the SPARQL_UPDATE role write: publish to "
                "/sparql-graph-crud-auth with --user (e.g. dba) instead of making the store world-writable")
    if status == 403:
        return f". {credentials or 'An anonymous client'} may not write to this store"
    return ""


def publish(endpoint: str, build_dir: Path, dpv_dir: Path | None, timeout: float = 120.0, out=sys.stdout,
            credentials: Credentials | None = None) -> int:
    """Upload every planned file; return the number of files sent. Credentials in the URL are used and not shown."""
    endpoint, from_url = split_credentials(endpoint)
    credentials = credentials or from_url
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PublishError(f"the graph store URL must be http(s), not {endpoint!r}")
    uploads = plan_uploads(build_dir, dpv_dir)
    auth = Authenticator(endpoint, credentials, timeout) if credentials else None
    for upload in uploads:
        status = send(endpoint, upload, timeout, auth, credentials)
        print(f"{upload.method} {upload.path.name} -> <{upload.graph}>: HTTP {status}", file=out)
    return len(uploads)


