"""A tiny build folder with the file names `policykg build` writes, for the server tests."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.local_server import free_port, wait_until_answers

#: A query that runs for minutes on any store of more than a handful of triples (a six-way cartesian product),
#: with or without DPV loaded: what the timeout tests send.
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"

SOURCE_TEXT = (
    "Privacy Policy\n"
    "What is the Privacy Policy and what does it cover?\n"
    "We use information to personalise the Meta Products for you.\n"
    "Legal basis information\n"
)
SPAN_START = SOURCE_TEXT.index("We use information")
SPAN_END = SOURCE_TEXT.index("for you.") + len("for you.")
SECTION = "https://www.facebook.com/privacy/policy/?section_id=2-HowDoWeUse"

PREFIXES = """
@prefix pko: <https://w3id.org/policykg/ontology#> .
@prefix meta: <https://w3id.org/policykg/meta-uk-2025-06-16/> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix pd: <https://w3id.org/dpv/pd#> .
@prefix eu-gdpr: <https://w3id.org/dpv/legal/eu/gdpr#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix spdx: <http://spdx.org/rdf/terms#> .
"""

ONTOLOGY = PREFIXES + """
<https://w3id.org/policykg/ontology> a owl:Ontology ;
  dct:title "policykg ontology (test fixture)" ;
  owl:versionIRI <https://w3id.org/policykg/ontology/0.1.0> .
pko:NonUser a owl:Class ;
  rdfs:label "Person not associated with an account"@en ;
  skos:definition "Someone whose information Meta processes without an account."@en ;
  rdfs:subClassOf dpv:DataSubject ,
    [ a owl:Restriction ; owl:onProperty dpv:hasDataSubject ; owl:someValuesFrom dpv:DataSubject ] .
pko:InformationCategory a owl:Class ;
  rdfs:label "Information category"@en ;
  skos:definition "One of the policy's four top-level kinds of information."@en .
"""

DATA = PREFIXES + f"""
meta:notice a dpv:PrivacyNotice ;
  rdfs:label "Meta Privacy Policy (UK), effective 16 June 2025"@en ;
  dpv:hasProcess meta:process/contract-personalising, meta:process/consent-ads .
meta:process/contract-personalising a dpv:Process ;
  rdfs:label "Personalising the Meta Products"@en ;
  dct:description "Rows of the contract table: personalising what people see."@en ;
  dpv:hasLegalBasis eu-gdpr:A6-1-b ;
  dpv:hasPurpose meta:purpose/personalising ;
  dpv:hasPersonalData pd:Preference ;
  prov:wasDerivedFrom meta:span/{SPAN_START}-{SPAN_END} .
meta:process/consent-ads a dpv:Process ;
  rdfs:label "Using information from partners to show ads"@en ;
  dpv:hasLegalBasis eu-gdpr:A6-1-a ;
  dpv:hasPurpose dpv:PersonalisedAdvertising .
meta:purpose/personalising a dpv:Purpose ;
  rdfs:label "Personalising the Meta Products"@en ;
  skos:broader dpv:ServicePersonalisation .
meta:span/{SPAN_START}-{SPAN_END} a oa:SpecificResource ;
  oa:hasSource meta:source/policy-text ;
  oa:hasSelector [ a oa:TextPositionSelector ; oa:start {SPAN_START} ; oa:end {SPAN_END} ] ;
  oa:hasScope <{SECTION}> .
meta:source/policy-text spdx:checksum meta:source/policy-text/sha256 .
meta:source/policy-text/sha256 spdx:checksumValue "{hashlib.sha256(SOURCE_TEXT.encode("utf-8")).hexdigest()}"^^xsd:hexBinary .
"""

#: A second, earlier version: one process, so that per-version datasets can be told apart.
EARLIER = "meta-uk-2025-04-07"
EARLIER_DATA = PREFIXES + """
<https://w3id.org/policykg/meta-uk-2025-04-07/notice> a dpv:PrivacyNotice ;
  rdfs:label "Meta Privacy Policy (UK), effective 7 April 2025"@en ;
  dpv:hasProcess <https://w3id.org/policykg/meta-uk-2025-04-07/process/contract-personalising> .
