"""Approximate search for large vector sets: a faiss IVF index per encoder and level.

Below :data:`~plangraph.search.vectors.ANN_MIN_ROWS` rows exact search is used (it is
fast enough, and exact). Past it, ``ann/<encoder>.<level>.faiss`` holds an inverted-file
index with float16 codes; every vector's id is ``shard number << 24 | row in shard``,
and ``ann/<encoder>.<level>.json`` lists the shard of each number. So adding a plan
adds its vectors under a new number and removing one deletes its id range
(:func:`plangraph.search.write.ann_update.update_ann`); the coarse centroids, trained once, stay. An ANN file that
does not cover exactly the opened shards is not used (search falls back to exact).
``benchmarks/bench_search.py --scale N`` prints its recall@10 against exact search.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from plangraph.search.vectors import VectorSet, one_thread

if TYPE_CHECKING:
    import numpy as np

ID_SHIFT = 24
"""An ANN id is ``shard number << ID_SHIFT | row in shard``."""
NPROBE = 24
"""Lists probed per query (of about 4·√rows); ``bench_search.py --scale`` prints the recall."""


class ShardedVectors(Protocol):
    """What ANN files are made for and attached to: the opened shards, by name, and the
    vector sets over them (a :class:`plangraph.search.index.PassageIndex`, or a listing
    of a new index generation's vectors)."""

    @property
    def shards(self) -> Sequence[tuple[str, Any]]: ...

    @property
    def dense(self) -> Mapping[str, VectorSet]: ...

    @property
    def sentence_vectors(self) -> Mapping[str, VectorSet]: ...


def vector_sets(index: ShardedVectors) -> dict[str, VectorSet]:
    """Each vector set of ``index`` under its ANN label, ``<encoder>.<level>``."""
    out = {f"{name}.passages": vs for name, vs in index.dense.items() if name not in index.sentence_vectors}
    out.update({f"{name}.sentences": vs for name, vs in index.sentence_vectors.items()})
    return out


def file_stem(label: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in label)


class AnnIndex:
    """Loaded IVF indexes of one vector set (the base file and the files of shards added
    since, :func:`added_files`) and the map from their ids to rows of a :class:`VectorSet`."""

    def __init__(self, faiss_index: Any, first_row: np.ndarray, added: Sequence[Any] = ()) -> None:
        self.index = faiss_index
        self.parts = (faiss_index, *added)
        self.first_row = first_row  # shard number -> first row, -1 for shards not opened

    @property
    def ntotal(self) -> int:
        return sum(int(part.ntotal) for part in self.parts)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The best ``k`` rows of every part, best first (ties by row)."""
        import numpy as np

        one_thread()
        q = np.asarray(query, dtype=np.float32).reshape(1, -1)
        found = [part.search(q, k) for part in self.parts]
        sims = np.concatenate([f[0][0] for f in found])
        ids = np.concatenate([f[1][0] for f in found])
        keep = ids >= 0
        ids, sims = ids[keep], sims[keep]
        first = self.first_row[ids >> ID_SHIFT]
        ok = first >= 0
        rows, sims = (first[ok] + (ids[ok] & ((1 << ID_SHIFT) - 1))).astype(np.int64), sims[ok]
        if len(self.parts) > 1:
            order = np.lexsort((rows, -sims))[:k]
            rows, sims = rows[order], sims[order]
        return rows, sims


def added_files(meta: Mapping[str, Any]) -> dict[str, list[str]]:
    """The files of shards added since the base file was written: file name → the names of
    the shards it holds (``added`` in the metadata; none for an index written before it)."""
    return {str(f): [str(n) for n in names] for f, names in dict(meta.get("added", {})).items()}


def read_ann(folder: Path, label: str, *, mapped: bool = False) -> tuple[Any, dict[str, Any]] | None:
    """The ANN index of ``label`` (its base file) and its metadata; ``mapped`` maps its
    lists from the file (read-only) instead of reading them, for searching."""
    import faiss

    meta_path = folder / f"{file_stem(label)}.json"
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
        flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mapped else 0
        faiss_index = faiss.read_index(str(folder / meta["file"]), flags)
    except (OSError, ValueError, KeyError, RuntimeError):
        return None
    return faiss_index, meta


def read_added(folder: Path, meta: Mapping[str, Any], *, mapped: bool = False) -> list[Any] | None:
    """The indexes of :func:`added_files`, in their order (None if one cannot be read)."""
    import faiss

    flags = faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mapped else 0
    try:
        return [faiss.read_index(str(folder / f), flags) for f in added_files(meta)]
    except (OSError, RuntimeError):
        return None


def attach(index: ShardedVectors, folder: Path) -> None:
    """Attach each ANN index of ``folder`` that covers exactly the opened shards."""
    import numpy as np

    if not folder.is_dir():
        return
    names = [name for name, _ in index.shards]
    for label, vs in vector_sets(index).items():
        loaded = read_ann(folder, label, mapped=True)
        if loaded is None:
            continue
        faiss_index, meta = loaded
        added = read_added(folder, meta, mapped=True)
        numbers: dict[str, int] = meta["shards"]
        if added is None or set(numbers) != set(names) or \
                faiss_index.ntotal + sum(a.ntotal for a in added) != len(vs):
            continue
        first_row = np.full(max(numbers.values(), default=0) + 1, -1, dtype=np.int64)
        row = 0
        for name, part in zip(names, vs.parts):
            first_row[numbers[name]] = row
            row += len(part)
        for part in (faiss_index, *added):
            part.nprobe = NPROBE
        vs.ann = AnnIndex(faiss_index, first_row, added)
