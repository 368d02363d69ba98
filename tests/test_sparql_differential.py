"""One text for guard and engine (#22): what the guard lets through means the same to
Oxigraph as to rdflib, the parser the guard decides on.

A seeded generator writes queries that mix comments, the four kinds of string, IRIs,
"<" as IRI or operator, codepoint escapes, keywords spelt with non-ASCII letters and
every line terminator around SERVICE, FROM and LOAD aimed at a listener on 127.0.0.1.
Every query the guard admits runs on both engines in this process (no worker, no
network sandbox): the listener must see no connection, no FROM may pick the listener's
graph, Oxigraph's update parser must refuse the text, and the two engines must answer
the same rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from plangraph.errors import QueryError
from plangraph.graph.engines import OxigraphEngine, RdflibEngine
from plangraph.graph.guard import check_query
from plangraph.graph.querytext import canonical_query
from plangraph.graph.runner import QueryRunner

from .hostile import Listener

SEED = 22
COUNT = 800
MARKER = "leak"
TERMINATORS = ("\n", "\r", "\r", "\r", "\r\n", "\n\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\x00",
               "\\u000A", "\\u000D", "\\U0000000A", "\\u2028", "\\u0085", "\\U000A", "\\u005Cu000A")
QUOTES = ('"', "'", '"""', "'''")
STRING_ATOMS = ("text", "中文", " ", "#", "}", "{", "<", ">", "\\\\", '\\"', "\\'", "\\n", "\\t", '"', "'", '""',
                "''", "\\u0022", "\\u0027", "\\u005C", "\\u005C\\u0022", "\\U00000022", "\\u0023", "\\u007D",
                "\\u000A", "\\u0009", "\\u4E2D", "\\\\u0022", "\\\\\\u0022")
IRI_ATOMS = ("?o", "?o=1", "a", "b/c", "#f", "?q=1", "%20", "\\u0041", "\\u003E", "\\u0020", "\\u0022", "中",
             "\\u005C")


def payloads(url: str) -> tuple[str, ...]:
    return (f"SERVICE <{url}> {{ ?a ?b ?c }}", f"SERVICE SILENT <{url}> {{ ?a ?b ?c }}",
            f"SERV\u0131CE <{url}> {{ ?a ?b ?c }}", f"\u017fERVICE <{url}> {{ ?a ?b ?c }}",
            "SERVICE ex:x { ?a ?b ?c }", f"}} ; LOAD <{url}> #", f"BIND(1 AS ?z) }} SERVICE <{url}> {{ ?a ?b ?c")


