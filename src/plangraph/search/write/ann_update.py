"""The ANN side of a new index generation: the previous generation's IVF files
(:mod:`plangraph.search.ann`) updated for the shards that came and went
(:func:`update_ann`), reading the vectors of new shards only."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.durable import fsync_path, fsync_write
from plangraph.search import vectors
from plangraph.search.ann import ID_SHIFT, ShardedVectors, added_files, file_stem, read_ann, vector_sets
from plangraph.search.index import ANN_DIR, LEXICAL_DIR, open_shards
from plangraph.search.shard import read_shard
from plangraph.search.vectors import ANN_MIN_ROWS, VectorSet
from plangraph.search.write.folders import link_tree

if TYPE_CHECKING:
    import numpy as np


def add_ann(tmp: Path, out: Path, manifest: dict[str, Any]) -> None:
    """ANN indexes for vector sets past the measured size, updated from the previous
    index's when it had them (adding and removing shards, not retraining)."""
    min_rows = vectors.ANN_MIN_ROWS  # read at each call: tests lower it
    sizes = {pid: (int(n[0]), int(n[1])) for pid, n in manifest["sizes"].items()}  # no shard is read for them
    total = int(manifest["passages"])
    sentences = sum(n for _, n in sizes.values())
    if max(total, sentences) < min_rows // 2 and not (out / ANN_DIR).is_dir():
        return
    if (out / ANN_DIR).is_dir():
        link_tree(out / ANN_DIR, tmp / ANN_DIR)
    listing = _AnnListing.of(tmp, manifest, sizes, min_rows)
    if listing.complete(min_rows):
        update_ann(listing, tmp / ANN_DIR, min_rows=min_rows)
        return
    index = open_shards({pid: tmp / d for pid, d in manifest["shards"].items()}, tmp / LEXICAL_DIR,
                        manifest=manifest, mode=manifest["lexical"]["mode"], path=tmp)
    update_ann(index, tmp / ANN_DIR, min_rows=min_rows)


