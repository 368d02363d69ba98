"""The indicator-tie methods of :class:`~plangraph.workspace.Workspace` (a mixin, so
that the façade's module stays small); the work is in :mod:`plangraph.workspace.ties`."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from plangraph.workspace.ties import concept_ties, review_tie

if TYPE_CHECKING:
    from plangraph.graph.ties import ConceptTie
    from plangraph.workspace.builder import BuildSummary
    from plangraph.workspace.core import Workspace


class TieReview:
    """``concept_ties`` and ``review_tie`` of the façade."""

    def concept_ties(self, plan: str | None = None) -> list[ConceptTie]:
        """Each indicator's tie to the indicator scheme, or its being unmapped
        (:class:`plangraph.graph.ties.ConceptTie`), of one plan or of all."""
        return concept_ties(cast("Workspace", self), plan)  # the Workspace this mixin is part of

    def review_tie(self, plan: str, indicator: str, category: str, status: str, concept: str = "",
                   note: str = "") -> BuildSummary | None:
        """Record a reviewer's decision on one indicator's tie (status confirmed, rejected,
        manual or auto) in the review file beside the plan, and rebuild that plan."""
        return review_tie(cast("Workspace", self), plan, indicator, category, status, concept, note)
