"""Approximate search for large vector sets: a faiss IVF index per encoder and level.

Below :data:`~plangraph.search.vectors.ANN_MIN_ROWS` rows exact search is used (it is
fast enough, and exact). Past it, ``ann/<encoder>.<level>.faiss`` holds an inverted-file
index with float16 codes; every vector's id is ``shard number << 24 | row in shard``,
and ``ann/<encoder>.<level>.json`` lists the shard of each number. So adding a plan
adds its vectors under a new number and removing one deletes its id range
(:func:`update_ann`); the coarse centroids, trained once, stay. An ANN file that
does not cover exactly the opened shards is not used (search falls back to exact).
``benchmarks/bench_search.py --scale N`` prints its recall@10 against exact search.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.durable import fsync_path, fsync_write
from plangraph.search.vectors import ANN_MIN_ROWS, VectorSet, one_thread

if TYPE_CHECKING:
    import numpy as np

    from plangraph.search.index import PassageIndex

_SHIFT = 24
NPROBE = 24
"""Lists probed per query (of about 4·√rows); ``bench_search.py --scale`` prints the recall."""


def _sets(index: PassageIndex) -> dict[str, VectorSet]:
    out = {f"{name}.passages": vs for name, vs in index.dense.items() if name not in index.sentence_vectors}
    out.update({f"{name}.sentences": vs for name, vs in index.sentence_vectors.items()})
    return out


def file_stem(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in label)


class AnnIndex:
    """A loaded IVF index and the map from its ids to rows of a :class:`VectorSet`."""

    def __init__(self, faiss_index: Any, first_row: np.ndarray) -> None:
        self.index = faiss_index
        self.first_row = first_row  # shard number -> first row, -1 for shards not opened

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        one_thread()
        sims, ids = self.index.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k)
        ids, sims = ids[0], sims[0]
        keep = ids >= 0
        ids, sims = ids[keep], sims[keep]
        first = self.first_row[ids >> _SHIFT]
        ok = first >= 0
        return (first[ok] + (ids[ok] & ((1 << _SHIFT) - 1))).astype(np.int64), sims[ok]


def _load(folder: Path, label: str, *, mapped: bool = False) -> tuple[Any, dict[str, Any]] | None:
    """The ANN index of ``label`` and its metadata; ``mapped`` maps its lists from the
    file (read-only) instead of reading them, for searching."""
    import faiss

    meta_path = folder / f"{file_stem(label)}.json"
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mapped else 0
        faiss_index = faiss.read_index(str(folder / meta["file"]), flags)
    except (OSError, ValueError, KeyError, RuntimeError):
        return None
    return faiss_index, meta


def attach(index: PassageIndex, folder: Path) -> None:
    """Attach each ANN index of ``folder`` that covers exactly the opened shards."""
    import numpy as np

    if not folder.is_dir():
        return
    names = [name for name, _ in index.shards]
    for label, vs in _sets(index).items():
        loaded = _load(folder, label, mapped=True)
        if loaded is None:
            continue
        faiss_index, meta = loaded
        numbers: dict[str, int] = meta["shards"]
        if set(numbers) != set(names) or faiss_index.ntotal != len(vs):
            continue
        first_row = np.full(max(numbers.values(), default=0) + 1, -1, dtype=np.int64)
        row = 0
        for name, part in zip(names, vs.parts):
            first_row[numbers[name]] = row
            row += len(part)
        faiss_index.nprobe = NPROBE
        vs.ann = AnnIndex(faiss_index, first_row)


def update_ann(index: PassageIndex, folder: Path, *, min_rows: int = ANN_MIN_ROWS) -> list[str]:
    """Make ``folder``'s ANN indexes cover exactly ``index``'s shards: add the vectors
    of new shards, delete those of shards gone, train a new index for a vector set
    that has grown past ``min_rows``, drop one that shrank below half of it.

    Returns:
        The vector sets (``<encoder>.<level>``) that have an ANN index now.
    """
    import faiss
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    names = [name for name, _ in index.shards]
    kept = []
    for label, vs in _sets(index).items():
        loaded = _load(folder, label)
        if loaded is None and len(vs) < min_rows:
            continue
        if loaded is not None and len(vs) < min_rows // 2:
            for path in (folder / f"{file_stem(label)}.json", folder / f"{file_stem(label)}.faiss"):
                path.unlink(missing_ok=True)
            continue
        if loaded is None:
            faiss_index = _trained(vs)
            numbers: dict[str, int] = {}
        else:
            faiss_index, meta = loaded
            numbers = dict(meta["shards"])
        for gone in [n for n in numbers if n not in names]:
            lo = numbers.pop(gone) << _SHIFT
            faiss_index.remove_ids(faiss.IDSelectorRange(lo, lo + (1 << _SHIFT)))
        next_number = max(numbers.values(), default=-1) + 1
        for name, part in zip(names, vs.parts):
            if name in numbers:
                continue
            numbers[name] = next_number
            ids = (np.int64(next_number) << _SHIFT) + np.arange(len(part), dtype=np.int64)
            faiss_index.add_with_ids(np.asarray(part, dtype=np.float32), ids)
            next_number += 1
        tmp = folder / f".{file_stem(label)}.faiss.tmp"
        faiss.write_index(faiss_index, str(tmp))
        fsync_path(tmp)
        tmp.replace(folder / f"{file_stem(label)}.faiss")
        fsync_write(folder / f"{file_stem(label)}.json",
                    json.dumps({"file": f"{file_stem(label)}.faiss", "shards": numbers}).encode())
        kept.append(label)
    fsync_path(folder)
    return kept


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