class _AnnListing:
    """What :func:`update_ann` reads of an index (shard names, vector
    sets and their sizes), with real rows only for shards the ANN files do not hold yet
    of vector sets that have or will have an ANN index: the others stand in as zero-cost
    rows of the right count, never read (a set below ``min_rows`` without an ANN file is
    skipped by :func:`update_ann` unread: reading every shard's vectors to skip it made
    adding one plan to 500 cost 2 s)."""

    def __init__(self, shards: list[tuple[str, Any]], dense: dict[str, VectorSet],
                 sentence_vectors: dict[str, VectorSet], held: dict[str, set[str]]) -> None:
        self.shards, self.dense, self.sentence_vectors, self._held = shards, dense, sentence_vectors, held

    @classmethod
    def of(cls, tmp: Path, manifest: dict[str, Any], sizes: dict[str, tuple[int, int]],
           min_rows: int) -> _AnnListing:
        import numpy as np

        held: dict[str, set[str]] = {}
        for meta_file in (tmp / ANN_DIR).glob("*.json") if (tmp / ANN_DIR).is_dir() else ():
            try:
                held[meta_file.stem] = set(json.loads(meta_file.read_text("utf-8"))["shards"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
        dense: dict[str, list[Any]] = {}
        sent: dict[str, list[Any]] = {}
        dims: dict[str, int] = {}
        shards: list[tuple[str, Any]] = []
        rows = {"passages": int(manifest["passages"]), "sentences": sum(n for _, n in sizes.values())}
        specs = [(str(spec["name"]), int(spec["dim"]), level, file_stem(f"{spec['name']}.{level}"))
                 for spec in manifest["encoders"]
                 for level in ("sentences" if "sentences" in spec else "passages",)]
        zeros = {dim: np.zeros(dim, np.float32) for _, dim, _, _ in specs}
        for pid, rel in manifest["shards"].items():
            shard_name, (passages, sentences) = str(rel).rsplit("/", 1)[-1], sizes[pid]
            shards.append((shard_name, None))
            opened = None
            for name, dim, level, stem in specs:
                dims[name] = dim
                n = sentences if level == "sentences" else passages
                if shard_name in held.get(stem, ()) or (stem not in held and rows[level] < min_rows):
                    part: Any = np.broadcast_to(zeros[dim], (n, dim))
                else:
                    opened = opened or read_shard(tmp / rel)
                    part = (opened.sentence_vectors if level == "sentences" else opened.vectors)[name]
                (sent if level == "sentences" else dense).setdefault(name, []).append(part)
        return cls(shards, {k: VectorSet(v, dims[k]) for k, v in dense.items()},
                   {k: VectorSet(v, dims[k]) for k, v in sent.items()}, held)

    def complete(self, min_rows: int) -> bool:
        """Whether no vector set needs an index trained on all its rows."""
        sets = {f"{k}.passages": v for k, v in self.dense.items() if k not in self.sentence_vectors}
        sets.update({f"{k}.sentences": v for k, v in self.sentence_vectors.items()})
        return all(file_stem(label) in self._held or len(vs) < min_rows for label, vs in sets.items())


ADDED_FILES_MAX = 8
"""Files of added shards a vector set may have before they are merged into one (a search
probes each file)."""
ADDED_SHARE_MAX = 0.25
"""Rows in files of added shards, as a share of the base file's, past which they are merged
into it: the base is written again once it has grown by this share, so that adding a plan
writes that plan's vectors (and, now and then, a merge) rather than the whole index."""


def update_ann(index: ShardedVectors, folder: Path, *, min_rows: int = ANN_MIN_ROWS) -> list[str]:
    """Make ``folder``'s ANN indexes cover exactly ``index``'s shards: add the vectors
    of new shards, delete those of shards gone, train a new index for a vector set
    that has grown past ``min_rows``, drop one that shrank below half of it.

    New shards go to a file of their own (from the trained, empty index kept beside the
    base file), searched with the base; the base file is read and written only when a
    shard it holds goes, or when the added files hold :data:`ADDED_SHARE_MAX` of its rows
    and are merged into it; past :data:`ADDED_FILES_MAX` files they are merged into one. Before, every change read and
    wrote the whole file (160 MB for 3,000 plans' sentences with 64-dimension vectors).

    Returns:
        The vector sets (``<encoder>.<level>``) that have an ANN index now.
    """
    import faiss
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    names = [name for name, _ in index.shards]
    listed = set(names)
    kept = []
    for label, vs in vector_sets(index).items():
        stem = file_stem(label)
        loaded = read_ann(folder, label, mapped=True)
        if loaded is None and len(vs) < min_rows:
            continue
        if loaded is not None and len(vs) < min_rows // 2:
            for name in [*added_files(loaded[1]), f"{stem}.json", f"{stem}.faiss", f"{stem}.empty.faiss"]:
                (folder / name).unlink(missing_ok=True)
            continue
        made = 0
        if loaded is None:
            base: Any = _trained(vs)
            _write(folder, f"{stem}.empty.faiss", base)  # trained, no rows: what added files start from
            numbers: dict[str, int] = {}
            added: dict[str, list[str]] = {}
            base_read = True  # in memory, written below
        else:
            base, meta = loaded
            numbers, added, made = dict(meta["shards"]), added_files(meta), int(meta.get("made", 0))
            base_read = False
        in_added = {n for held in added.values() for n in held}
        gone = [n for n in numbers if n not in listed]  # (a list of 3,000 names here took 0.13 s)
        if any(n not in in_added for n in gone) or (not base_read and not (folder / f"{stem}.empty.faiss").is_file()):
            base, base_read = faiss.read_index(str(folder / f"{stem}.faiss")), True  # it changes: read it whole
        for n in gone:
            if n not in in_added:
                lo = numbers[n] << ID_SHIFT
                base.remove_ids(faiss.IDSelectorRange(lo, lo + (1 << ID_SHIFT)))
        for file, held in list(added.items()):
            lost = [n for n in held if n not in listed]
            if not lost:
                continue
            shrunk = faiss.read_index(str(folder / file))
            for n in lost:
                lo = numbers[n] << ID_SHIFT
                shrunk.remove_ids(faiss.IDSelectorRange(lo, lo + (1 << ID_SHIFT)))
            del added[file]
            if shrunk.ntotal:
                made += 1
                added[_write(folder, f"{stem}.added-{made}.faiss", shrunk)] = [n for n in held if n in listed]
        for n in gone:
            numbers.pop(n)
        next_number = max(numbers.values(), default=-1) + 1
        target = base if base_read else faiss.read_index(str(folder / f"{stem}.empty.faiss"))
        new = []
        for name, part in zip(names, vs.parts):
            if name in numbers:
                continue
            numbers[name] = next_number
            ids = (np.int64(next_number) << ID_SHIFT) + np.arange(len(part), dtype=np.int64)
            target.add_with_ids(np.asarray(part, dtype=np.float32), ids)
            new.append(name)
            next_number += 1
        if new and not base_read:
            made += 1
            added[_write(folder, f"{stem}.added-{made}.faiss", target)] = new
        in_added = {n for held in added.values() for n in held}
        rows_added = sum(len(p) for n, p in zip(names, vs.parts) if n in in_added)
        if added and rows_added > ADDED_SHARE_MAX * (len(vs) - rows_added):  # into the base
            if not base_read:
                base, base_read = faiss.read_index(str(folder / f"{stem}.faiss")), True
            for file in added:
                base.merge_from(faiss.read_index(str(folder / file)), 0)
            added = {}
        elif len(added) > ADDED_FILES_MAX:  # the added files into one (their rows only)
            files = list(added)
            merged = faiss.read_index(str(folder / files[0]))
            for file in files[1:]:
                merged.merge_from(faiss.read_index(str(folder / file)), 0)
            made += 1
            added = {_write(folder, f"{stem}.added-{made}.faiss", merged): [n for f in files for n in added[f]]}
        if base_read:
            _write(folder, f"{stem}.faiss", base)
            if not (folder / f"{stem}.empty.faiss").is_file():  # an index written before the added files
                base.reset()
                _write(folder, f"{stem}.empty.faiss", base)
        fsync_write(folder / f"{stem}.json", json.dumps(
            {"file": f"{stem}.faiss", "shards": numbers, "added": added, "made": made}).encode())
        for stale in folder.glob(f"{stem}.added-*.faiss"):  # files no metadata names (merged, rewritten)
            if stale.name not in added:
                stale.unlink()
        kept.append(label)
    fsync_path(folder)
    return kept


def _write(folder: Path, name: str, faiss_index: Any) -> str:
    """Write an index to ``folder/name`` through a temporary file (a new file: older
    generations keep their hard links to the one it replaces); returns ``name``."""
    import faiss

    tmp = folder / f".{name}.tmp"
    faiss.write_index(faiss_index, str(tmp))
    fsync_path(tmp)
    tmp.replace(folder / name)
    return name


def gather(vs: VectorSet, rows: np.ndarray) -> np.ndarray:
    """Rows ``rows`` (sorted) of ``vs`` as one float32 matrix, read part by part from the
    memory-mapped shards: the whole matrix of a large set (360,000 sentence rows at 500
    plans) would be the largest allocation of a build."""
    import numpy as np

    starts = np.cumsum([0] + [len(p) for p in vs.parts])
    which = np.searchsorted(starts, rows, side="right") - 1
    out = np.empty((len(rows), vs.dim), np.float32)  # filled in place: stacking copies held the sample twice
    at = 0
    for k in np.unique(which):
        chunk = vs.parts[k][rows[which == k] - starts[k]]
        out[at:at + len(chunk)] = chunk
        at += len(chunk)
    return out


def _trained(vs: VectorSet) -> Any:
    """An empty IVF index (float16 codes, inner product) trained on a sample of ``vs``."""
    import faiss
    import numpy as np

    n = len(vs)
    nlist = max(16, int(4 * math.sqrt(n)))
    rng = np.random.default_rng(0)
    sample_rows = np.sort(rng.choice(n, size=min(n, 32 * nlist), replace=False))
    sample = gather(vs, sample_rows)
    ivf = faiss.index_factory(vs.dim, f"IVF{nlist},SQfp16", faiss.METRIC_INNER_PRODUCT)
    ivf.train(sample)
    return ivf