<https://w3id.org/policykg/meta-uk-2025-04-07/process/contract-personalising> a dpv:Process ;
  rdfs:label "Personalising the Meta Products"@en ;
  dpv:hasLegalBasis eu-gdpr:A6-1-b .
"""
LINKS = PREFIXES + """
meta:process/contract-personalising prov:wasRevisionOf <https://w3id.org/policykg/meta-uk-2025-04-07/process/contract-personalising> .
"""

VOID = PREFIXES + """
<https://w3id.org/policykg/dataset> a void:Dataset ; dct:title "policykg test fixture" ; void:triples 30 ;
  void:sparqlEndpoint <http://localhost/sparql> ; void:dataDump <http://localhost/download/policykg.nt> .
"""

FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD,
           ".rdf": ox.RdfFormat.RDF_XML}
GRAPH = "https://w3id.org/policykg/graph/"
PRIMARY = "meta-uk-2025-06-16"
#: The file name the registry (data/versions.yaml) gives the primary version's text: the fixture's text goes
#: there, in the fixture's texts folder, so the server finds it (and quotes it: the manifest records its sha256).
PRIMARY_TEXT_FILE = "000_58dca1eb2e4de648.txt"


def _expand(turtle: str) -> str:
    """Write meta:a/b names (not valid Turtle prefixed names) as full IRIs."""
    return re.sub(r"\bmeta:([\w\-]+/[\w\-/]+)", r"<https://w3id.org/policykg/meta-uk-2025-06-16/\1>", turtle)


def write_fixture_build(out: Path) -> Path:
    """A build folder in the layout `policykg build` writes (dataset, manifest, per-graph and combined dumps, VoID,
    matrix, SHA256SUMS) for a tiny graph of two versions, and a texts folder with the primary version's text."""
    out.mkdir(parents=True, exist_ok=True)
    graphs = {
        "ontology": (GRAPH + "ontology", list(ox.parse(ONTOLOGY, format=ox.RdfFormat.TURTLE))),
        PRIMARY: (GRAPH + PRIMARY, list(ox.parse(_expand(DATA), format=ox.RdfFormat.TURTLE))),
        EARLIER: (GRAPH + EARLIER, list(ox.parse(EARLIER_DATA, format=ox.RdfFormat.TURTLE))),
        "links": (GRAPH + "links", list(ox.parse(_expand(LINKS), format=ox.RdfFormat.TURTLE))),
    }
    names = []

    def write(name: str, body: bytes, gz: bool = True) -> None:
        (out / name).write_bytes(body)
        names.append(name)
        if gz:
            (out / f"{name}.gz").write_bytes(gzip.compress(body, mtime=0))
            names.append(f"{name}.gz")

    for stem, (_, triples) in graphs.items():
        write(f"{stem}.nt", ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    combined = {"ontology": graphs["ontology"][1], "policykg": [t for _, ts in graphs.values() for t in ts]}
    for stem, triples in combined.items():
        for ext, fmt in FORMATS.items():
            if f"{stem}{ext}" not in names:
                write(f"{stem}{ext}", ox.serialize(triples, format=fmt))
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for graph, ts in graphs.values() for t in ts]
    write("policykg.nq", ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    sha = hashlib.sha256(SOURCE_TEXT.encode("utf-8")).hexdigest()
    manifest = {
        "primary": PRIMARY, "ontology_graph": GRAPH + "ontology", "links_graph": GRAPH + "links", "changes": [],
        "versions": [
            {"name": EARLIER, "label": "Meta Privacy Policy (UK), effective 7 April 2025", "jurisdiction": "uk",
             "effective": "2025-04-07", "graph": GRAPH + EARLIER, "notice": f"https://w3id.org/policykg/{EARLIER}/notice",
             "text_file": "meta-uk-2025-04-07.md", "sha256": "0" * 64, "triples": len(graphs[EARLIER][1])},
            {"name": PRIMARY, "label": "Meta Privacy Policy (UK), effective 16 June 2025", "jurisdiction": "uk",
             "effective": "2025-06-16", "graph": GRAPH + PRIMARY, "notice": f"https://w3id.org/policykg/{PRIMARY}/notice",
             "text_file": PRIMARY_TEXT_FILE, "sha256": sha, "triples": len(graphs[PRIMARY][1])},
        ],
        "triples": {"ontology": len(graphs["ontology"][1]), "links": len(graphs["links"][1])},
        "files": {graph: f"{stem}.nt" for stem, (graph, _) in graphs.items()},
    }
    write("dataset.json", (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode(), gz=False)
    write("void.ttl", VOID.encode("utf-8"), gz=False)
    write("processing-matrix.csv", (
        b"version,process,label,basis,purpose,information\n"
        b"meta-uk-2025-06-16,contract-personalising,Personalising the Meta Products,eu-gdpr:A6-1-b,personalising,"
        b"pd:Preference\n"), gz=False)
    lines = [f"{hashlib.sha256((out / name).read_bytes()).hexdigest()}  {name}\n" for name in sorted(names)]
    (out / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")
    texts = out / "texts"
    texts.mkdir(exist_ok=True)
    (texts / PRIMARY_TEXT_FILE).write_text(SOURCE_TEXT, encoding="utf-8")
    return out


# ---- starting real servers on 127.0.0.1 ----

def wait_for(url: str, process: subprocess.Popen, seconds: float = 60.0) -> None:
    """Poll url until it answers 2xx, failing early if the process dies."""
    wait_until_answers(url, process, seconds)


def stop(process: subprocess.Popen) -> None:
    """Terminate a server started by a fixture and wait for it."""
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@contextmanager
def running(command: list[str], health_url: str) -> Iterator[subprocess.Popen]:
    """Start a server process, wait until health_url answers, and stop it afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(health_url, process)
        yield process
    finally:
        stop(process)


@contextmanager
def oxigraph_serve(location: Path) -> Iterator[str]:
    """A real `oxigraph serve` (the oxigraph PyPI package) on 127.0.0.1 over location, union default graph."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(binary).exists():
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    base = f"http://127.0.0.1:{free_port()}"
    command = [binary, "serve", "--location", str(location), "--bind", base.removeprefix("http://"),
               "--union-default-graph", "--timeout-s", "5"]
    with running(command, base + "/query?query=ASK%7B%7D"):
        yield base


# ---- a real Virtuoso (Debian's virtuoso-opensource-7-bin), for the remote-engine tests ----

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
AllowOSCalls = 0
DirsAllowed = ., {dir}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}/www
MaxClientConnections = 10
ServerThreads = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
; as Debian ships them: a 10,000-row cap, "anytime" answers after 60 s, a 400 s planner estimate limit
ResultSetMaxRows = 10000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


@dataclass
class Virtuoso:
    """A Virtuoso started by `virtuoso_serve`: its HTTP base URL, its process, and the dba password it was given."""

    base: str
    process: subprocess.Popen
    sql_port: int
    password: str

    def isql(self, statement: str) -> str:
        """Run one SQL statement as dba with isql-vt (raises on failure)."""
        done = subprocess.run(["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", self.password, f"exec={statement}"],
                              capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt {statement!r} failed: {done.stdout[-500:]} {done.stderr[-500:]}")
        return done.stdout

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user + system, from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def virtuoso_serve(location: Path) -> Iterator[Virtuoso]:
    """A real Virtuoso on free 127.0.0.1 ports with a new database in location, a generated virtuoso.ini (Debian's
    [SPARQL] limits) and a generated dba password."""
    binary = shutil.which("virtuoso-t")
    if binary is None or shutil.which("isql-vt") is None:
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource-7-bin; .ci/run does)")
    location.mkdir(parents=True, exist_ok=True)
    (location / "www").mkdir(exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    (location / "virtuoso.ini").write_text(VIRTUOSO_INI.format(dir=location, sql_port=sql_port, http_port=http_port),
                                            encoding="utf-8")
    base = f"http://127.0.0.1:{http_port}"
    command = [binary, "-f", "-c", str(location / "virtuoso.ini")]
    process = subprocess.Popen(command, cwd=location, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(base + "/sparql?query=ASK%7B%7D", process, seconds=120)
        server = Virtuoso(base, process, sql_port, "dba")
        password = "pk-" + secrets.token_hex(8)
        server.isql(f"user_set_password('dba', '{password}')")
        server.password = password
        yield server
    finally:
        stop(process)


def policykg_command() -> list[str]:
    """The installed `policykg` console script of this environment (beside its python), never a `-m` fallback."""
    script = Path(sys.executable).with_name("policykg")
    assert script.is_file(), f"the policykg console script is not installed beside {sys.executable}"
    return [str(script)]


def poll(condition: Callable[[], object], what: str, seconds: float = 30.0, every: float = 0.02):
    """Wait until condition() is truthy (returning its value), failing with `what` after a deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")
        time.sleep(every)


# ---- a local socket that records who connects to it ----

SPARQL_JSON_ANSWER = (b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"from the trap"}}]}}')
HTTP_ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nContent-Length: "
               + str(len(SPARQL_JSON_ANSWER)).encode() + b"\r\nConnection: close\r\n\r\n" + SPARQL_JSON_ANSWER)
CANARY = b"CANARY / HTTP/1.1\r\n\r\n"


class Trap:
    """A listening socket on 127.0.0.1 that records every connection made to it, in the order they were accepted.

    `answer(index, request)` gives the bytes to send back to the index-th connection, or None to send nothing and
    hold the connection open until the peer closes it (the default: a SPARQL endpoint that never answers).
    """

    def __init__(self, answer: Callable[[int, bytes], bytes | None] | None = None) -> None:
        self.answer = answer or (lambda index, request: None)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._read: list[bool] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._changed:  # recorded here, in accept order, before anything is read
                index = len(self.connections)  # (reset() may later clear the list; indexes restart from 0)
                self.connections.append(b"")
                self._read.append(False)
            threading.Thread(target=self._serve, args=(conn, index), daemon=True).start()

    def _serve(self, conn: socket.socket, index: int) -> None:
        conn.settimeout(30)
        data = b""
        with conn:
            try:
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                length = re.search(rb"(?im)^content-length:\s*(\d+)", data)
                if length:  # read the body too, so closing the socket does not reset the connection under the client
                    wanted = data.index(b"\r\n\r\n") + 4 + int(length.group(1))
                    while len(data) < wanted and (chunk := conn.recv(65536)):
                        data += chunk
            except OSError:
                pass
            with self._changed:
                if index < len(self.connections):  # not forgotten by reset() meanwhile
                    self.connections[index] = data
                    self._read[index] = True
                self._changed.notify_all()
            reply = self.answer(index, data)
            try:
                if reply is not None:
                    conn.sendall(reply)
                else:
                    while conn.recv(4096):  # hold it open until the peer goes away
                        pass
            except OSError:
                pass

    def wait_for(self, count: int, seconds: float = 30.0) -> list[bytes]:
        """Wait until `count` connections have arrived and sent their request; return all requests so far."""
        with self._changed:
            if not self._changed.wait_for(lambda: sum(self._read) >= count, seconds):
                raise AssertionError(f"the trap saw {sum(self._read)} connections within {seconds:g} s, not {count}")
            return list(self.connections)

    def probe(self) -> list[bytes]:
        """Connect ourselves (a positive control) and return every request seen up to and including ours.

        Connections are recorded in the order they are accepted, so whatever connected before the probe is listed
        before it: the probe proves the trap was listening and recording, and that nothing else came first.
        """
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as probe:
            probe.sendall(CANARY)
            with self._changed:
                seen = self._changed.wait_for(lambda: CANARY in self.connections, 10)
                assert seen, "the trap did not see the probe connection: it could not have seen any other either"
                return self.connections[: self.connections.index(CANARY) + 1]

    def assert_never_contacted(self) -> None:
        """Prove that nothing has connected to the trap so far."""
        assert self.probe() == [CANARY], f"something connected to the trap: {self.connections}"

    def reset(self) -> None:
        """Forget the connections seen so far (connections still open stay as they are)."""
        with self._changed:
            self.connections.clear()
            self._read.clear()

    def close(self) -> None:
        self.sock.close()


@contextmanager
def trap_socket(answer: Callable[[int, bytes], bytes | None] | None = None) -> Iterator[Trap]:
    """A Trap, closed afterwards."""
    found = Trap(answer)
    try:
        yield found
    finally:
        found.close()
