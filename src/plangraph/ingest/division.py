"""Where a plan is from: its administrative division, found in its metadata and text.

The places a plan names are looked up in the gazetteer (:mod:`plangraph.ingest.gazetteer`),
in this order, the first that names one settling it:

1. its region (sidecar ``region``, or what the title starts with),
2. its title (``文字解读:《临沂市“十四五”教育事业发展规划》`` → 临沂市),
3. its issuer (``杭州市临安区教育局`` → 临安区),
4. the opening of its text, outside the titles of documents it cites (a county plan
   is written ``根据《蚌埠市“十四五”教育事业发展规划》…结合五河教育发展…``): the
   place named most often there.

A name shared by several divisions (鼓楼区) is settled by the other places named in
all of these; a national plan (level ``national``) has no division.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from plangraph.ingest.gazetteer import Division, Gazetteer, PlaceMention, gazetteer
from plangraph.text import normalize

TEXT_CHARS = 3000
_CITED = re.compile(r"《[^《》\n]{0,80}》")
# what a division's level makes of a plan's level (PlanMeta.level)
PLAN_LEVELS = {"province": "provincial", "city": "municipal"}


@dataclass(frozen=True)
class Located:
    """A plan's division and what said so: ``source`` is ``region``, ``title``,
    ``issuer`` or ``text``; ``cue`` the name as found there."""

    division: Division
    source: str
    cue: str

    def reason(self) -> str:
        return f"{self.source}: {self.cue}"


def locate(*, title: str | None, region: str | None = None, issuer: str | None = None,
           text: str = "", places: Gazetteer | None = None) -> Located | None:
    """The division a plan is about (see the module's note), or None."""
    g = places or gazetteer()
    fields = [("region", region or ""), ("title", title or ""), ("issuer", issuer or "")]
    found = [(source, g.find(normalize(value))) for source, value in fields]
    opening = _CITED.sub(lambda m: " " * len(m.group()), normalize(text[:TEXT_CHARS]))
    in_text = g.find(opening)
    context = [m for _, ms in found for m in ms] + in_text
    for source, mentions in found:
        division = g.resolve(mentions, context)
        if division is not None:
            return Located(division, source, _cue(mentions, division, g))
    return _from_text(in_text, g)


def _cue(mentions: list[PlaceMention], division: Division, g: Gazetteer) -> str:
    for m in mentions:
        if division.code in m.codes:
            return m.surface
    return division.name


def _from_text(mentions: list[PlaceMention], g: Gazetteer) -> Located | None:
    """The division named most often (a more specific one on a tie), its name settled."""
    counts: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for m in mentions:
        division = g.resolve([m], mentions)
        if division is not None:
            counts[division.code] += 1
            surface.setdefault(division.code, m.surface)
    if not counts:
        return None
    code = max(counts, key=lambda c: (counts[c], len(g.chain(c)), c))
    return Located(g.divisions[code], "text", surface[code])


def plan_level(division: Division) -> str:
    """The plan level (:data:`plangraph.ingest.metadata.LEVELS`) of a division's plan:
    a county-level division is a ``district`` when its name ends in 区."""
    if division.level == "county":
        return "district" if division.name.endswith("区") else "county"
    return PLAN_LEVELS[division.level]
