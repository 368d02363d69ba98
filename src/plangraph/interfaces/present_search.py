"""What the search page and ``plangraph search`` show of a search: the terms to mark,
hits as table rows, JSON records and printed lines, their strength and section in words,
entity chips, and the choices of the search's filters (sections, places, document kinds).

Kept out of the pages so that they hold widgets and layout only, and so that these
conversions can be tested without a browser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from plangraph.analysis.strength import Strength
from plangraph.graph.planview import SectionNode
from plangraph.ingest.kinds import DOCUMENT_KINDS
from plangraph.interfaces import labels
from plangraph.model import EntityRef, Hit
from plangraph.search.read.fusion import FusionConfig
from plangraph.search.read.scope import Scope

DOCUMENT_KIND_LABELS = {k: labels.VALUES[k] for k in DOCUMENT_KINDS}
"""Each document kind's words, from the one label table."""


# Words of a Chinese question that ask rather than name a subject: never marked.
_QUESTION_WORDS = frozenset(
    "哪些 什么 怎样 怎么 如何 多少 是否 有没有 有无 哪里 为什么 要求 有关 关于 涉及 一共 大概 目前 现在 "
    "要求是 具体 主要 相关 情况 方面 问题 规定 提出 规划 计划 做 有 是 要 会".split())


# Section titles of a plan's review of the past period (what was achieved, the base it
# starts from): their passages report, they do not commit.
_REVIEW_RE = re.compile(r"十[二三]五|发展基础|现实基础|已有基础|工作基础|发展现状|回顾|取得的?(成效|成就|成绩)|主要成就")


def query_terms(query: str) -> list[str]:
    """The parts of a query worth marking in a quote: words of two or more characters,
    longest first (so that a long term is marked before the short one inside it). A
    Chinese query is cut into words by the search's own jieba tokenizer (domain
    dictionary included), question words left out; an English query is marked by the
    Chinese terms the glossary looked it up as."""
    from plangraph.search.lexical import tokenize
    from plangraph.search.read.crosslingual import translate
    from plangraph.text import detect_language

    if detect_language(query) == "en":
        words = translate(query)
    else:
        # jieba's terms carry a "j:" prefix in the lexical index; Latin words are taken as typed
        words = [w[2:] for w in tokenize(query, "jieba") if w.startswith("j:") and w[2:] not in _QUESTION_WORDS]
        # the words as typed too: a keyword list (学前教育 毛入园率) is marked whole
        words += [w for w in re.split(r"[\s,，;；、?？!！。.]+", query) if w not in _QUESTION_WORDS]
    parts = {w for w in words if len(w) >= 2}
    return sorted(parts, key=lambda w: (-len(w), w))


def matched_terms(terms: Sequence[str], text: str) -> list[str]:
    """The ``terms`` that occur in ``text`` (what a result card marks)."""
    return [t for t in terms if t in text]


def looks_back(section: str) -> bool:
    """Whether a passage under ``section`` (a path joined by ``>``) reviews the past
    period (十三五期间取得的成效, 现实基础, 发展基础…) rather than commits to the next."""
    return bool(_REVIEW_RE.search(section))


def section_label(section: str | None, english: bool = False) -> str:
    """A hit's section path, or where it stands when it has none (text before a plan's
    first heading: its preamble, or an excerpt starting mid-chapter)."""
    if section:
        return section
    return labels.NO_SECTION[1 if english else 0]


def strength_label(level: str, english: bool = False) -> str:
    """``strong`` → 强, ``medium`` → 中, ``weak`` → 弱 (English words with ``english``)."""
    from plangraph.analysis.strength import LEVEL_ZH

    return level if english else LEVEL_ZH[level]


def chip_label(e: EntityRef, limit: int = 24, english: bool = False) -> str:
    """The text of an entity chip: its kind and a short label (``建设项目 · 马溪幼儿园``)."""
    label = e.label if len(e.label) <= limit else e.label[:limit] + "…"
    kind = labels.kind_label(e.kind, english)
    return f"{kind} · {label}"


def section_choices(nodes: Sequence[SectionNode]) -> dict[str, str]:
    """Section path (what :meth:`Workspace.search` takes as ``section``) → an indented
    label, in document order."""
    out: dict[str, str] = {}
    stack: list[str] = []
    for n in nodes:
        del stack[n.depth:]
        stack.append(n.title)
        out[" > ".join(stack)] = "　" * n.depth + " ".join(x for x in (n.number, n.title) if x)
    return out


def place_choices(plans: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The divisions of the plans (:meth:`Workspace.plans` records) and those above them,
    code → ``山东省 › 临沂市``, each province followed by its cities and counties."""
    from plangraph.ingest.gazetteer import gazetteer

    g = gazetteer()
    codes = {d.code for p in plans if (code := p.get("meta", {}).get("division_code")) for d in g.chain(code)}
    return {c: " › ".join(d.name for d in g.chain(c)) for c in sorted(codes)}


def scope_weight(fusion: FusionConfig, scope: Scope) -> float:
    """The weight of the plans outside a search's scope (a place's, or another)."""
    return fusion.out_of_place if scope.places else fusion.out_of_scope


def hit_rows(hits: Sequence[Hit], strengths: Sequence[Strength] = ()) -> list[dict[str, Any]]:
    """Search results as flat rows (one per hit) for a table or a CSV file, with each
    hit's strength when given."""
    levels: list[str | None] = [s.level for s in strengths] or [None] * len(hits)
    return [
        {
            "rank": h.rank,
            "strength": level,
            "looks_back": looks_back(h.section),
            "score": round(h.score, 6),
            "scope_weight": h.scope_weight,
            "plan": h.plan,
            "section": h.section,
            "start": h.start,
            "end": h.end,
            "quote": h.quote,
            "best_sentence": h.best_sentence or "",
            "entities": "; ".join(f"{e.kind}: {e.label}" for e in h.entities),
            "passage_iri": h.passage_iri,
        }
        for h, level in zip(hits, levels)
    ]


def hit_record(hit: Hit, strength: Strength) -> dict[str, Any]:
    """A hit as ``plangraph search --format json`` prints it: its fields, its strength
    (level, value on the cut-off scale, cosines) and whether it reviews the past."""
    import dataclasses

    return {**dataclasses.asdict(hit), "strength": strength.level, "strength_value": strength.value,
            "cosines": dict(strength.cosines), "looks_back": looks_back(hit.section)}


def hit_lines(hits: Sequence[Hit], strengths: Sequence[Strength], plan: str | None = None) -> list[str]:
    """Search results as the lines ``plangraph search`` prints, led by a warning when
    the best one is weak (``plan``: the plan searched, if only one was)."""
    lines = []
    if strengths and strengths[0].level == "weak":
        lines.append(f"(the best answer is weak: {plan or 'the plans searched'} may say nothing on this "
                     "question; the passages below are only the closest)")
    for h, s in zip(hits, strengths):
        review = "  [review of the past period]" if looks_back(h.section) else ""
        lines.append(f"{h.rank}. [{h.plan}] {section_label(h.section, english=True)}  "
                     f"{s.level} (score {h.score:.3f})  chars {h.start}-{h.end}"
                     + (f"  page {h.page}" if h.page else "") + review)
        quote = " ".join(h.quote.split())  # table rows span several lines of the original
        lines.append(f"   {quote if len(quote) <= 300 else quote[:300] + '…'}")
        if h.best_sentence:
            lines.append(f"   best sentence: {h.best_sentence}")
        if h.entities:
            lines.append("   entities: " + "; ".join(f"{e.kind} {e.label}" for e in h.entities[:8]))
    return lines
