"""The plan × theme matrix of commitments, and which plans commit to a theme.

A theme is a concept of ``ontology/concepts.ttl`` (a stage such as 学前教育, a theme such
as 教师队伍, a target group such as 乡村教师); extraction tags each commitment with the
themes its words name (:func:`plangraph.extract.lexicon.concepts_in`). A cell of the
matrix is how many commitments a plan makes on a theme, and its *strongest* one: the
first that states a quantity and a year, else a quantity, else a year, else the first.

The rows come from the named query ``commitment-themes``, which every plan stores its
own rows of when it is built (:mod:`plangraph.graph.views`): adding or removing a plan
costs that plan's rows, and the matrix of 500 plans is a filter over stored rows, not a
join in the store (``benchmarks/bench_commitments.py --scale``).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from plangraph.errors import UsageError

if TYPE_CHECKING:
    from plangraph.workspace.core import Workspace

QUERY = "commitment-themes"
SCHEMES = ("stages", "themes", "target-groups")


@dataclass(frozen=True)
class Theme:
    """A concept commitments are counted under."""

    key: str
    scheme: str
    zh: str
    en: str

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise ValueError(f"theme {self.key!r}: scheme {self.scheme!r}; choose one of: {', '.join(SCHEMES)}")


@dataclass(frozen=True)
class ThemeCell:
    """One plan's commitments on one theme: how many, and the strongest, quoted with its span."""

    plan: str
    theme: str
    count: int
    quote: str = ""
    start: int | None = None
    end: int | None = None
    quantified: bool = False
    dated: bool = False

    def __post_init__(self) -> None:
        if self.count < 0 or (self.count and (self.start is None or self.end is None or not self.quote)):
            raise ValueError(f"cell {self.plan} × {self.theme}: count {self.count} needs a quote and its span")

    def row(self) -> dict[str, Any]:
        return {"plan": self.plan, "theme": self.theme, "count": self.count, "quote": self.quote,
                "start": self.start, "end": self.end, "quantified": self.quantified, "dated": self.dated}


@dataclass(frozen=True)
class ThemeMatrix:
    """How many commitments each plan makes per theme (plans and themes in index and
    scheme order; a missing cell is 0)."""

    plans: tuple[str, ...]
    themes: tuple[Theme, ...]
    cells: tuple[ThemeCell, ...]
    _at: dict[tuple[str, str], ThemeCell] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_at", {(c.plan, c.theme): c for c in self.cells})

    def cell(self, plan: str, theme: str) -> ThemeCell:
        return self._at.get((plan, theme)) or ThemeCell(plan, theme, 0)

    def count(self, plan: str, theme: str) -> int:
        return self.cell(plan, theme).count

    def theme(self, name: str) -> Theme:
        """The theme whose key, Chinese or English label is ``name``."""
        for t in self.themes:
            if name in (t.key, t.zh, t.en):
                return t
        near = [t.key for t in self.themes if name and (name in t.zh or name in t.key)][:8]
        raise UsageError(f"unknown theme {name!r}",
                         hint=f"did you mean: {', '.join(near)}" if near else
                         "choose one of: " + ", ".join(f"{t.key} ({t.zh})" for t in self.themes))

    def committing(self, name: str) -> list[ThemeCell]:
        """Which plans commit to a theme: every plan's cell, most commitments first, the
        plans with none last (count 0, in index order)."""
        key = self.theme(name).key
        order = {p: i for i, p in enumerate(self.plans)}
        return sorted((self.cell(p, key) for p in self.plans), key=lambda c: (-c.count, order[c.plan]))

    def rows(self) -> list[dict[str, Any]]:
        """One row per non-empty cell, with the theme's labels: the long form for CSV and JSON."""
        by_key = {t.key: t for t in self.themes}
        return [{**c.row(), "scheme": by_key[c.theme].scheme, "theme_zh": by_key[c.theme].zh,
                 "theme_en": by_key[c.theme].en} for c in self.cells]

    def wide(self, label: str = "key") -> list[dict[str, Any]]:
        """One row per plan, one column per theme (its ``key``, ``zh`` or ``en`` label): the
        counts, as the heat map and the spreadsheet show them."""
        return [{"plan": p, **{getattr(t, label): self.count(p, t.key) for t in self.themes}} for p in self.plans]


