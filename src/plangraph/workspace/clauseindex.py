"""Every plan's commitment clause vectors, searched as one set (the read side of
:mod:`plangraph.workspace.clausefile`).

"Which plans commit to X" at 500 plans: the phrase's vector against every clause of every
plan, the closest few of each plan kept for the scorer. The plans' ``clauses.npy`` files are
read once per opened index into one float16 matrix (half the memory of float32; a plan's rows
are contiguous, in index order) and scanned in blocks converted to float32, so a query costs one
pass over the rows and no per-plan Python beyond picking each plan's best few.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.errors import IndexWarning
from plangraph.workspace.clausefile import COMPARISON_ENCODER, CLAUSES_JSON, PlanClause, PlanClauses, \
    clause_encoder_for, read_clauses
from plangraph.workspace.folder import PLANS_DIR

if TYPE_CHECKING:
    import numpy as np

BLOCK_ROWS = 65536
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
        self._clauses: list[PlanClause] = []
        self._actions: dict[str, np.ndarray] = {}
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

    def _load(self, encoder_name: str) -> np.ndarray:
        """Every plan's rows as one float16 matrix, read once."""
        import numpy as np

        with self._lock:
            if self._matrix is None:
                parts = []
                row = 0
                for plan in self.manifest["plans"]:
                    found = self._plans.get(plan) or read_clauses(self._folder(plan))
                    if found is None or found.encoder != encoder_name:
                        continue
                    parts.append(np.asarray(found.vectors, dtype=np.float16))
                    self._clauses.extend(found.clauses)
                    self._actions[plan] = row + np.flatnonzero([c.action for c in found.clauses])
                    row += len(found.clauses)
                dim = parts[0].shape[1] if parts else 1
                self._matrix = np.concatenate(parts) if parts else np.zeros((0, dim), np.float16)
            return self._matrix

    def rows(self) -> int:
        return 0 if self._matrix is None else len(self._matrix)

    def nearest(self, vector: np.ndarray, encoder_name: str, plans: Sequence[str], k: int,
                literal: str = "") -> dict[str, list[tuple[PlanClause, np.ndarray]]]:
        """Each of ``plans``' ``k`` action clauses closest to ``vector`` (an L2-normalised row), and
        those whose encoder text holds ``literal`` (up to ``k`` more), with their float32 vectors."""
        import numpy as np

        matrix = self._load(encoder_name)
        q = np.asarray(vector, dtype=np.float32).reshape(-1)
        scores = np.empty(len(matrix), np.float32)
        for lo in range(0, len(matrix), BLOCK_ROWS):
            scores[lo:lo + BLOCK_ROWS] = matrix[lo:lo + BLOCK_ROWS].astype(np.float32) @ q
        out: dict[str, list[tuple[PlanClause, np.ndarray]]] = {}
        for plan in plans:
            ids = self._actions.get(plan)
            if ids is None or not len(ids):
                continue
            best = ids[np.argsort(-scores[ids], kind="stable")[:k]].tolist()
            if literal:
                best += [i for i in ids.tolist() if literal in self._clauses[i].key and i not in best][:k]
            out[plan] = [(self._clauses[i], matrix[i].astype(np.float32)) for i in best]
        return out
