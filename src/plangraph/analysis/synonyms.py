"""Local names of the same reform, applied before commitments are compared.

Plans name one reform in several ways: ``县管校聘`` in a county plan is ``区管校聘`` in a
district's, ``研训一体`` is ``教研训一体化``, ``“双减”`` is ``双减``. Character n-grams
and sentence encoders both see such pairs as different words. The table
``plangraph/data/commitment_synonyms.tsv`` (canonical, variant, relation, where seen)
maps every variant to its canonical name; :func:`normalise` rewrites a text with it
and reports which rows it applied, so a comparison can say "synonym 区管校聘 → 县管校聘".

The table is data that grows: add a row, no code changes. ``…`` in a variant stands
for up to 40 characters of any text (``师德表现作为…首要``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from plangraph.resources import data_lines
from plangraph.text import normalize

SYNONYMS_FILE = "commitment_synonyms.tsv"
RELATIONS = ("=", "~")
_QUOTES = re.compile("[“”\"‘’'「」『』]")


@dataclass(frozen=True)
class Synonym:
    """One row of the table: ``variant`` is another name of ``canonical``."""

    canonical: str
    variant: str
    relation: str
    seen_in: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise ValueError(f"{SYNONYMS_FILE}: {self.variant!r}: relation {self.relation!r};"
                             f" choose one of: {', '.join(RELATIONS)}")
        if not self.canonical.strip() or not self.variant.strip():
            raise ValueError(f"{SYNONYMS_FILE}: a row with an empty name ({self.canonical!r}, {self.variant!r})")


@dataclass(frozen=True)
class Normalised:
    """A text as comparison scores it, and the synonym rows that made it so."""

    text: str
    applied: tuple[Synonym, ...]


def _pattern(name: str) -> str:
    return ".{0,40}?".join(re.escape(normalize(part)) for part in name.split("…"))


@lru_cache(maxsize=1)
def synonyms() -> tuple[Synonym, ...]:
    """Every row of the table, in file order."""
    rows = []
    for cols in data_lines(SYNONYMS_FILE):
        if cols[0] == "canonical":
            continue
        if len(cols) < 3:
            raise ValueError(f"{SYNONYMS_FILE}: row {cols!r} has {len(cols)} columns; expected"
                             " canonical, variant, relation[, seen_in]")
        seen = tuple(s for s in cols[3].split(",") if s) if len(cols) > 3 else ()
        rows.append(Synonym(cols[0].strip(), cols[1].strip(), cols[2].strip(), seen))
    return tuple(rows)


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern[str], dict[str, Synonym | None]]:
    """One alternation of every name, longest first, so that a canonical name is never
    rewritten inside itself (``研训一体`` inside ``教研训一体化``)."""
    names: dict[str, Synonym | None] = {}
    for row in synonyms():
        names.setdefault(_pattern(row.canonical), None)
        names[_pattern(row.variant)] = row
    order = sorted(names, key=len, reverse=True)
    groups = "|".join(f"(?P<g{i}>{p})" for i, p in enumerate(order))
    return re.compile(groups), {f"g{i}": names[p] for i, p in enumerate(order)}


@lru_cache(maxsize=1)
def _anchors() -> tuple[str, ...]:
    """The first two characters of every name: a text with none of them has no name to
    rewrite, and the alternation (about 1 ms a clause) need not run on it."""
    names = [normalize(n.split("…")[0]) for row in synonyms() for n in (row.canonical, row.variant)]
    return tuple(sorted({n[:2] for n in names if n}))


SHORT = 2
"""A name this short (``职教``) is rewritten only where it is a word of its own: ``专职教研员``
holds ``职教`` across two words (专职 / 教研员) and is no vocational education."""


def _whole_word(text: str, start: int, end: int, cuts: set[int]) -> bool:
    """Whether ``text[start:end]`` begins and ends at word boundaries of the domain tokenizer
    (``cuts`` caches the boundaries of ``text``)."""
    if not cuts:
        from plangraph.extract.lexicon import tokens

        at = 0
        cuts.add(0)
        for w in tokens(text):
            at += len(w)
            cuts.add(at)
    return start in cuts and end in cuts


@lru_cache(maxsize=65536)
def normalise(text: str) -> Normalised:
    """``text`` without quotation marks and with every variant name replaced by its
    canonical one (cached: comparison and "which plans commit" meet one clause many times)."""
    plain = _QUOTES.sub("", normalize(text))
    if not any(a in plain for a in _anchors()):
        return Normalised(plain, ())
    pattern, rows = _matcher()
    applied: list[Synonym] = []
    cuts: set[int] = set()

    def swap(m: re.Match[str]) -> str:
        row = rows[m.lastgroup or ""]
        if row is None:
            return m.group(0)
        if len(m.group(0)) <= SHORT and not _whole_word(plain, m.start(), m.end(), cuts):
            return m.group(0)
        applied.append(row)
        return row.canonical

    out = pattern.sub(swap, plain)
    return Normalised(out, tuple(dict.fromkeys(applied)))