class QueryWriter:
    """Writes one query at a time from a seeded generator."""

    def __init__(self, rng: random.Random, url: str, exotic: float = 0.4, comments: float = 0.3) -> None:
        self.rng, self.url, self.payloads, self.exotic, self.comments = rng, url, payloads(url), exotic, comments
        self.var = 0

    def pick(self, options: tuple[str, ...]) -> str:
        return self.rng.choice(options)

    def terminator(self) -> str:
        return self.pick(TERMINATORS) if self.rng.random() < self.exotic else "\n"

    def comment(self) -> str:
        tail = self.pick(self.payloads) if self.rng.random() < 0.6 else ""
        return f"# c{self.pick(STRING_ATOMS)}{self.terminator()}{tail}{self.terminator()}"

    def string(self) -> str:
        """A string literal; most of them well formed as written (no raw quote of their own kind)."""
        quote = self.pick(QUOTES)
        clean = self.rng.random() < 0.75
        parts: list[str] = []
        for _ in range(self.rng.randint(0, 8)):
            roll = self.rng.random()
            part = (self.pick(self.payloads) if roll < 0.3 else self.terminator() if roll < 0.34
                    else self.pick(QUOTES) if roll < 0.42 else self.pick(STRING_ATOMS))
            if not clean or (quote[0] not in part and (len(quote) > 1 or part not in TERMINATORS)):
                parts.append(part)
        self.var += 1
        return f"BIND({quote}{''.join(parts)}{quote} AS ?v{self.var})"

    def iri(self) -> str:
        self.var += 1
        path = "".join(self.pick(IRI_ATOMS) for _ in range(self.rng.randint(0, 3)))
        return f"BIND(<http://example.org/{path}> AS ?v{self.var})"

    def filter(self) -> str:
        """A "<" that may open an IRI or compare, with a "#" after it: a comment, or part of an IRI?"""
        return f"FILTER(?o <{self.pick(IRI_ATOMS)}#{self.pick(self.payloads)}{self.terminator()}) "

    def query(self) -> str:
        self.var = 0
        parts = ["OPTIONAL { ?s <urn:p> ?o }"]
        for _ in range(self.rng.randint(1, 3)):
            roll = self.rng.random()
            rest = (roll - self.comments) / (1 - self.comments) if roll >= self.comments else 0.0
            parts.append(self.comment() if roll < self.comments else self.string() if rest < 0.57 else self.iri()
                         if rest < 0.71 else self.filter() if rest < 0.89 else self.pick(self.payloads))
        head = f"PREFIX ex: <{self.url.rsplit('/', 1)[0]}/>" + self.pick(("\n", " ", "\r"))
        if self.rng.random() < 0.1:
            head = "\ufeff" + head
        dataset = ""
        if self.rng.random() < 0.25:  # a FROM the listener's graph, in plain sight or behind a comment
            dataset = f"# from{self.terminator()}FROM <{self.url}>\n" if self.rng.random() < 0.8 \
                else f"FROM <{self.url}>\n"
        sep = self.pick((" ", "\n", "\r\n", "\t"))
        tail = self.comment() if self.rng.random() < 0.2 else ""
        return f"{head}SELECT *{sep}{dataset}WHERE {{{sep}{sep.join(parts)}{sep}}}{sep}{tail}"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with Listener() as lis:
        yield lis


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory, listener: Listener) -> Path:
    """A plan graph and, named by the listener's URL, a graph whose triple must never show."""
    path = tmp_path_factory.mktemp("differential") / "graph.trig"
    path.write_text(f'<urn:g> {{ <urn:s> <urn:p> "plan" . }}\n<{listener.url}> {{ <urn:s> <urn:p> "{MARKER}" . }}\n',
                    encoding="utf-8")
    return path


