"""Dense vectors of many plan shards, searched as one set.

Each shard stores its rows as a float16 ``.npy`` file (half the disk of float32; the
cosines of L2-normalised rows change by < 1e-3, which reorders no dev question's top
ten). Opening maps the files and reads nothing; the first search of an encoder
copies its rows, still float16, into a faiss flat index
(``IndexScalarQuantizer``, ``QT_fp16``, inner product), so an encoder or a level
(passage, sentence) that no query uses is never read. That index scans the float16
codes with SIMD conversion: the same top ten as a float32 matrix product, half its
memory, and at 168,098 × 512 rows 9 ms a query where ``matrix @ query`` took 50 ms
(it streams twice the bytes, and a product per query of float16 rows converted to
float32 would cost more still). A filter is a bitmap the scan skips by, so a
filtered search is exact without scoring every row in Python.

faiss runs one OpenMP thread per search: a single query vector is too little work to
share, and on a busy two-core machine a second thread made the scan 3× slower
(10.6 vs 36 ms p50). The setting is per calling thread, so it is made at every search.

Past :data:`ANN_MIN_ROWS` rows an approximate index may be attached
(:mod:`plangraph.search.ann`); below it exact search is fast enough and
approximation would only lose recall.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.errors import IndexStoreError

if TYPE_CHECKING:
    import numpy as np

ANN_MIN_ROWS = 200_000
"""Rows from which a build adds an approximate index: below it exact search stays within
the query budget (``benchmarks/bench_search.py --scale`` prints both)."""


def save_rows(path: Path, rows: np.ndarray) -> None:
    """Write L2-normalised float32 rows as a float16 ``.npy`` file, durably."""
    import os

    import numpy as np

    with open(path, "wb") as fh:
        np.save(fh, np.asarray(rows, dtype=np.float16))
        fh.flush()
        os.fsync(fh.fileno())


def map_rows(path: Path, rows: int, dim: int) -> np.ndarray:
    """Memory-map a shard's vector file and check its shape.

    Raises:
        IndexStoreError: missing, unreadable, or not ``rows`` × ``dim``.
    """
    import numpy as np

    try:
        arr = np.load(path, mmap_mode="r")
    except FileNotFoundError:
        raise IndexStoreError(f"index shard {path.parent}: missing {path.name}",
                              hint="rebuild it with `plangraph build`") from None
    except (OSError, ValueError) as exc:
        raise IndexStoreError(f"index shard {path.parent}: {path.name} is corrupt ({exc})",
                              hint="rebuild it with `plangraph build`") from None
    if arr.ndim != 2 or arr.shape != (rows, dim):
        raise IndexStoreError(
            f"index shard {path.parent}: {path.name} holds {arr.shape} vectors, expected ({rows}, {dim})",
            hint="rebuild it with `plangraph build`")
    return arr


def one_thread() -> None:
    """Let faiss search on one OpenMP thread in the calling thread (see the module notes)."""
    import faiss

    faiss.omp_set_num_threads(1)


class VectorSet:
    """The rows of one encoder at one level across shards, in shard order.

    Args:
        parts: one (memory-mapped) array per shard.
        dim: the encoder's dimension.
    """

    def __init__(self, parts: Sequence[np.ndarray], dim: int) -> None:
        self.parts = list(parts)
        self.dim = dim
        # first row of each part, and one past the last
        self._starts = [0]
        for part in self.parts:
            self._starts.append(self._starts[-1] + len(part))
        self._matrix: np.ndarray | None = None
        self._flat: Any = None
        self._lock = threading.Lock()
        self.ann: Any = None
        """An attached :class:`plangraph.search.ann.AnnIndex`, or None for exact search."""

    def __len__(self) -> int:
        return self._starts[-1]

    def matrix(self) -> np.ndarray:
        """All rows as one float32 matrix, read on first use (search does not need it)."""
        import numpy as np

        with self._lock:
            if self._matrix is None:
                if self.parts:
                    self._matrix = np.ascontiguousarray(np.concatenate(self.parts), dtype=np.float32)
                else:
                    self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        return self._matrix

    def flat(self) -> Any:
        """The exact faiss index of all rows (float16 codes), made on first use."""
        if self._flat is None:
            import faiss
            import numpy as np

            with self._lock:
                if self._flat is None:
                    flat = faiss.IndexScalarQuantizer(self.dim, faiss.ScalarQuantizer.QT_fp16,
                                                      faiss.METRIC_INNER_PRODUCT)
                    for part in self.parts:
                        if len(part):
                            # a QT_fp16 code is the row's IEEE half floats: the shard's bytes as they are
                            flat.add_sa_codes(np.ascontiguousarray(part, dtype=np.float16).view(np.uint8))
                    self._flat = flat
        return self._flat

    def row(self, i: int) -> np.ndarray:
        return self.rows(i, i + 1)[0]

    def rows(self, lo: int, hi: int) -> np.ndarray:
        """Rows ``lo:hi`` as float32, from the matrix if it is loaded, else from the
        shard files (a search reads only the rows of its hits this way)."""
        import numpy as np

        if self._matrix is not None:
            return self._matrix[lo:hi]
        out = []
        k = max(bisect_right(self._starts, lo) - 1, 0)
        while k < len(self.parts) and self._starts[k] < hi:
            first = self._starts[k]
            out.append(self.parts[k][max(lo - first, 0) : min(hi, self._starts[k + 1]) - first])
            k += 1
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.concatenate(out).astype(np.float32)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """The cosine of every row with ``query`` (rows and query are normalised).
        Reads the float32 matrix; ranking uses :meth:`top`, which does not."""
        return self.matrix() @ query

    def top(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows for ``query`` and their cosines, best first (ties by row);
        approximate when an ANN index is attached and no filter is given.

        Args:
            query: one normalised query vector.
            k: how many rows at most.
            allowed: one bool per row; only those rows rank (exact search).
        """
        import numpy as np

        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self.ann is not None and allowed is None:
            return self.ann.search(query, k)
        import faiss

        flat = self.flat()
        params = None
        if allowed is not None:
            # bit i of the bitmap (little-endian within a byte) admits row i; ``bits`` and
            # ``selector`` stay referenced here until the search returns
            bits = np.packbits(np.asarray(allowed, dtype=bool), bitorder="little")
            selector = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))
            params = faiss.SearchParameters()
            params.sel = selector
        one_thread()
        sims, ids = flat.search(np.asarray(query, dtype=np.float32).reshape(1, -1), k, params=params)
        sims, ids = sims[0], ids[0]
        keep = ids >= 0  # fewer than k rows allowed
        sims, ids = sims[keep], ids[keep].astype(np.int64)
        order = np.lexsort((ids, -sims))
        return ids[order], sims[order]
