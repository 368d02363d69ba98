"""Passages, vectors and the lexical index in Milvus, synced plan by plan from an index's shards.

A search server for corpora past what one machine's index folder serves well. The
local index stays the source: :func:`sync_index` copies each plan's search shard
(:mod:`plangraph.search.shard`: passages and float16 vectors, already embedded) into
two Milvus collections, and :mod:`plangraph.search.read.milvus_search` ranks from them with
the same fusion as the local searcher. Nothing is embedded again.

Collections (``<prefix>_passages`` and, when an encoder scores sentences,
``<prefix>_sentences``)::

    pk        INT64, a hash of the passage id (of passage id and sentence number)
    plan_id   the plan; a plan is replaced or removed by ``plan_id == "x"``
    shard     the shard folder it came from (``<plan>-<sha12>``, changes with its content)
    pos       the passage's position in its shard (ties of the fusion break by it)
    passage_id  the passage's id, for the caller's filters
    passage   the Passage as JSON, for citations (passages only); its pk (sentences)
    section   the section path joined by " > ", for the section filter
    folded    the folded text without white space, for exact phrases (passages only)
    terms     plangraph's own lexical terms (character bigrams by default), one ASCII
              word each, read by Milvus's BM25 function into the sparse field ``bm25``
              (passages only)
    v0, v1 …  one FLOAT_VECTOR per encoder (passages), s0 … per sentence-level encoder
    start, end  a sentence's span in its passage's content (sentences only)

Terms go in as ASCII words (``x`` and the base-36 code points of the term) so that the
standard analyzer of milvus-lite and of a Milvus server both read one term as one
token: their analyzers cut Chinese differently, plangraph's tokenisation is the one
that was measured. Which encoders and which tokenisation a collection holds is
recorded in its properties; a searcher or a sync with other encoders is refused.

A plan is written sentences first, then its passages, and its first passage (``pos
== 0``, the marker) last; it is deleted marker first. So a plan whose marker is there
is complete, and :meth:`MilvusStore.synced` (plan → shard of the markers) is the
state a sync compares with: a plan whose shard is unchanged costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from plangraph.errors import IndexStoreError, UsageError
from plangraph.search.lexical import STOP_TERMS, TOKENIZATIONS, tokenize

SCHEME = "milvus:"
BACKEND_CHOICES = ("local", "milvus:<file.db>", "milvus:http://HOST:19530")
TOKEN_ENV = "PLANGRAPH_MILVUS_TOKEN"
"""A Milvus server's token (``user:password`` or an API key), read from the environment
so that it never shows in a command line."""
DB_ENV = "PLANGRAPH_MILVUS_DB"
PREFIX = "plangraph"
META = "plangraph.meta"
FORMAT = 1
MAX_VARCHAR = 65_535
MAX_TOPK = 16_384
"""The most rows one Milvus search or query returns."""
HNSW = {"index_type": "HNSW", "metric_type": "IP", "params": {"M": 16, "efConstruction": 200}}
"""Dense vectors are L2-normalised, so inner product is the cosine."""
BM25 = {"index_type": "SPARSE_INVERTED_INDEX", "metric_type": "BM25", "params": {"bm25_k1": 1.2, "bm25_b": 0.75}}
"""The parameters of the local tantivy index (:data:`plangraph.search.lexical_index.K1`, ``B``)."""
_MASK63 = (1 << 63) - 1
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def parse_backend(spec: str | None) -> str | None:
    """The Milvus URI of a ``--search-backend`` value; None for ``local`` (or nothing).

    Raises:
        UsageError: not ``local`` nor ``milvus:`` followed by a ``.db`` file or an
            http(s) URL.
    """
    if spec is None or spec.strip() in ("", "local"):
        return None
    uri = spec[len(SCHEME):] if spec.startswith(SCHEME) else ""
    if not (uri.startswith(("http://", "https://")) or uri.endswith(".db")):
        raise UsageError(f"unknown search backend {spec!r}; choose one of: {', '.join(BACKEND_CHOICES)}",
                         hint="a milvus-lite file ends in .db; a Milvus server is http://HOST:19530")
    return uri


def key_of(text: str) -> int:
    """A non-negative INT64 primary key for a passage id (or ``id#sentence``)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") & _MASK63


@lru_cache(maxsize=1 << 18)
def term_word(term: str) -> str:
    """One lexical term as one ASCII word that every Milvus analyzer keeps whole."""
    digits = []
    for ch in term:
        n, code = ord(ch), ""
        for _ in range(4):  # 36**4 > 0x10FFFF: four digits hold any code point
            n, r = divmod(n, 36)
            code = _B36[r] + code
        digits.append(code)
    return "x" + "".join(digits)


def lexical_words(text: str, mode: str, *, query: bool = False) -> str:
    """``text``'s terms (:func:`plangraph.search.lexical.tokenize`) as Milvus reads them;
    for a query each term once, stop terms left out, as the local BM25 asks."""
    terms = tokenize(text, mode)
    if query:
        terms = sorted({t for t in terms if t not in STOP_TERMS})
    return " ".join(term_word(t) for t in terms)


@dataclass(frozen=True)
class Layout:
    """What a collection holds: encoders (name, dimension, scores sentences) and the
    lexical tokenisation."""

    encoders: tuple[tuple[str, int, bool], ...]
    lexical: str = "bigram"

    def __post_init__(self) -> None:
        if self.lexical not in TOKENIZATIONS:
            raise UsageError(f"unknown lexical tokenization {self.lexical!r}; "
                             f"choose one of: {', '.join(TOKENIZATIONS)}")

    @classmethod
    def of_specs(cls, specs: Sequence[Any], lexical: str = "bigram") -> Layout:
        """From an index manifest's ``encoders`` entries."""
        return cls(tuple((str(s["name"]), int(s["dim"]), "sentences" in s) for s in specs), lexical)

    def field(self, encoder: str) -> str:
        return f"v{self.names.index(encoder)}"

    def sentence_field(self, encoder: str) -> str:
        return f"s{self.names.index(encoder)}"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _, _ in self.encoders)

    @property
    def sentence_encoders(self) -> tuple[str, ...]:
        return tuple(name for name, _, s in self.encoders if s)

    def describe(self) -> str:
        return ", ".join(f"{n} ({d}{', sentences' if s else ''})" for n, d, s in self.encoders)

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "encoders": self.encoders, "lexical": self.lexical})

    @classmethod
    def from_json(cls, text: str) -> Layout:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, this version reads {FORMAT}")
        return cls(tuple((str(n), int(d), bool(s)) for n, d, s in data["encoders"]), str(data["lexical"]))


