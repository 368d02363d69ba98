"""The one-indicator-across-plans methods of :class:`~plangraph.workspace.Workspace` (a
mixin, so that the façade's module stays small); the work is in
:mod:`plangraph.workspace.across`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from plangraph.workspace.across import concept_across, indicator_concepts

if TYPE_CHECKING:
    from plangraph.analysis.across import ConceptAcross, ConceptInfo
    from plangraph.workspace.core import Workspace


class AcrossPlans:
    """``indicator_concepts`` and ``concept_across_plans`` of the façade."""

    def indicator_concepts(self) -> tuple[ConceptInfo, ...]:
        """Every concept of the indicator scheme (:class:`~plangraph.analysis.across.ConceptInfo`)."""
        return indicator_concepts(cast("Workspace", self))  # the Workspace this mixin is part of

    def concept_across_plans(self, concept: str, levels: Sequence[str] | None = None) -> ConceptAcross:
        """One indicator concept (key or label) in every plan of ``levels`` (all when None):
        each plan's baseline and targets, the plans that set none, and the national plans'
        targets. Returns a :class:`~plangraph.analysis.across.ConceptAcross`.

        Raises:
            UsageError: an unknown concept (with the nearest keys) or plan level.
        """
        return concept_across(cast("Workspace", self), concept, levels)
