"""How rare a word is among the commitment clauses of many plans: document frequencies kept as data.

The scorer's ``tfidf``, ``coverage`` and ``distinct`` count their IDF over the clauses they are
given: two plans' clauses in a comparison, a few candidate clauses a plan for a phrase. Over a
handful of clauses a name every plan states looks common (``校长职级制`` scored ``distinct``
+0.8 among 510 plans' few candidates against +1.7 among ~20 a plan), and over two plans a word
one of them repeats looks common too. The feature that says how *rare* a shared word is
(``named`` of :mod:`plangraph.analysis.likeness`) takes its document frequencies from a
reference instead: every clause of the four real plans (``data/clause_df.tsv``, written by
``benchmarks/bench_commitments.py --write-df``), so a word weighs the same whichever clauses
are scored beside it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "data" / "clause_df.tsv"


@dataclass(frozen=True)
class Rarity:
    """Document frequencies of words over ``clauses`` clauses."""

    clauses: int
    df: dict[str, int] = field(hash=False)

    def __post_init__(self) -> None:
        if self.clauses < 1:
            raise ValueError(f"rarity: {self.clauses} clauses; the reference needs at least one")

    def idf(self, word: str) -> float:
        """``log((1 + n) / (1 + df)) + 1``; a word the reference never saw is as rare as can be."""
        return math.log((1 + self.clauses) / (1 + self.df.get(word, 0))) + 1

    @property
    def top(self) -> float:
        """The largest IDF there is (a word of no reference clause)."""
        return math.log(1 + self.clauses) + 1


def count(word_sets: Iterable[Iterable[str]]) -> Rarity:
    """The document frequencies of the words of some clauses (one set of words a clause)."""
    df: Counter[str] = Counter()
    n = 0
    for words in word_sets:
        df.update(set(words))
        n += 1
    return Rarity(n, dict(df))


def write(rarity: Rarity, path: str | Path = REFERENCE_FILE, note: str = "") -> None:
    """The reference as TSV: ``#`` notes, then ``clauses`` and its count, then word and df rows."""
    lines = [f"# {line}" for line in note.splitlines()]
    lines.append(f"clauses\t{rarity.clauses}")
    lines += [f"{w}\t{d}" for w, d in sorted(rarity.df.items(), key=lambda wd: (-wd[1], wd[0]))]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read(path: str | Path) -> Rarity:
    """A reference written by :func:`write`."""
    rows = [line.rstrip("\n").split("\t") for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    try:
        if not rows or rows[0][0] != "clauses":
            raise ValueError("its first row is not 'clauses<TAB>N'")
        return Rarity(int(rows[0][1]), {w: int(d) for w, d in rows[1:]})
    except (ValueError, IndexError) as e:
        raise ValueError(f"{path}: not a clause document-frequency table ({e}); rewrite it with"
                         " benchmarks/bench_commitments.py --write-df") from e


@lru_cache(maxsize=1)
def reference() -> Rarity:
    """The reference the package ships (``data/clause_df.tsv``)."""
    return read(REFERENCE_FILE)
