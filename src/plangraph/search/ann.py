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
        first = self.first_row[ids >> ID_SHIFT]
        ok = first >= 0
        return (first[ok] + (ids[ok] & ((1 << ID_SHIFT) - 1))).astype(np.int64), sims[ok]


def read_ann(folder: Path, label: str, *, mapped: bool = False) -> tuple[Any, dict[str, Any]] | None:
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
