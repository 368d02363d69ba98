"""Dense vectors of many plan shards, searched as one matrix.

Each shard stores its rows as a float16 ``.npy`` file (half the disk of float32; the
cosines of L2-normalised rows change by < 1e-3, which reorders no dev question's top
ten). Opening maps the files and reads nothing; the first search of an encoder
builds one float32 matrix of its rows, so an encoder or a level (passage, sentence)
that no query uses is never read.

Past :data:`ANN_MIN_ROWS` rows an approximate index may be attached
(:mod:`plangraph.search.ann`); below it exact search is fast enough and
approximation would only lose recall.
"""

from __future__ import annotations

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


class VectorSet:
    """The rows of one encoder at one level across shards, in shard order.

    Args:
        parts: one (memory-mapped) array per shard.
        dim: the encoder's dimension.
    """

    def __init__(self, parts: Sequence[np.ndarray], dim: int) -> None:
        self.parts = list(parts)
        self.dim = dim
        self._matrix: np.ndarray | None = None
        self.ann: Any = None
        """An attached :class:`plangraph.search.ann.AnnIndex`, or None for exact search."""

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def matrix(self) -> np.ndarray:
        """All rows as one float32 matrix, read on first use."""
        import numpy as np

        if self._matrix is None:
            if self.parts:
                self._matrix = np.ascontiguousarray(np.concatenate(self.parts), dtype=np.float32)
            else:
                self._matrix = np.zeros((0, self.dim), dtype=np.float32)
        return self._matrix

    def row(self, i: int) -> np.ndarray:
        return self.rows(i, i + 1)[0]

    def rows(self, lo: int, hi: int) -> np.ndarray:
        """Rows ``lo:hi`` as float32, from the matrix if it is loaded, else from the
        shard files (so a search through an ANN index never loads the matrix)."""
        import numpy as np

        if self._matrix is not None:
            return self._matrix[lo:hi]
        out, first = [], 0
        for part in self.parts:
            end = first + len(part)
            if end > lo and first < hi:
                out.append(part[max(lo - first, 0) : min(hi, end) - first])
            first = end
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.concatenate(out).astype(np.float32)

    def scores(self, query: np.ndarray) -> np.ndarray:
        """The cosine of every row with ``query`` (rows and query are normalised)."""
        return self.matrix() @ query

    def top(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows for ``query`` and their cosines, best first (ties by row);
        approximate when an ANN index is attached."""
        import numpy as np

        n = len(self)
        k = min(k, n)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self.ann is not None:
            return self.ann.search(query, k)
        sims = self.scores(query)
        if k < n:
            cand = np.argpartition(-sims, k - 1)[:k]
        else:
            cand = np.arange(n)
        order = cand[np.lexsort((cand, -sims[cand]))]
        return order.astype(np.int64), sims[order]