_CLIENTS: dict[tuple[str, str, str], Any] = {}
_CLIENTS_LOCK = threading.Lock()


def connect(uri: str) -> Any:
    """One ``pymilvus.MilvusClient`` per URI, database and token in this process (a
    milvus-lite file is served by one in-process server; a client per query would
    reconnect each time).

    Raises:
        UsageError: pymilvus (or milvus-lite, for a ``.db`` file) is not installed.
        IndexStoreError: nothing answers at ``uri``.
    """
    remote = uri.startswith(("http://", "https://"))
    try:
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException
        if not remote:
            import milvus_lite  # noqa: F401 - pymilvus starts it for a .db file
    except ImportError as exc:
        raise UsageError(f"the Milvus search backend needs {exc.name}, which is not installed",
                         hint="pip install 'plangraph[milvus]' (pymilvus and milvus-lite)") from None
    # its failures are raised as IndexStoreError here; its own log would print them twice
    for name in ("pymilvus", "milvus_lite"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    token, db = os.environ.get(TOKEN_ENV, ""), os.environ.get(DB_ENV, "")
    key = (uri, db, token)
    with _CLIENTS_LOCK:
        if key not in _CLIENTS:
            _check_scipy_once()
            if not remote:
                Path(uri).parent.mkdir(parents=True, exist_ok=True)
            try:
                # milvus-lite's in-process server refuses pymilvus's keepalive pings (every
                # 10 s; gRPC servers allow one per 5 min) with GOAWAY, which gRPC logs
                local = {} if remote else {"grpc_options": {"grpc.keepalive_time_ms": 300_000}}
                _CLIENTS[key] = MilvusClient(uri=uri, token=token, db_name=db, timeout=10, **local)
            except MilvusException as exc:
                raise IndexStoreError(
                    f"Milvus at {uri} is unreachable ({exc.message})",
                    hint="start the server or check the URI" if remote else
                    "a milvus-lite file serves one process and another may hold it; for several, serve it with "
                    f"`milvus-lite server --data-dir {uri} --port 19530` and use milvus:http://127.0.0.1:19530"
                ) from None
        return _CLIENTS[key]


def _check_scipy_once() -> None:
    """Let pymilvus look for scipy.sparse now, in one thread: it loads the module by hand
    on its first sparse search, and two searches at once (BM25 and exact phrases) then
    race on it (KeyError 'scipy.sparse')."""
    try:
        from pymilvus.client.utils import SciPyHelper

        SciPyHelper.is_scipy_sparse(None)
    except (ImportError, AttributeError):  # another pymilvus: nothing to prepare
        pass


class MilvusStore:
    """The two collections of one index on one Milvus (or milvus-lite file).

    Args:
        uri: a milvus-lite ``.db`` path or a server URL.
        prefix: collection name prefix (one index per prefix and database).
    """

    def __init__(self, uri: str, prefix: str = PREFIX) -> None:
        self.uri = uri
        self.client = connect(uri)
        self.passages = f"{prefix}_passages"
        self.sentences = f"{prefix}_sentences"

    def call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)``, a Milvus failure turned into an IndexStoreError."""
        from pymilvus.exceptions import MilvusException

        try:
            return fn(*args, **kwargs)
        except MilvusException as exc:
            raise IndexStoreError(f"Milvus at {self.uri}: {what} failed ({exc.message})") from None

    def layout(self) -> Layout | None:
        """The collection's recorded layout, or None when there is no collection (loaded
        for searching first: a milvus-lite file opens with its collections released)."""
        if not self.call("listing collections", self.client.has_collection, self.passages):
            return None
        for name in (self.passages, self.sentences):
            if (self.call("listing collections", self.client.has_collection, name)
                    and "Loaded" not in str(self.call("loading", self.client.get_load_state, name).get("state"))):
                self.call("loading", self.client.load_collection, name)
        props = self.call("describing", self.client.describe_collection, self.passages).get("properties") or {}
        try:
            return Layout.from_json(props[META])
        except (KeyError, ValueError, TypeError) as exc:
            raise IndexStoreError(f"Milvus collection {self.passages} at {self.uri} was not written by this "
                                  f"version of plangraph ({exc})",
                                  hint="plangraph push-search --recreate rewrites it from the index") from None

    def check(self, encoders: Sequence[tuple[str, int]]) -> Layout:
        """The layout, when it has every one of ``encoders`` (name, dimension).

        Raises:
            IndexStoreError: no collection, or one built with other encoders.
        """
        layout = self.layout()
        if layout is None:
            raise IndexStoreError(f"Milvus at {self.uri} has no collection {self.passages}",
                                  hint="copy the index there first: plangraph push-search --search-backend "
                                       f"{SCHEME}{self.uri}")
        dims = {n: d for n, d, _ in layout.encoders}
        for name, dim in encoders:
            if dims.get(name) != dim:
                have = f"dimension {dims[name]}" if name in dims else "no vectors"
                raise IndexStoreError(
                    f"Milvus collection {self.passages} at {self.uri} was built with encoders "
                    f"{layout.describe()}; {name} ({dim}) has {have} there",
                    hint="search with the index's encoders, or rewrite it: plangraph push-search --recreate")
        return layout

    def create(self, layout: Layout) -> None:
        """Create both collections for ``layout`` (with their indexes) and load them."""
        from pymilvus import DataType, Function, FunctionType, MilvusClient

        c = self.client
        schema = MilvusClient.create_schema(auto_id=False)
        schema.add_field("pk", DataType.INT64, is_primary=True)
        for name in ("plan_id", "shard", "passage_id"):
            schema.add_field(name, DataType.VARCHAR, max_length=512)
        schema.add_field("pos", DataType.INT64)
        for name in ("passage", "section", "folded"):
            schema.add_field(name, DataType.VARCHAR, max_length=MAX_VARCHAR)
        schema.add_field("terms", DataType.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True,
                         analyzer_params={"tokenizer": "standard"})
        schema.add_field("bm25", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name="bm25_terms", function_type=FunctionType.BM25,
                                     input_field_names=["terms"], output_field_names=["bm25"]))
        index = c.prepare_index_params()
        index.add_index("bm25", **BM25)
        for name, dim, _ in layout.encoders:
            schema.add_field(layout.field(name), DataType.FLOAT_VECTOR, dim=dim)
            index.add_index(layout.field(name), **HNSW)
        self._create(self.passages, schema, index, properties={META: layout.to_json()})
        if layout.sentence_encoders:
            schema = MilvusClient.create_schema(auto_id=False)
            schema.add_field("pk", DataType.INT64, is_primary=True)
            schema.add_field("passage", DataType.INT64)
            for name in ("plan_id", "shard", "passage_id"):
                schema.add_field(name, DataType.VARCHAR, max_length=512)
            schema.add_field("section", DataType.VARCHAR, max_length=MAX_VARCHAR)
            schema.add_field("pos", DataType.INT64)
            schema.add_field("start", DataType.INT64)
            schema.add_field("end", DataType.INT64)
            index = c.prepare_index_params()
            for name in layout.sentence_encoders:
                dim = layout.encoders[layout.names.index(name)][1]
                schema.add_field(layout.sentence_field(name), DataType.FLOAT_VECTOR, dim=dim)
                index.add_index(layout.sentence_field(name), **HNSW)
            self._create(self.sentences, schema, index)

    def _create(self, name: str, schema: Any, index: Any, **kwargs: Any) -> None:
        # indexes without waiting: pymilvus polls each one every 0.5 s (1 s a collection here)
        self.call("creating collections", self.client.create_collection, name, schema=schema, **kwargs)
        self.call("creating indexes", self.client.create_index, name, index, sync=False)
        self.call("loading", self.client.load_collection, name)

    def drop(self) -> None:
        for name in (self.passages, self.sentences):
            if self.call("listing collections", self.client.has_collection, name):
                self.call("dropping a collection", self.client.drop_collection, name)

    def synced(self) -> dict[str, str]:
        """Plan → shard of every complete plan in Milvus (its marker row is there)."""
        args = dict(filter="pos == 0", output_fields=["plan_id", "shard"])
        rows = self.call("reading plans", self.client.query, self.passages, limit=MAX_TOPK, **args)
        if len(rows) >= MAX_TOPK:  # one query returns at most MAX_TOPK rows
            it = self.call("reading plans", self.client.query_iterator, self.passages, batch_size=1000, **args)
            rows = []
            while batch := self.call("reading plans", it.next):
                rows.extend(batch)
            it.close()
        return {r["plan_id"]: r["shard"] for r in rows}

    def count(self, plan: str | None = None, *, sentences: bool = False) -> int:
        """Rows of one plan (or all) in the passage (or sentence) collection."""
        name = self.sentences if sentences else self.passages
        if not self.call("listing collections", self.client.has_collection, name):
            return 0
        rows = self.call("counting", self.client.query, name, filter=plan_filter([plan]) if plan is not None else "",
                          output_fields=["count(*)"])
        return int(rows[0]["count(*)"])


def plan_filter(plans: Sequence[str]) -> str:
    return f"plan_id in {json.dumps(list(plans), ensure_ascii=False)}"
