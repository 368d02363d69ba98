"""The lexical index on disk: BM25 and exact phrases in one tantivy index for all plans.

Each passage is one tantivy document tagged with its plan, its shard (the plan's
folder of passages and vectors, :mod:`plangraph.search.shard`) and its position in
that shard. The terms are those of :func:`plangraph.search.lexical.tokenize`
(character bigrams by default) joined by spaces, so tantivy's whitespace tokenizer
indexes exactly what the measured tokenisation produced. Statistics (IDF, average
length) are those of the whole index, so scores of different plans compare.

Adding a plan deletes its old documents by plan term and adds the new ones; removing
one deletes them. Nothing else is rewritten. A writer killed between a delete and
its commit leaves the previous commit; documents of a shard the caller no longer
lists (a stale writer's) are dropped at query time, so the caller's manifest of
shards is what counts.

Why tantivy over ``bm25s`` or the earlier JSON postings (211,649 passages of 630 plans,
``benchmarks/bench_lexical.py --plans 630``): open 0.00 s vs 0.01 s (bm25s) and 36 s
(JSON), query p50 0.9 ms vs 2.0 ms and 37 ms, 27 MiB on disk vs 61 and 96, and it adds
a plan in 0.23 s and removes one in 0.01 s where bm25s rebuilds the corpus (one bm25s
index per plan keeps adding cheap but scores with per-plan IDF: top-10 overlap 0.72
with global BM25, tantivy's 0.80, its document lengths being stored in one byte).

A second field, ``chars``, holds the overlapping character pairs of the folded text
with white space removed; a phrase's pairs all present is the candidate test for an
exact match, which the caller confirms on the text.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from plangraph.errors import IndexStoreError
from plangraph.search.lexical import STOP_TERMS, tokenize
from plangraph.text import fold_compact

K1, B = 1.2, 0.75
"""tantivy's BM25 parameters (fixed in the engine; the earlier index used the same)."""
_HEAP = 100_000_000


def shard_key(shard: str) -> int:
    """A shard name as the integer tantivy stores (fast fields hold numbers)."""
    return int.from_bytes(hashlib.blake2b(shard.encode("utf-8"), digest_size=7).digest(), "big")


def char_pairs(text: str) -> list[str]:
    """Overlapping character pairs of ``fold_compact(text)`` (a lone character stays one)."""
    folded = fold_compact(text)
    if len(folded) < 2:
        return [folded] if folded else []
    return [folded[i : i + 2] for i in range(len(folded) - 1)]


