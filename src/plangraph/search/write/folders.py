"""The folders a search index build reads and writes: the previous index's shards,
lexical index and corpus record, hard-linked copies, and the shard pool.

Files that their owners write once and then replace (shards' vectors and passages,
tantivy segments, faiss files) are shared between generations as hard links; JSON
and dot files, rewritten in place by tantivy and faiss, are copied.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from plangraph.durable import fsync_path
from plangraph.errors import IndexStoreError
from plangraph.search.index import MANIFEST
from plangraph.search.lexical_index import LexicalIndex
from plangraph.search.shard import read_shard
from plangraph.search.write.cache import EmbeddingCache


def previous_shards(out: Path) -> tuple[dict[str, Path], Path | None, str]:
    """Of the index at ``out`` (if readable): plan id → shard folder, its lexical
    folder and that folder's tokenisation."""
    try:
        manifest = json.loads((out / MANIFEST).read_text("utf-8"))
        shards = {str(k): out / str(v) for k, v in dict(manifest["shards"]).items()}
        return shards, out / str(manifest["lexical"]["dir"]), str(manifest["lexical"]["mode"])
    except (OSError, ValueError, KeyError, TypeError):
        return {}, None, ""


def offer_to_cache(cache: EmbeddingCache, shard_dir: Path) -> None:
    """Put the vectors of an old shard into the cache (its text changed, most did not)."""
    try:
        old = read_shard(shard_dir)
    except IndexStoreError:
        return
    for name, keys in old.embed_keys.items():
        for key, row in zip(keys, old.vectors[name]):
            cache.put(name, key, row)
    for name, keys in old.sentence_keys.items():
        for key, row in zip(keys, old.sentence_vectors[name]):
            cache.put(name, key, row)


def link_shard(src: Path, dst: Path) -> None:
    """A copy of an unchanged shard that costs no disk (hard links; copies across devices)."""
    link_tree(src, dst)


def link_tree(src: Path, dst: Path) -> None:
    """Copy a folder whose files are written once and then replaced, never changed in
    place (shards, tantivy segments, faiss files), as hard links; JSON and dot files,
    which their owners rewrite in place, are copied."""
    dst.mkdir(parents=True)
    for f in src.iterdir():
        if f.is_dir():
            link_tree(f, dst / f.name)
            continue
        if f.suffix != ".json" and not f.name.startswith("."):
            try:
                os.link(f, dst / f.name)
                continue
            except OSError:
                pass
        shutil.copy2(f, dst / f.name)


def previous_corpus(out: Path) -> dict[str, str]:
    try:
        return {str(k): str(v) for k, v in json.loads((out / MANIFEST).read_text("utf-8"))["corpus"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def previous_sizes(out: Path) -> tuple[dict[str, tuple[int, int]], set[str]]:
    """Of the index at ``out``: plan id → its shard's passages and sentences, as its
    manifest lists them (``sizes``; empty for an index written before it did), and the
    encoders whose sentences its shards hold."""
    try:
        manifest = json.loads((out / MANIFEST).read_text("utf-8"))
        sizes = {str(k): (int(v[0]), int(v[1])) for k, v in dict(manifest.get("sizes", {})).items()}
        return sizes, {str(e["name"]) for e in manifest["encoders"] if "sentences" in e}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}, set()


def shard_size(folder: Path) -> tuple[tuple[int, int], set[str]]:
    """A shard's passages and sentences, and the encoders whose sentences it holds (its ``shard.json``)."""
    meta = json.loads((folder / "shard.json").read_text("utf-8"))
    return (int(meta["passages"]), int(meta.get("sentences", 0))), \
        {str(s["name"]) for s in meta["encoders"] if "sentences" in s}


def into_pool(pool: Path, name: str, write: Callable[[Path], object]) -> Path:
    """``pool/name``, written by ``write`` under a temporary name and renamed in
    (a shard of that name is already there: shards are named by their content)."""
    final = pool / name
    if final.is_dir():
        return final
    pool.mkdir(parents=True, exist_ok=True)
    tmp = pool / f".building-{name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    write(tmp)
    fsync_path(tmp)
    os.rename(tmp, final)
    return final


def open_lexical(folder: Path, mode: str, previous: Path | None, gone: Sequence[str]) -> LexicalIndex:
    """The lexical index to update: the previous one (linked, not copied) without the
    documents of ``gone`` plans when there is one, else a new one."""
    if previous is not None and previous.is_dir():
        try:
            link_tree(previous, folder)
            lex = LexicalIndex.open(folder, mode)
            if gone:
                lex.remove_plans(sorted(gone))
            return lex
        except (OSError, IndexStoreError, ValueError):
            shutil.rmtree(folder, ignore_errors=True)  # unreadable: build it afresh
    return LexicalIndex.create(folder, mode)
