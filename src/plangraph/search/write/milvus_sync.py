"""Copy an index's per-plan search shards into Milvus, doing only what changed.

The rows and the order they are written in are those of :mod:`plangraph.search.milvus`:
sentences, then passages, the plan's marker row last; deletions marker first. So
:meth:`~plangraph.search.milvus.MilvusStore.synced` tells which plans are complete, a
plan whose shard folder (named by a hash of its content) is the one Milvus holds is
skipped, and a sync that was killed is finished by the next one.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from plangraph.errors import IndexStoreError
from plangraph.search.milvus import (
    MAX_VARCHAR,
    PREFIX,
    Layout,
    MilvusStore,
    key_of,
    lexical_words,
    plan_filter,
)
from plangraph.text import fold_compact

PASSAGE_BATCH = 500
SENTENCE_BATCH = 2_000
"""Rows per insert: a few MB each, well under a server's message limit."""


@dataclass(frozen=True)
class SyncReport:
    """What :func:`sync_index` did: plans written, removed and left as they were."""

    uri: str
    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    passages: int
    """Passage rows written."""

    def describe(self) -> str:
        parts = [f"{len(v)} {k}" for k in ("written", "removed", "unchanged") if (v := getattr(self, k))]
        return f"{', '.join(parts) or 'no plans'}; {self.passages} passages written"


def section_of(p: Any) -> str:
    """A passage's section path as the ``section`` field holds it."""
    return " > ".join(p.section_path)[:MAX_VARCHAR // 3]


def _sentence_rows(shard_name: str, shard: Any, layout: Layout) -> list[dict[str, Any]]:
    import numpy as np

    rows: list[dict[str, Any]] = []
    first = 0
    for pos, (p, spans) in enumerate(zip(shard.passages, shard.spans)):
        for j, (start, end) in enumerate(spans):
            row = {"pk": key_of(f"{p.passage_id}#{j}"), "passage": key_of(p.passage_id), "plan_id": p.plan_id,
                   "shard": shard_name, "passage_id": p.passage_id, "section": section_of(p), "pos": pos,
                   "start": start, "end": end}
            for name in layout.sentence_encoders:
                row[layout.sentence_field(name)] = np.asarray(shard.sentence_vectors[name][first + j], np.float32)
            rows.append(row)
        first += len(spans)
    return rows


def _passage_row(shard_name: str, pos: int, p: Any, shard: Any, layout: Layout) -> dict[str, Any]:
    import numpy as np

    record = json.dumps(dataclasses.asdict(p), ensure_ascii=False)
    size = len(record.encode("utf-8"))
    if size > MAX_VARCHAR:
        raise IndexStoreError(f"passage {p.passage_id} of plan {p.plan_id} is too long for Milvus "
                              f"({size} bytes as JSON, at most {MAX_VARCHAR})")
    terms = lexical_words(p.content, layout.lexical)
    if len(terms) > MAX_VARCHAR:  # ASCII words: characters are bytes
        terms = terms[:MAX_VARCHAR].rsplit(" ", 1)[0]
    row = {"pk": key_of(p.passage_id), "plan_id": p.plan_id, "shard": shard_name, "passage_id": p.passage_id,
           "pos": pos, "passage": record, "section": section_of(p),
           "folded": fold_compact(p.content)[:MAX_VARCHAR // 3], "terms": terms}
    for name in layout.names:
        row[layout.field(name)] = np.asarray(shard.vectors[name][pos], np.float32)
    return row


def write_shard(store: MilvusStore, shard_name: str, shard: Any, layout: Layout) -> int:
    """Insert one plan's rows (a :class:`~plangraph.search.shard.ShardData`): sentences,
    passages, and its marker (``pos == 0``) last. Returns the passage rows written."""
    insert = store.client.insert
    if layout.sentence_encoders:
        rows = _sentence_rows(shard_name, shard, layout)
        for lo in range(0, len(rows), SENTENCE_BATCH):
            store.call("inserting", insert, store.sentences, rows[lo:lo + SENTENCE_BATCH])
    rows = [_passage_row(shard_name, pos, p, shard, layout) for pos, p in enumerate(shard.passages)]
    if not rows:
        return 0
    body = rows[1:]
    for lo in range(0, len(body), PASSAGE_BATCH):
        store.call("inserting", insert, store.passages, body[lo:lo + PASSAGE_BATCH])
    store.call("inserting", insert, store.passages, rows[:1])
    return len(rows)


def keep_only(store: MilvusStore, plans: Sequence[str]) -> None:
    """Delete the rows of every plan but these, markers first: with the plans no longer
    indexed go the rows a killed sync left without a marker."""
    expr = f"not ({plan_filter(plans)})" if plans else "pk >= 0"
    store.call("deleting", store.client.delete, store.passages, filter=f"pos == 0 and {expr}")
    store.call("deleting", store.client.delete, store.passages, filter=expr)
    if store.call("listing collections", store.client.has_collection, store.sentences):
        store.call("deleting", store.client.delete, store.sentences, filter=expr)


def flush(store: MilvusStore) -> None:
    """Seal what was written. milvus-lite rebuilds the BM25 postings of unsealed rows at
    every search (2.8 s of a query at 3,000 passages); a server builds its indexes on
    sealed segments."""
    for name in (store.passages, store.sentences):
        if store.call("listing collections", store.client.has_collection, name):
            store.call("flushing", store.client.flush, name)


def sync_index(index: Any, uri: str, *, lexical: str | None = None, recreate: bool = False,
               prefix: str = PREFIX) -> SyncReport:
    """Make Milvus hold exactly the plans of ``index`` (an opened
    :class:`~plangraph.search.index.PassageIndex`): new plans and plans whose shard
    changed are written, plans the index no longer has are deleted, the rest cost nothing.

    Args:
        index: the local search index, read shard by shard.
        uri: a milvus-lite ``.db`` path or a server URL.
        lexical: the tokenisation (``bigram``, ``jieba``, ``bigram+jieba``); None keeps
            the collection's, ``bigram`` for a new one.
        recreate: drop the collections first (after a change of encoders or tokenisation).

    Raises:
        IndexStoreError: Milvus unreachable, or its collection holds other encoders
            (``recreate`` rewrites it).
    """
    store = MilvusStore(uri, prefix)
    want = Layout.of_specs(index.manifest["encoders"], lexical or "bigram")
    if recreate:
        store.drop()
    have = store.layout()
    if have is None:
        store.create(want)
    elif have.encoders != want.encoders or lexical not in (None, have.lexical):
        raise IndexStoreError(f"Milvus collection {store.passages} at {uri} holds encoders {have.describe()} and "
                              f"{have.lexical} terms; the index {index.path} has {want.describe()}"
                              + (f", {lexical} terms were asked for" if lexical else ""),
                              hint="rewrite it from this index: plangraph push-search --recreate")
    layout = have or want
    synced = store.synced()
    shards = {data.plan: (name, data) for name, data in index.shards}
    keep = sorted(p for p in synced if p in shards and synced[p] == shards[p][0])
    # one delete for plans gone, plans to rewrite and rows a killed sync left behind
    if len(keep) < len(shards) or len(keep) < len(synced) or store.count() > sum(shards[p][1].size for p in keep):
        keep_only(store, keep)
    written, rows = [], 0
    for plan, (name, data) in shards.items():
        if plan not in keep:
            rows += write_shard(store, name, data, layout)
            written.append(plan)
    if written or len(keep) < len(synced):
        flush(store)
    return SyncReport(uri, tuple(written), tuple(sorted(p for p in synced if p not in shards)), tuple(keep), rows)
