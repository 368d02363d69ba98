"""The comparison methods of :class:`~plangraph.workspace.Workspace` (a mixin, so that
the façade's module stays small): two plans side by side, a plan against its superior
plans, which plans commit to a phrase, and a plan's audit. The work is in
:mod:`plangraph.workspace.comparisons`."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from plangraph.errors import UsageError
from plangraph.workspace.commitments import which_plans

if TYPE_CHECKING:
    from plangraph.analysis.audit import AuditReport
    from plangraph.analysis.compare import PlanComparison
    from plangraph.analysis.uptake import Uptake
    from plangraph.workspace.commitments import PlanCommitment
    from plangraph.workspace.comparisons import ComparisonStore
    from plangraph.workspace.core import Workspace
    from plangraph.workspace.themes import ThemeCell, ThemeMatrix


class Comparing:
    """``compare``, ``uptake``, ``commitments``, ``theme_matrix``, ``committing_to`` and
    ``audit`` of the façade."""

    if TYPE_CHECKING:  # what the methods use of the Workspace they are part of
        _comparisons: ComparisonStore | None

        @property
        def plan_ids(self) -> tuple[str, ...]: ...

        def check_plan(self, plan: str | Sequence[str] | None) -> None: ...

    def _ws(self) -> Workspace:
        return cast("Workspace", self)

    def _store(self) -> ComparisonStore:
        """The comparison store, made on first use (it keeps what no threshold changes)."""
        # numpy and the comparison encoder load with the first comparison, not for --help
        from plangraph.workspace.comparisons import ComparisonStore

        if self._comparisons is None:
            self._comparisons = ComparisonStore(self._ws())
        return self._comparisons

    def prepare_comparisons(self) -> threading.Thread:
        """Read what any comparison needs (:meth:`ComparisonStore.prepare`) in a daemon
        thread, started once per workspace: the compare page starts it before two plans are
        picked. A failure is left to the comparison, which meets it again."""
        return self._store().prepare_in_background()

    def compare(self, plan_a: str, plan_b: str, *, method: str | None = None,
                threshold: float | None = None) -> PlanComparison:
        """Compare two plans: aligned commitments, indicators side by side by concept
        (with national targets from the national plans in the index), and the cited
        documents of both that are plans of the index.

        What no threshold changes is kept, so asking again at another threshold is fast.

        Returns a :class:`plangraph.analysis.compare.PlanComparison`.
        """
        from plangraph.analysis.compare import METHODS

        for p in (plan_a, plan_b):
            self.check_plan(p)
        if plan_a == plan_b:
            others = [p for p in self.plan_ids if p != plan_a]
            raise UsageError(f"compare needs two different plans, got {plan_a!r} twice",
                             hint=f"compare it with one of: {', '.join(others)}" if others else None)
        if method is not None and method not in METHODS:
            raise UsageError(f"unknown method {method!r}; choose one of: {', '.join(METHODS)}")
        return self._store().compare(plan_a, plan_b, method=method, threshold=threshold)

    def uptake(self, plan: str, superiors: Sequence[str], *, threshold: float | None = None) -> Uptake:
        """A plan against its superior plans: each superior commitment clause taken up
        (with the plan's quote) or not found, and the plan's clauses no superior states
        (``local``). Returns a :class:`plangraph.analysis.uptake.Uptake`."""
        for p in (plan, *superiors):
            self.check_plan(p)
        if not superiors or plan in superiors or len(set(superiors)) != len(superiors):
            raise UsageError(f"compare {plan} needs other, distinct plans to compare it with",
                             hint=f"got {', '.join(superiors) or 'none'}")
        return self._store().uptake(plan, tuple(superiors), threshold)

    def commitments(self, phrase: str, *, plans: Sequence[str] = ()) -> list[PlanCommitment]:
        """Which plans commit to ``phrase``: each plan's closest commitment clause with a
        strength, closest plans first (:func:`plangraph.workspace.commitments.which_plans`)."""
        return which_plans(self._ws(), phrase, plans=tuple(plans))

    def theme_matrix(self, *, plans: Sequence[str] = (), schemes: Sequence[str] = ()) -> ThemeMatrix:
        """How many commitments each plan makes per theme (stage, theme, target group), each
        cell with its strongest commitment quoted (:class:`plangraph.workspace.themes.ThemeMatrix`);
        ``plans`` and ``schemes`` (stages, themes, target-groups) narrow it."""
        from plangraph.workspace.themes import theme_matrix

        return theme_matrix(self._ws(), plans=plans, schemes=schemes)

    def committing_to(self, theme: str, *, plans: Sequence[str] = ()) -> list[ThemeCell]:
        """Which plans commit to a theme (key or label: 教师队伍, rural-teachers): every plan's
        count and strongest commitment, most first; plans with none last, count 0."""
        from plangraph.workspace.themes import committing_to

        return committing_to(self._ws(), theme, plans=plans)

    def audit(self, plan: str) -> AuditReport:
        """Check a plan (:class:`plangraph.analysis.audit.AuditReport`): stated totals against
        its project tables, targets stated twice or below the national plans', flagged cells."""
        from plangraph.workspace.comparisons import audit_plan

        self.check_plan(plan)
        return audit_plan(self._ws(), plan)