def all_themes(schemes: Sequence[str] = ()) -> tuple[Theme, ...]:
    """The themes of ``schemes`` (all when empty), in the order of ``concepts.tsv``."""
    from plangraph.graph.browse import concepts

    return tuple(Theme(c.key, c.scheme, c.zh, c.en) for c in concepts() if not schemes or c.scheme in schemes)


_cache: weakref.WeakKeyDictionary[Workspace, ThemeMatrix] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _whole(ws: Workspace) -> ThemeMatrix:
    """Every plan × every theme, made once per opened index (a rebuilt index is a new Workspace)."""
    with _lock:
        if ws not in _cache:
            rows = ws.sparql(name=QUERY, limit=0, timeout_s=60).as_dicts()
            _cache[ws] = matrix_of(rows, ws.plan_ids, all_themes())
        return _cache[ws]


def theme_matrix(ws: Workspace, *, plans: Sequence[str] = (), schemes: Sequence[str] = ()) -> ThemeMatrix:
    """:meth:`Workspace.theme_matrix`: the whole matrix, narrowed to ``plans`` and ``schemes``."""
    for s in schemes:
        if s not in SCHEMES:
            raise UsageError(f"unknown theme scheme {s!r}; choose one of: {', '.join(SCHEMES)}")
    for p in plans:
        ws.check_plan(p)
    whole = _whole(ws)
    if not plans and not schemes:
        return whole
    themes = all_themes(schemes)
    keep_plans, keep_themes = set(plans or whole.plans), {t.key for t in themes}
    return ThemeMatrix(tuple(plans) or whole.plans, themes,
                       tuple(c for c in whole.cells if c.plan in keep_plans and c.theme in keep_themes))


def committing_to(ws: Workspace, theme: str, *, plans: Sequence[str] = ()) -> list[ThemeCell]:
    """:meth:`Workspace.committing_to`: one theme's stored rows only, when the whole matrix
    has not been made yet."""
    for p in plans:
        ws.check_plan(p)
    with _lock:
        whole = _cache.get(ws)
    if whole is not None:
        return theme_matrix(ws, plans=plans).committing(theme)
    found = ThemeMatrix((), all_themes(), ()).theme(theme)
    rows = ws.sparql(name=QUERY, params={"theme": found.key}, limit=0, timeout_s=60).as_dicts()
    return matrix_of(rows, tuple(plans) or ws.plan_ids, (found,)).committing(found.key)


def matrix_of(rows: Sequence[dict[str, Any]], plans: Sequence[str], themes: Sequence[Theme]) -> ThemeMatrix:
    """The matrix of ``plans`` × ``themes`` from rows of the ``commitment-themes`` query
    (other plans' and themes' rows are left out; a commitment is counted once per theme)."""
    keep_plans, keep_themes = set(plans), {t.key for t in themes}
    # (plan, theme) → [the commitments' spans, the strongest's rank, the strongest row]
    acc: dict[tuple[str, str], list[Any]] = {}
    for r in rows:  # 185,000 rows at 500 plans: one pass, the rank made once a row
        at = (r["plan"], r["key"])
        if at[0] not in keep_plans or at[1] not in keep_themes:
            continue
        span = (r["start"], r["end"])
        rank = (-(2 * int(r["quantified"]) + int(r["dated"])), *span)
        cell = acc.get(at)
        if cell is None:
            acc[at] = [{span}, rank, r]
        else:
            cell[0].add(span)
            if rank < cell[1]:
                cell[1], cell[2] = rank, r
    order = {t.key: i for i, t in enumerate(themes)}
    plan_order = {p: i for i, p in enumerate(plans)}
    cells = []
    for p, k in sorted(acc, key=lambda pk: (plan_order[pk[0]], order[pk[1]])):
        spans, _, b = acc[(p, k)]
        cells.append(ThemeCell(str(p), str(k), len(spans), str(b["quote"]), int(b["start"]), int(b["end"]),
                               bool(int(b["quantified"])), bool(int(b["dated"]))))
    return ThemeMatrix(tuple(plans), tuple(themes), tuple(cells))
