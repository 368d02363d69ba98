"""Every extension point of plangraph.extensions: each built-in loads, satisfies its
protocol on real input, and is the one the code picks for its name."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest

from plangraph.extensions import EXTENSION_POINTS, PROTOCOLS, Extension, implementation
from plangraph.graph.engines import SparqlEngine
from plangraph.graph.worker import KINDS, open_engine
from plangraph.ingest.formats import FORMATS, Canonical, FormatReader, detect_format, read_canonical
from plangraph.search.encoders import ENCODER_CHOICES, Encoder, get_encoder
from plangraph.search.read.backend import SearchBackend
from plangraph.workspace import Workspace

FORMAT_FILES = Path(__file__).parent / "data" / "formats"
LINAN = "linan-2022-education-14th-fyp"


def test_every_extension_point_names_its_protocol_and_the_protocol_exists() -> None:
    assert set(PROTOCOLS) == set(EXTENSION_POINTS)
    for point, target in PROTOCOLS.items():
        protocol = Extension(target, point).load()
        assert getattr(protocol, "_is_protocol", False), f"{target} is not a typing.Protocol"
        assert getattr(protocol, "_is_runtime_protocol", False), f"{target} is not runtime_checkable"


@pytest.mark.parametrize(("point", "name"), [(p, n) for p, table in EXTENSION_POINTS.items() for n in table])
def test_every_builtin_loads_and_has_its_protocols_methods(point: str, name: str) -> None:
    made = implementation(point, name).load()
    protocol = Extension(PROTOCOLS[point], point).load()
    methods = [m for m, v in vars(protocol).items() if callable(v) and not m.startswith("_")]
    if point == "format reader":
        assert isinstance(made, FormatReader)
        inspect.signature(made).bind(b"", "plan.txt")  # takes (data, name)
    else:
        missing = [m for m in methods if not callable(getattr(made, m, None))]
        assert not missing, f"{made.__name__} lacks {missing} of {protocol.__name__}"


def test_a_bad_target_or_an_unknown_name_is_refused() -> None:
    with pytest.raises(ValueError, match="plangraph.<module>:<attribute>"):
        Extension("os:path", "outside the package")
    with pytest.raises(KeyError):
        implementation("encoder", "e6")
    assert implementation("encoder", "st:./models/bge").target.endswith(":SentenceTransformerEncoder")


def test_the_names_the_code_accepts_are_the_registrys() -> None:
    assert FORMATS == tuple(EXTENSION_POINTS["format reader"])
    assert KINDS == tuple(EXTENSION_POINTS["SPARQL engine"])
    assert [c.split("<")[0] for c in ENCODER_CHOICES] == list(EXTENSION_POINTS["encoder"])


@pytest.mark.parametrize("suffix", [".html", ".docx", ".pdf"])
def test_each_format_reader_reads_the_same_plan(suffix: str) -> None:
    data = (FORMAT_FILES / f"{LINAN}{suffix}").read_bytes()
    fmt = detect_format(f"{LINAN}{suffix}", data)
    reader: FormatReader = implementation("format reader", fmt).load()
    doc = reader(data, f"{LINAN}{suffix}")
    assert isinstance(doc, Canonical) and doc.format == fmt
    assert "临安区教育事业发展“十四五”规划" in doc.text.replace(" ", "")
    assert read_canonical(data, f"{LINAN}{suffix}").text == doc.text  # the reader the registry picks


def test_the_text_reader_passes_text_through() -> None:
    doc = implementation("format reader", "text").load()("一、总体要求\n到2025年。\n".encode(), "p.txt")
    assert (doc.format, doc.text) == ("text", "一、总体要求\n到2025年。\n")


def test_the_fake_encoder_satisfies_the_encoder_protocol() -> None:
    enc = get_encoder("fake")
    assert isinstance(enc, Encoder) and type(enc) is implementation("encoder", "fake").load()
    vectors = enc.encode_queries(["教师队伍建设", "teacher training"])
    assert vectors.shape == (2, enc.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_local_searcher_is_a_search_backend(district_index: Path) -> None:
    ws = Workspace(district_index)
    searcher = ws.searcher
    assert isinstance(searcher, SearchBackend)
    assert type(searcher) is implementation("search backend", "local").load()
    hits, _ = searcher.search_with_scope("教师队伍建设", 3, scoped=False)
    assert len(hits) == 3 and all("教师" in h.text or "师资" in h.text for h in hits)
    assert ws.lexical_query("教师队伍建设") == "教师队伍建设"


def test_the_engines_are_sparql_engines(district_index: Path, district_trig: Path) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?p a pg:Plan }"
    store = open_engine("store", str(Workspace(district_index).graph_location))
    memory = open_engine("memory", str(district_trig))
    parsed = open_engine("rdflib", str(district_trig))
    remote = open_engine("remote", "http://127.0.0.1:9/sparql")  # nothing is sent until a query
    for engine in (store, memory, parsed, remote):
        assert isinstance(engine, SparqlEngine)
    answers = {kind: e.rows(count, None)[1][0][0] for kind, e in
               (("store", store), ("memory", memory), ("rdflib", parsed))}
    assert answers == {"store": 2, "memory": 2, "rdflib": 2}
