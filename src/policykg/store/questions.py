"""Competency questions: the SPARQL files in queries/, their expected results per version, and running them.

A competency question is `queries/cqNN-some-name.rq`; its first comment line is the question in plain English. It
names no version: it reads the notice of the dataset it is asked of (`?notice a dpv:PrivacyNotice` in the default
graph), so one text answers on every version. Comment lines in its header say, machine-readably, where it applies
(policykg.store.applicability, decision 30): `# dataset: all` for a question that compares versions (asked of every
graph at once), `# requires: KIND, ...` for what the version must state (legal-bases, audiences,
legitimate-interests, applicable-law) or the store must hold (dpv); `# topic:` groups it on the query page, and
`# concatenated: VAR` makes a GROUP_CONCAT's value compare as the multiset of its items.

Expected results are SPARQL 1.1 Query Results JSON (`.srj`, or `.csv`): for a question of one version, one file per
version it applies to, `queries/expected/<version>/cqNN-some-name.srj`; for a question across versions, one file
beside the query. Results are compared as in policykg.store.results.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykg.errors import PolicyKGError
from policykg.store.applicability import ALL, unknown_requirements
from policykg.store.results import (  # noqa: F401 - the questions' API re-exports the results' one
    RDF_LANGSTRING,
    XSD_STRING,
    QueryResult,
    Term,
    compare,
    dumps_csv,
    dumps_json,
    from_sparql_csv,
    from_sparql_json,
    read_result,
    to_dataframe,
    to_sparql_json,
    value_key,
)
from policykg.store.sparql_lexer import explain_syntax_error, is_ordered

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pyoxigraph

EXPECTED_SUFFIXES = (".srj", ".csv")
#: The folder (beside the questions) holding the expected results of each version: expected/<version>/<name>.srj.
EXPECTED_DIR = "expected"
_REQUIRES = re.compile(r"^#\s*requires:\s*(.+)$", re.MULTILINE)
_DATASET = re.compile(r"^#\s*dataset:\s*(\S+)", re.MULTILINE)
_TOPIC = re.compile(r"^#\s*topic:\s*(.+?)\s*$", re.MULTILINE)
_CONCATENATED = re.compile(r"^#\s*concatenated:\s*(.+)$", re.MULTILINE)


class QueryError(PolicyKGError):
    """A competency question is unknown, unreadable or not valid SPARQL."""


class NotApplicable(QueryError):
    """A competency question asked of a dataset it cannot answer on; `reason` says why in a sentence."""

    def __init__(self, reason: str, **where: Any) -> None:
        self.reason = reason
        super().__init__(reason, **where)


@dataclass(frozen=True)
class CompetencyQuestion:
    """One competency question: its name, the question in English, the SPARQL text, and where it applies."""

    name: str
    question: str
    text: str
    path: Path
    requires: frozenset[str]
    #: "all" when the question compares versions (asked of every graph at once); None: asked of one version.
    dataset: str | None = None
    #: The topic the query page groups it under.
    topic: str | None = None
    #: Variables holding a GROUP_CONCAT, whose items engines may join in any order (`# concatenated: VAR`).
    concatenated: frozenset[str] = frozenset()

    @property
    def ordered(self) -> bool:
        """True when the query fixes the order of its rows (ORDER BY)."""
        return is_ordered(self.text)

    @property
    def requires_dpv(self) -> bool:
        """True when the question needs the DPV vocabulary in the store."""
        return "dpv" in self.requires

    @property
    def across_versions(self) -> bool:
        """True when the question compares versions (`# dataset: all`)."""
        return self.dataset == ALL

    def expected_file(self, version: str | None = None) -> Path | None:
        """The expected result for a version (None: the registry's primary version), or for a question across
        versions the one beside it; None when there is none."""
        if self.across_versions:
            stem = self.path.with_suffix("")
        else:
            stem = self.path.parent / EXPECTED_DIR / (version or _primary()) / self.name
        return next((p for p in (stem.with_name(stem.name + s) for s in EXPECTED_SUFFIXES) if p.is_file()), None)

    def expected(self, version: str | None = None) -> QueryResult:
        """The expected result for a version (see expected_file)."""
        path = self.expected_file(version)
        if path is None:
            where = "beside it" if self.across_versions else f"in {EXPECTED_DIR}/{version or _primary()}/"
            raise QueryError(f"no expected result (.srj or .csv) {where}", path=self.path)
        return read_result(path)


def _primary() -> str:
    from policykg.sources.versions import load_registry  # the registry's YAML is read only when asked

    return load_registry().primary


def question_of(text: str) -> str:
    """The first comment line of a query, without the '#'."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            return stripped.lstrip("#").strip()
        if stripped:
            break
    return ""


def header_marks(text: str, path: Path | None = None) -> tuple[frozenset[str], str | None]:
    """The `# requires:` kinds and the `# dataset:` of a query's header; QueryError naming the file and line for a
    kind or dataset it does not know."""
    requires: set[str] = set()
    for match in _REQUIRES.finditer(text):
        kinds = {x.strip().lower() for x in match.group(1).split(",") if x.strip()}
        unknown = unknown_requirements(kinds)
        if unknown:
            from policykg.store.applicability import REQUIREMENTS

            raise QueryError(f"unknown requirement {', '.join(map(repr, unknown))} in '# requires:'; known: "
                             + ", ".join(REQUIREMENTS), path=path, line=text.count("\n", 0, match.start()) + 1)
        requires |= kinds
    dataset = _DATASET.search(text)
    if dataset and dataset.group(1) != ALL:
        raise QueryError(f"'# dataset: {dataset.group(1)}': a question names no version; only '# dataset: all' "
                         "(a question across versions) is known", path=path,
                         line=text.count("\n", 0, dataset.start()) + 1)
    return frozenset(requires), ALL if dataset else None


def load_question(path: Path) -> CompetencyQuestion:
    """Read one .rq file and its header."""
    path = Path(path)
    if not path.is_file():
        raise QueryError("no such query file", path=path)
    text = path.read_text(encoding="utf-8")
    requires, dataset = header_marks(text, path)
    topic = _TOPIC.search(text)
    concatenated = frozenset(x.strip().lstrip("?") for m in _CONCATENATED.finditer(text) for x in m.group(1).split(","))
    return CompetencyQuestion(path.stem, question_of(text), text, path, requires, dataset,
                              topic.group(1) if topic else None, concatenated)


def load_questions(directory: Path | None = None) -> list[CompetencyQuestion]:
    """Every competency question in a folder (default: the project's queries/), sorted by name."""
    from policykg.config import queries_dir

    folder = Path(directory) if directory else queries_dir()
    return [load_question(p) for p in sorted(folder.glob("*.rq"))]


def get_question(name: str, directory: Path | None = None) -> CompetencyQuestion:
    """A competency question by full name (cq01-purposes-by-legal-basis) or number prefix (cq01)."""
    questions = load_questions(directory)
    for cq in questions:
        if cq.name == name:
            return cq
    matches = [cq for cq in questions if cq.name.split("-", 1)[0] == name]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(cq.name for cq in questions) or "none"
    raise QueryError(f"unknown competency question {name!r}; known: {known}")


def run_query(store: pyoxigraph.Store, text: str, default_graph_uris: Sequence[str] = ()) -> QueryResult:
    """Run a SELECT or ASK over the store's union graph (or the default graphs given, every graph still reachable
    by GRAPH); raise QueryError with the position on a syntax error (an unknown prefix named as such)."""
    import pyoxigraph as ox

    from policykg.store.dataset import query

    try:
        result = query(store, text, default_graph_uris=default_graph_uris)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {explain_syntax_error(text, str(exc))}") from exc
    if isinstance(result, ox.QueryBoolean):
        return QueryResult(boolean=bool(result))
    if not isinstance(result, ox.QuerySolutions):
        raise QueryError("only SELECT and ASK queries give a table of results")
    variables = tuple(v.value for v in result.variables)
    rows = tuple(
        {name: _term_of(solution[name]) for name in variables if solution[name] is not None} for solution in result
    )
    return QueryResult(variables, rows)


def run_question(store: pyoxigraph.Store, cq: CompetencyQuestion, default_graph_uris: Sequence[str] = ()) -> QueryResult:
    """Run a competency question against a store (its union graph, or the default graphs given), as it is: whether
    it applies there is the caller's to ask (policykg.store.applicability)."""
    return run_query(store, cq.text, default_graph_uris)


def _term_of(node: Any) -> Term:
    import pyoxigraph as ox

    if isinstance(node, ox.NamedNode):
        return ("uri", node.value, "")
    if isinstance(node, ox.BlankNode):
        return ("bnode", node.value, "")
    if node.language:
        return ("literal", node.value, "@" + node.language.lower())
    datatype = node.datatype.value
    return ("literal", node.value, "" if datatype == XSD_STRING else datatype)


def check_question(store: pyoxigraph.Store, cq: CompetencyQuestion, default_graph_uris: Sequence[str] = (),
                   version: str | None = None) -> list[str]:
    """Run a competency question and compare it with its expected result for `version`; return the differences."""
    actual = run_question(store, cq, default_graph_uris)
    expected_file = cq.expected_file(version)
    return compare(cq.expected(version), actual, ordered=cq.ordered,
                   lexical=expected_file is not None and expected_file.suffix == ".csv", concatenated=cq.concatenated)
