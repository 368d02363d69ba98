"""A plan against its superior plans: which of their commitments it takes up.

``plangraph compare A B C…`` compares plan A with each of B, C… (its city's, province's,
the national documents) clause by clause, as the ``atomic`` method of
:mod:`plangraph.analysis.compare` scores two clauses:

* each commitment clause of a superior plan is **taken up** when A's closest clause
  reaches the threshold (that clause is quoted), else **not found** (A's nearest clause
  is still shown, with its score);
* each clause of A that no clause of any superior reaches is **local**.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from plangraph.analysis.align import Embed, clauses, headings_of, score_clauses

Status = Literal["taken up", "not found", "local"]
STATUSES: tuple[str, ...] = ("taken up", "not found", "local")


@dataclass(frozen=True)
class UptakeRow:
    """One superior clause and A's closest clause, or one clause only A states."""

    status: Status
    superior: str
    superior_quote: str
    superior_start: int | None
    local_quote: str
    local_start: int
    local_end: int
    score: float
    why: str


@dataclass(frozen=True)
class Uptake:
    """Plan ``plan`` against ``superiors``, at ``threshold``."""

    plan: str
    superiors: tuple[str, ...]
    threshold: float
    items: tuple[UptakeRow, ...]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per superior plan, how many of its clauses are taken up and not found; and
        how many of the plan's clauses are local."""
        out: dict[str, dict[str, int]] = {s: {"taken up": 0, "not found": 0} for s in self.superiors}
        for r in self.items:
            if r.status != "local":
                out[r.superior][r.status] += 1
        out[self.plan] = {"local": sum(r.status == "local" for r in self.items)}
        return out

    def rows(self, status: str | None = None) -> list[dict[str, Any]]:
        """Plain rows: taken up (closest first), not found, then local (text order)."""
        order = {s: i for i, s in enumerate(STATUSES)}
        items = sorted(self.items, key=lambda r: (order[r.status], r.superior,
                                                  -r.score if r.status == "taken up" else 0.0,
                                                  r.superior_start or 0, r.local_start))
        from plangraph.analysis.compare import shown

        return [dict(r.__dict__, score=shown(r.score)) for r in items if status is None or r.status == status]


def uptake(local: Sequence[Any], superiors: Mapping[str, Sequence[Any]], embed: Embed,
           threshold: float) -> Uptake:
    """Compare a plan's commitments (``Statement``s, sentences or clauses) with those of
    each superior plan."""
    mine = clauses(local)
    plan = mine[0].plan if mine else ""
    items: list[UptakeRow] = []
    reach = np.zeros(len(mine), dtype=np.float32)
    for sup, statements in superiors.items():
        theirs = clauses(statements)
        if not mine or not theirs:
            continue
        scores = score_clauses([s.text for s in mine], [s.text for s in theirs], embed,
                               headings=(headings_of(mine), headings_of(theirs)))
        sim = scores.score
        reach = np.maximum(reach, sim.max(axis=1))
        for j, s in enumerate(theirs):
            i = int(sim[:, j].argmax())
            why = scores.why(i, j)
            items.append(UptakeRow("taken up" if sim[i, j] >= threshold else "not found", sup, s.text, s.start,
                                   mine[i].text, mine[i].start, mine[i].end, float(sim[i, j]), str(why)))
    for i, s in enumerate(mine):
        if reach[i] < threshold:
            items.append(UptakeRow("local", "", "", None, s.text, s.start, s.end, float(reach[i]), ""))
    return Uptake(plan, tuple(superiors), threshold, tuple(items))