def table(columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[list[tuple[str, str]]]:
    return sorted(sorted((c, repr(v)) for c, v in zip(columns, row) if v is not None) for row in rows)


def fuzz(listener: Listener, graph_file: Path, queries: Iterable[str]) -> dict[str, int]:
    """Run queries through the guard and both engines; what happened, counted."""
    import pyoxigraph as ox

    oxigraph, rdflib = OxigraphEngine(graph_file, in_memory=True), RdflibEngine(graph_file)
    raw = ox.Store()
    raw.load(path=str(graph_file), format=ox.RdfFormat.TRIG)
    seen = {"admitted": 0, "admitted with SERVICE, FROM or LOAD in its text": 0, "refused": 0,
            "same rows": 0, "oxigraph refused": 0}
    for query in queries:
        try:
            checked = check_query(query, allowed_graphs={"urn:g"})
        except QueryError:
            seen["refused"] += 1
            continue
        seen["admitted"] += 1
        seen["admitted with SERVICE, FROM or LOAD in its text"] += any(
            w in checked.text for w in ("SERVICE", "FROM <", "LOAD"))
        with pytest.raises(SyntaxError):
            raw.update(checked.text)
        try:  # the text as it is on a plain store: a FROM the guard missed would pick the marker graph
            rows = raw.query(checked.text)
            assert not any(MARKER in str(row) for row in rows), query
        except SyntaxError:
            pass
        try:
            on_oxigraph = table(*oxigraph.rows(query, None)[:2])
        except QueryError:
            seen["oxigraph refused"] += 1  # fails closed: an IRI Oxigraph finds invalid, say
            continue
        assert on_oxigraph == table(*rdflib.rows(query, None)[:2]), query
        seen["same rows"] += 1
        assert listener.connections == [], query
    return seen


def test_what_the_guard_admits_means_the_same_to_oxigraph(listener: Listener, graph_file: Path) -> None:
    writer = QueryWriter(random.Random(SEED), listener.url)
    seen = fuzz(listener, graph_file, (writer.query() for _ in range(COUNT)))
    assert listener.connections == []
    # the generator must reach both sides of the guard, and hide its payloads often
    assert seen["admitted"] >= COUNT // 10 and seen["refused"] >= COUNT // 2, seen
    assert seen["admitted with SERVICE, FROM or LOAD in its text"] >= 40, seen
    assert seen["same rows"] >= seen["admitted"] * 3 // 4, seen


TRICKS = [
    # "<" an operator to both, so "#>) SERVICE" is a comment to both
    "SELECT * WHERE { BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a <?b#>) SERVICE <URL> { ?x ?y ?z }\n) }",
    # a quote inside a comment after a string that holds a "#"
    'SELECT * WHERE { ?s <urn:p> ?o FILTER(?o != "a#") # " SERVICE <URL> { }\n}',
    # long strings ending in an escaped quote, or in quotes of their own kind
    "SELECT * WHERE { BIND('''a\\'''' AS ?x) # ''' SERVICE <URL> { }\n}",
    'SELECT * WHERE { BIND("""a""\\"""" AS ?x) # """ SERVICE <URL> { }\n}',
    "SELECT * WHERE { BIND('''a'' ''' AS ?x) # SERVICE <URL> { }\n}",
    # a "#" inside an IRI and inside a string is no comment
    "SELECT * WHERE { BIND(<urn:a#b> AS ?x) BIND('#' AS ?y) # SERVICE <URL> { }\n}",
    # an escape inside a comment
    "SELECT * WHERE { ?s <urn:p> ?o } # \\u0020 SERVICE <URL> { }\n",
]


def test_hand_written_tricks_mean_the_same_to_both_engines(listener: Listener, graph_file: Path) -> None:
    seen = fuzz(listener, graph_file, [t.replace("URL", listener.url) for t in TRICKS])
    assert seen["same rows"] == len(TRICKS), seen
    assert listener.connections == []


def test_the_fuzzer_has_teeth_without_one_text(listener: Listener, graph_file: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """With the guard judging the text as given (rdflib's reading) and the engine running
    it as given (Oxigraph's), the same queries reach the listener."""
    import pyoxigraph as ox

    from plangraph.graph import guard

    store = ox.Store()
    # mostly comments, and line ends other than LF: where the two parsers split first
    writer = QueryWriter(random.Random(SEED), listener.url, exotic=0.6, comments=0.8)
    for _ in range(COUNT):
        query = writer.query()
        try:
            if canonical_query(query) == query:
                continue  # nothing for one text to change
        except QueryError:
            pass
        with monkeypatch.context() as patch:
            patch.setattr(guard, "canonical_query", lambda text: text)
            try:
                guard.check_query(query)
            except QueryError:
                continue
        before = len(listener.connections)
        try:
            list(store.query(query))  # type: ignore[arg-type]
        except (SyntaxError, OSError, RuntimeError, ValueError):
            pass
        if len(listener.connections) > before:
            break
    else:
        pytest.fail(f"none of {COUNT} queries reached the listener")
    listener.connections.clear()


def test_a_comment_ended_by_a_carriage_return_reaches_no_listener(graph_file: Path) -> None:
    """The reproduction of #22: rdflib ended the comment at LF only, Oxigraph at CR too."""
    import pyoxigraph as ox

    with Listener(lifetime_s=60) as lis:
        query = f"SELECT * WHERE {{ ?s ?p ?o . # c\rSERVICE <{lis.url}> {{ ?a ?b ?c }}\n}}"
        with pytest.raises(QueryError, match="^SERVICE is not allowed"):
            check_query(query)
        # a runner without the network sandbox, so only the guard stands in the way
        with QueryRunner("memory", graph_file, sandbox=False) as runner:
            with pytest.raises(QueryError, match="^SERVICE is not allowed"):
                runner.run(query)
        assert lis.connections == []
        store = ox.Store()  # the teeth: Oxigraph alone follows it
        store.load(path=str(graph_file), format=ox.RdfFormat.TRIG)
        with pytest.raises(OSError):
            list(store.query(query, use_default_graph_as_union=True))  # type: ignore[arg-type]
        assert len(lis.connections) == 1 and lis.connections[0].startswith(b"POST /x ")


def test_an_escaped_quote_is_one_character_to_both_engines(graph_file: Path) -> None:
    """rdflib expands \\u0022 before parsing and so read a string here, which Oxigraph
    used to read as a quote inside a string followed by SERVICE."""
    with Listener(lifetime_s=60) as lis:
        query = (f"SELECT ?y WHERE {{ BIND(\"\\u0022\" AS ?x) SERVICE <{lis.url}> {{ ?a ?b ?c }} "
                 "BIND('\"\"\" AS ?y) #' AS ?z)\n}")
        with QueryRunner("memory", graph_file, sandbox=False) as runner:
            columns, rows = runner.run(query)
        assert lis.connections == []
        assert (columns, rows) == (("y",), [(f" AS ?x) SERVICE <{lis.url}> {{ ?a ?b ?c }} BIND('",)])


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT * WHERE { # c\u2028}", "line 1, column 21: the character U+2028 is not allowed"),
    ("SELECT * WHERE {\n BIND('\\u000D' AS ?x) }", "line 2, column 8: the character U+000D written by a \\u escape"),
    ("SELECT * WHERE { BIND('\\u005Cu0041' AS ?x) }", "line 1, column 24: \\u0041 is read differently"),
    ("SELECT * WHERE { BIND('\\uD800' AS ?x) }", "\\uD800 is not a Unicode character"),
])
def test_characters_parsers_disagree_on_are_refused_by_line_and_column(query: str, message: str) -> None:
    with pytest.raises(QueryError, match="^malformed SPARQL") as exc:
        check_query(query)
    assert message in exc.value.message


def test_the_engine_runs_the_canonical_text(graph_file: Path) -> None:
    """CRLF line ends, a byte-order mark, tabs and escapes a user may write still work."""
    checked = check_query("\ufeffSELECT ?x # Windows\r\nWHERE { BIND(\"\\u4E2D\\U0001F600\" AS ?x) }\r\n")
    assert checked.text == "SELECT ?x # Windows\nWHERE { BIND(\"中\U0001F600\" AS ?x) }\n"
    engine = OxigraphEngine(graph_file, in_memory=True)
    assert engine.rows("SELECT ?x\r\nWHERE {\tBIND('a\\tb' AS ?x) }", None)[1] == [("a\tb",)]
    assert check_query("ASK {\tFILTER('a\tb' != '')}").text == "ASK {   FILTER('a       b' != '')}"


def test_parameter_values_keep_the_bound_text_canonical(graph_file: Path) -> None:
    engine = OxigraphEngine(graph_file, in_memory=True)
    query = "SELECT ?v WHERE { BIND(?plan AS ?v) }"
    assert engine.rows(query, {"plan": 'a"b\\c\nd\re'})[1] == [('a"b\\c\nd\re',)]
    for value in ("a\\u0022b", "a\u2028b", "a\x0bb"):
        with pytest.raises(QueryError, match="^parameter 'plan': the value holds"):
            engine.rows(query, {"plan": value})


def test_bound_parameters_keep_every_named_query_one_text(listener: Listener) -> None:
    """Binding writes values into the judged text: the bound text must be canonical and
    pass the guard as the same form, whatever the value (else the value is refused)."""
    from plangraph.graph.bindings import bind_params
    from plangraph.graph.sparql import named_queries
    from plangraph.graph.vocab import PREFIXES

    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    rng = random.Random(SEED)
    writer = QueryWriter(rng, listener.url)
    bound = refused = 0
    for nq in named_queries().values():
        form = check_query(nq.text, prefixes=prefixes).form
        for _ in range(10):
            value = "".join(rng.choice((*STRING_ATOMS, *QUOTES, *writer.payloads, "\n", "\r", "\t"))
                            for _ in range(rng.randint(1, 4)))
            try:
                text = bind_params(nq.text, {p: value for p, _ in nq.params})
            except QueryError:
                refused += 1
                continue
            checked = check_query(text, prefixes=prefixes)
            assert (checked.text, checked.form) == (text, form), value
            bound += 1
    assert bound >= 20 and refused >= 5, (bound, refused)


def test_only_the_engines_hand_query_text_to_an_engine() -> None:
    """A new path to ``Store.query`` / ``Graph.query`` would bypass the one text: only the
    engines (after the guard), the stored views (the library's own .rq files) and the
    store's writer (updates it writes from the plans' triples) call them."""
    import re

    src = Path(__file__).resolve().parents[1] / "src" / "plangraph"
    calls = re.compile(r"\b(store|ds|graph|self\.store|self\.ds)\.(query|update)\(")
    found = sorted(str(p.relative_to(src)) for p in src.rglob("*.py") if calls.search(p.read_text("utf-8")))
    assert found == ["graph/engines.py", "graph/store.py", "graph/views.py"]