def _schema() -> Any:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("terms", stored=False, tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("chars", stored=False, tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("plan", stored=False, tokenizer_name="raw")
    sb.add_integer_field("shard", stored=False, fast=True, indexed=False)
    sb.add_integer_field("pos", stored=False, fast=True, indexed=False)
    return sb.build()


def _beside(folder: Path) -> str:
    """A temporary folder of links to the index's files, for an index on a read-only disk.

    Opening an index takes tantivy's lock, which it creates and opens for writing in the
    index folder; a published generation is never written again, so the lock guards
    nothing there, and readers of a read-only copy take it in a folder of their own
    (removed when the process ends).
    """
    import atexit
    import os
    import tempfile

    links = tempfile.mkdtemp(prefix="plangraph-lexical-")
    atexit.register(shutil.rmtree, links, True)
    for entry in os.scandir(folder):
        if not entry.name.endswith(".lock"):
            os.symlink(os.path.abspath(entry.path), os.path.join(links, entry.name))
    return links


class LexicalIndex:
    """A tantivy index folder of passages from many plan shards.

    Args:
        path: the folder (created by :meth:`create`).
        mode: the tokenisation its terms were made with.
    """

    def __init__(self, path: Path, mode: str, index: Any) -> None:
        self.path = path
        self.mode = mode
        self._index = index
        self._schema = index.schema
        self._searcher: Any = None

    @classmethod
    def create(cls, path: str | Path, mode: str = "bigram") -> LexicalIndex:
        """An empty index at ``path`` (anything there is replaced)."""
        import tantivy

        folder = Path(path)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        return cls(folder, mode, tantivy.Index(_schema(), path=str(folder)))

    @classmethod
    def open(cls, path: str | Path, mode: str = "bigram") -> LexicalIndex:
        """Open an index folder written by :meth:`create` and :meth:`add_shards`.

        Raises:
            IndexStoreError: no index there, or tantivy cannot read it.
        """
        import tantivy

        folder = Path(path)
        if not folder.is_dir():
            raise IndexStoreError(f"lexical index {folder}: no such folder",
                                  hint="rebuild the index with `plangraph build`")
        try:
            try:
                index = tantivy.Index.open(str(folder))
            except ValueError as exc:
                if "Lockfile" not in str(exc):
                    raise
                index = tantivy.Index.open(_beside(folder))  # a read-only disk: tantivy could not lock
        except ValueError as exc:
            raise IndexStoreError(f"lexical index {folder} is unreadable ({exc})",
                                  hint="rebuild the index with `plangraph build`") from None
        return cls(folder, mode, index)

    # -- writing -------------------------------------------------------------------
    def add_shards(self, shards: Iterable[tuple[str, str, Sequence[str]]], *, threads: int = 1) -> None:
        """Replace the documents of each ``(plan_id, shard, contents)`` and commit once.

        A plan's earlier documents (any shard) are deleted first, so re-adding a plan
        replaces it.
        """
        import tantivy

        writer = self._index.writer(heap_size=_HEAP, num_threads=threads)
        for plan_id, shard, contents in shards:
            writer.delete_documents_by_term("plan", plan_id)
            key = shard_key(shard)
            for pos, content in enumerate(contents):
                writer.add_document(tantivy.Document(
                    terms=" ".join(tokenize(content, self.mode)), chars=" ".join(char_pairs(content)),
                    plan=plan_id, shard=key, pos=pos))
        writer.commit()
        writer.wait_merging_threads()
        self._searcher = None

    def remove_plans(self, plan_ids: Iterable[str]) -> None:
        """Delete every document of these plans and commit."""
        writer = self._index.writer(heap_size=_HEAP, num_threads=1)
        for plan_id in plan_ids:
            writer.delete_documents_by_term("plan", plan_id)
        writer.commit()
        writer.wait_merging_threads()
        self._searcher = None

    # -- reading -------------------------------------------------------------------
    def _search(self) -> Any:
        if self._searcher is None:
            self._index.reload()
            self._searcher = self._index.searcher()
        return self._searcher

    def __len__(self) -> int:
        return int(self._search().num_docs)

    def _terms_query(self, query: str) -> Any:
        import tantivy

        terms = sorted({t for t in tokenize(query, self.mode) if t not in STOP_TERMS})
        if not terms:
            return None
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "terms", t)) for t in terms])

    def _hits(self, query: Any, limit: int, rows: Mapping[int, int]) -> list[tuple[int, float]]:
        """``(row, score)`` of the best ``limit`` documents of listed shards; ``rows``
        maps a shard key to the row of its first passage."""
        searcher = self._search()
        want = limit
        while True:
            hits = searcher.search(query, want, count=False).hits
            addrs = [a for _, a in hits]
            keys = searcher.fast_field_values("shard", addrs)
            pos = searcher.fast_field_values("pos", addrs)
            out = [(rows[k] + p, float(s)) for (s, _), k, p in zip(hits, keys, pos) if k in rows]
            # documents of unlisted (stale) shards took places: ask for more
            if len(out) >= limit or len(hits) < want:
                return out[:limit]
            want *= 4

    def scores(self, query: str, limit: int, rows: Mapping[int, int]) -> list[tuple[int, float]]:
        """The best ``limit`` passages for ``query`` by BM25, best first, ties by row."""
        q = self._terms_query(query)
        if q is None or limit < 1:
            return []
        return sorted(self._hits(q, limit, rows), key=lambda rs: (-rs[1], rs[0]))

    def phrase_candidates(self, phrase: str, query: str, limit: int,
                          rows: Mapping[int, int]) -> list[tuple[int, float]]:
        """Passages holding every character pair of ``phrase`` (a superset of those
        containing it), scored by BM25 for ``query``, best first."""
        import tantivy

        pairs = sorted(set(char_pairs(phrase)))
        if not pairs:
            return []
        must = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.term_query(self._schema, "chars", p)) for p in pairs])
        clauses = [(tantivy.Occur.Must, tantivy.Query.const_score_query(must, 0.0))]
        scored = self._terms_query(query)
        if scored is not None:
            clauses.append((tantivy.Occur.Should, scored))
        hits = self._hits(tantivy.Query.boolean_query(clauses), limit, rows)
        return sorted(hits, key=lambda rs: (-rs[1], rs[0]))
