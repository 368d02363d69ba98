"""Which plans commit to X: from a phrase, the closest atomic commitment in each plan.

Each plan's commitment clauses and their vectors were stored with the plan when it was built
(:mod:`plangraph.workspace.clausefile`): the phrase is encoded once, scored against every
plan's clause vectors (:class:`plangraph.workspace.clauseindex.ClauseIndex`), and each plan's
:data:`CLAUSES_PER_PLAN` closest action clauses (and those stating the phrase word for word)
are scored against the phrase as comparison scores two clauses
(:func:`plangraph.analysis.align.score_clauses`: synonyms, then the learned scorer on bigram
TF-IDF, object coverage, shared distinctive words, the encoder's cosine, the facet check…),
all plans' clauses in one call (one IDF over them). Plans are ranked by their best clause.

On an index built before clause files (:func:`which_plans_by_search`, said once), the search
index's per-plan shards find each plan's passages closest to the phrase
(``Workspace.search`` with ``per_plan``), the commitment clauses of those passages are cut
with :func:`plangraph.extract.clauses.split_clauses` and encoded on first use.
Either way offsets are into the plan, so every quote is ``original[start:end]``.

A plan *commits* when its best clause reaches the atomic threshold
(``THRESHOLDS["atomic"]``), *strongly* when it is :data:`STRONG_MARGIN` above it; its
nearest clause is shown either way, as ``weak``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from plangraph.errors import UsageError
from plangraph.workspace.clausefile import passage_clauses

if TYPE_CHECKING:
    import numpy as np

    from plangraph.workspace.comparisons import ComparisonStore
    from plangraph.workspace.core import Workspace

PASSAGES_PER_PLAN = 3
"""Passages read per plan (an index without clause files): the clause that commits is rarely
outside a plan's best three."""
CLAUSES_PER_PLAN = 2
"""Clauses per plan, closest to the phrase by the encoder, that the scorer weighs."""
MIN_SCORED = 60
"""Clauses scored together at least (more per plan on a small index): the scorer counts its
IDF over the clauses it is given, and over a handful a phrase's rare words look common (on
Lin'an and Linping with 3 clauses a plan, 县管校聘 in Lin'an scored 0.42 against 0.56 over the
57 clauses of the search path; 0.53 with 15 a plan)."""
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


def strength_of(score: float, threshold: float) -> Strength:
    if score >= threshold + STRONG_MARGIN:
        return "strong"
    return "commits" if score >= threshold else "weak"


def which_plans(ws: Workspace, phrase: str, *, plans: tuple[str, ...] = (),
                per_plan: int | None = None) -> list[PlanCommitment]:
    """Every plan (or those of ``plans``) with its closest commitment clause to ``phrase`` and a
    strength, closest plans first: from the clause vectors stored with each plan, or, on an
    index built before them, from the search index (:func:`which_plans_by_search`)."""
    phrase = phrase.strip()
    if not phrase:
        raise UsageError("commitments needs a phrase", hint='plangraph commitments "县管校聘"')
    for p in plans:
        ws.check_plan(p)
    store = ws._store()
    if not store.clauses.complete:
        store.clauses.warn_if_old()
        return which_plans_by_search(ws, phrase, plans=plans)
    return from_stored(store, phrase, plans or ws.plan_ids, per_plan)


def from_stored(store: ComparisonStore, phrase: str, wanted: Sequence[str],
                per_plan: int | None = None) -> list[PlanCommitment]:
    """:func:`which_plans` from the clause vectors stored with the plans of ``wanted``."""
    from plangraph.analysis.synonyms import normalise
    from plangraph.extract.lexicon import tokens

    key = normalise(phrase).text
    vector = store.embed([key])[0]
    k = per_plan or max(CLAUSES_PER_PLAN, -(-MIN_SCORED // max(len(wanted), 1)))
    # the phrase as it stands, and its rarest word (职级制 of 校长职级制改革, stated by 推行校长职级制)
    index = store.clauses
    index.load(store.encoder().name)
    rare = index.rarest([w for w in tokens(key) if len(w) >= 2 and w != key])
    near = index.nearest(vector, store.encoder().name, wanted, k, literals=(key, rare))
    items: list[tuple[str, tuple[str, str, int, int, str], str]] = []
    known = {key: vector}
    for plan, found in near.items():
        known.update((c.key, v) for c, v in found)
        items.extend((plan, (c.text, c.quote, c.start, c.end, c.context), c.section) for c, _ in found)

    def embed(texts: list[str]) -> np.ndarray:
        # the candidates' rows as read, not kept by the store: a session asking many phrases
        # would otherwise come to hold every plan's vectors twice
        import numpy as np

        missing = [t for t in texts if t not in known]
        fresh = dict(zip(missing, store.embed(missing))) if missing else {}
        return np.stack([known[t] if t in known else fresh[t] for t in texts])

    return _best_per_plan(embed, phrase, items)


def which_plans_by_search(ws: Workspace, phrase: str, *, plans: tuple[str, ...] = (),
                          per_plan: int = PASSAGES_PER_PLAN) -> list[PlanCommitment]:
    """:func:`which_plans` on an index without clause files: every plan with a passage near
    ``phrase``, the clauses of its ``per_plan`` closest passages encoded on first use."""
    wanted = plans or ws.plan_ids
    hits = ws.search(phrase, top_k=per_plan * len(wanted), per_plan=per_plan, scoped=False)
    by_plan: dict[str, list[Any]] = {}
    for h in hits:
        if h.plan in wanted:
            by_plan.setdefault(h.plan, []).append(h)
    items: list[tuple[str, tuple[str, str, int, int, str], str]] = []
    for plan, plan_hits in by_plan.items():
        found = {(c[2], c[3]): (c, h.section) for h in plan_hits for c in passage_clauses(h.text, h.quote, h.start, h.end)}
        items.extend((plan, c, section) for c, section in found.values())
    return _best_per_plan(ws._store().embed, phrase, items)  # the compare page's encoder and vectors


def _best_per_plan(embed: Any, phrase: str,
                   items: list[tuple[str, tuple[str, str, int, int, str], str]]) -> list[PlanCommitment]:
    """Each plan's best clause of ``items`` (plan, (text, quote, start, end, sentence), section)
    against the phrase, with its strength, closest plans first."""
    # numpy, with the first question, not when the package is imported
    from plangraph.analysis.align import score_clauses
    from plangraph.analysis.compare import THRESHOLDS

    threshold = THRESHOLDS["atomic"]
    if not items:
        return []
    # Every plan's clauses scored in one go: one IDF over all of them, the phrase read once.
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
