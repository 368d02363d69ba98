"""Mentions in prose: commitments, responsible bodies, places and cited documents.

Works on the normalised text of each paragraph passage and reports offsets into the
original text (the two share offsets). Deterministic and offline: regular expressions
for spans, the domain jieba tokenizer for words whose boundaries matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from plangraph.extract.clauses import split_clauses
from plangraph.extract.lexicon import body_names, concepts_in, tokens
from plangraph.extract.mentions import (
    CitedDocument,
    Clause,
    Commitment,
    Evidence,
    Organization,
    Place,
    Quantity,
)
from plangraph.extract.quantities import find_quantities
from plangraph.model import Passage, PlanDoc
from plangraph.text import sentence_spans

_CITED_RE = re.compile(r"《([^《》\n]{2,80})》")
_LIST_BODIES_RE = re.compile(r"((?:[\u4e00-\u9fa5]{2,4}、)+[\u4e00-\u9fa5]{2,4})等部门")
PLACE_TYPES: tuple[str, ...] = ("科技城", "新城", "街道", "镇")
_PLACE_RE = re.compile(
    r"(?:^|(?<=[,，、;；:：“”\"(（\s和与及在至]))([\u4e00-\u9fa5]{2,4}?(?:科技城|新城|街道|镇))"
)
_NOT_PLACES = ("城镇", "乡镇", "各镇", "全镇", "集镇", "小城镇", "特色小镇", "镇街", "各街道")
# Sections that report the past or set out principles rather than measures.
_NOT_MEASURES = ("现实基础", "取得的成效", "机遇与挑战", "发展基础", "面临形势", "指导思想", "序言")
_ACTIONS = (
    "推进", "实施", "建立", "完善", "加强", "确保", "提高", "深化", "推动", "实现", "健全",
    "构建", "打造", "开展", "落实", "鼓励", "支持", "加大", "优化", "提升", "扩大", "创建",
    "培养", "引进", "建设", "保障", "探索", "坚持", "促进", "发展", "制定", "出台", "培育",
    "强化", "规范", "严格", "逐步", "力争", "争创", "全面", "积极", "努力", "着力", "建成",
    "发挥", "保持", "达到", "下降", "增长", "不低于", "不少于", "覆盖",
)
_DEADLINE_RE = re.compile(r"(?:到|至|于|在)(20\d{2})年|(20\d{2})年(?:前|底|末|以前|之前)")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    passage: Passage


def _evidence(doc: PlanDoc, start: int, end: int, passage_id: str | None) -> Evidence:
    return Evidence(passage_id, start, end, doc.original[start:end])


def _prose(doc: PlanDoc) -> Iterator[Passage]:
    """Prose passages in text order, each stretch of text once (windows of a long
    paragraph are read instead of the paragraph, never beside it)."""
    covered = -1
    ordered = sorted(
        (p for p in doc.passages if p.kind in ("paragraph", "window", "lead")),
        key=lambda p: (p.start, -p.end),
    )
    for p in ordered:
        if p.start >= covered:
            covered = p.end
            yield p


def sentences(doc: PlanDoc, passage: Passage) -> Iterator[_Span]:
    """Sentences of a passage (the one splitter, :func:`plangraph.text.sentence_spans`), cut
    at line breaks too; a piece of two characters is a sentence here (``加强。``)."""
    for s, e in sentence_spans(doc.norm, passage.start, passage.end, lines=True, min_chars=2, whole=False):
        yield _Span(s, e, passage)


@lru_cache(maxsize=1)
def _bodies_re() -> re.Pattern[str]:
    """Every known body name, longest first (compiled once, not once per sentence)."""
    return re.compile("|".join(re.escape(n) for n in sorted(body_names(), key=len, reverse=True)))


def find_bodies(doc: PlanDoc, start: int, end: int) -> list[tuple[str, str, int, int]]:
    """(canonical, name as written, start, end) for each body named in a span.

    Known names come from ``bodies.tsv``; enumerations like ``教育、人社、文旅、卫健等部门``
    give one body per item (``人社部门``).
    """
    known = body_names()
    found: list[tuple[str, str, int, int]] = []
    taken: set[int] = set()
    for m in _LIST_BODIES_RE.finditer(doc.norm, start, end):
        pos = m.start(1)
        for item in m.group(1).split("、"):
            name = f"{item}部门"
            found.append((known.get(name, name), name, pos, pos + len(item)))
            pos += len(item) + 1
        taken.update(range(m.start(), m.end()))
    for m in _bodies_re().finditer(doc.norm, start, end):
        if m.start() in taken:
            continue
        found.append((known[m.group(0)], m.group(0), m.start(), m.end()))
    return sorted(found, key=lambda f: f[2])


def _place_type(name: str) -> str:
    return next(t for t in PLACE_TYPES if name.endswith(t))


class KnownNames:
    """Names by length, for :func:`find_places`: looking names up by length at each
    position costs a span's length times the few name lengths, not the number of names
    known so far (which grows with the plan)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.by_len: dict[int, set[str]] = {}
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        if name:
            self.by_len.setdefault(len(name), set()).add(name)


def find_places(doc: PlanDoc, start: int, end: int, known: KnownNames | Iterable[str]) -> list[tuple[str, int, int]]:
    """(name, start, end) of places in a span: names already known (longest first), and
    names after a delimiter that end in 街道/镇/新城/科技城."""
    found: dict[int, tuple[str, int, int]] = {}
    covered: set[int] = set()
    text = doc.norm[start:end]
    by_len = (known if isinstance(known, KnownNames) else KnownNames(known)).by_len
    for size in sorted(by_len, reverse=True):
        names = by_len[size]
        for i in range(len(text) - size + 1):
            if text[i:i + size] in names and start + i not in covered:
                s = start + i
                found[s] = (text[i:i + size], s, s + size)
                covered.update(range(s, s + size))
    for m in _PLACE_RE.finditer(doc.norm, start, end):
        name = m.group(1)
        s = m.start(1)
        # "推进於潜镇": the verb before a place is not part of its name
        words = tokens(name)
        while len(words) > 1 and words[0] in _ACTIONS and len("".join(words[1:])) >= 3:
            s += len(words.pop(0))
        name = "".join(words)
        if name in _NOT_PLACES or any(name.endswith(n) for n in _NOT_PLACES):
            continue
        if s not in covered:
            found[s] = (name, s, m.end(1))
            covered.update(range(s, m.end(1)))
    return sorted(found.values(), key=lambda f: f[1])


def _add_issuer(doc: PlanDoc, bodies: dict[str, tuple[list[str], list[Evidence]]]) -> None:
    """The issuing body, merged with the name the text gives it (杭州市临安区教育局 is the
    区教育局 of the page header), quoted from the header where it appears there."""
    issuer = (doc.meta.issuer or "").strip()
    if not issuer:
        return
    known = body_names()
    local = issuer
    for prefix in sorted({doc.meta.region or "", _region(doc)}, key=len, reverse=True):
        if prefix and issuer.startswith(prefix) and len(issuer) > len(prefix):
            local = issuer[len(prefix):]
            break
    names = [n for n in (issuer, local, "区" + local, "市" + local, "县" + local) if n in known]
    canonical = known[names[0]] if names else issuer
    spellings = list(dict.fromkeys([issuer, *names]))
    aliases, evs = bodies.setdefault(canonical, ([], []))
    for name in spellings:
        if name != canonical and name not in aliases:
            aliases.append(name)
    header = [ex for ex in doc.excluded if ex.kind == "page_header"][:1]
    spans = [(h.start, h.end) for h in header] or [(0, len(doc.norm))]
    # positions already quoted: a set, as ``evs`` holds every mention of the body
    covered = {i for e in evs for i in range(e.start, e.end)}
    for a, b in spans:
        for name in sorted(spellings, key=len, reverse=True):
            for m in re.finditer(re.escape(name), doc.norm[a:b]):
                s = a + m.start()
                if s not in covered:
                    evs.append(_evidence(doc, s, s + len(name), None))
                    covered.update(range(s, s + len(name)))
    if not evs:
        del bodies[canonical]


def _years(text: str, period_start: int) -> set[int]:
    return {y for m in _DEADLINE_RE.finditer(text) if (y := int(m.group(1) or m.group(2))) >= period_start}


def _clauses(doc: PlanDoc, sent: _Span, quantities: tuple[Quantity, ...],
             named: list[tuple[str, str, int, int]], period_start: int) -> tuple[Clause, ...]:
    """The sentence's atomic commitments, each with the quantities, years and bodies
    stated inside it, those stated before the sentence's first action (they govern all),
    and the year a clause opens with (it governs the clauses after it)."""
    spans = split_clauses(doc.norm[sent.start:sent.end], sent.start)
    if not spans:
        return ()
    # what stands before the first action (到2025年, a subject: 各级政府要…) governs every clause
    first_verb = spans[0].text.find(spans[0].action) if spans[0].action else 0
    lead_end = spans[0].start + max(first_verb, 0)
    lead_text = doc.norm[sent.start:lead_end]
    head_years = _years(lead_text, period_start)
    first = _DEADLINE_RE.match(doc.norm, spans[0].start)  # 到2025年,毛入园率达到98% (a target clause)
    if first:
        head_years |= _years(first.group(0), period_start)
    head_bodies = [n[0] for n in named if n[3] <= lead_end]
    out = []
    carried: set[int] = set()  # 积极发展学前教育,到2020年,普及…,基本普及…: the year governs what follows
    for c in spans:
        opening = _DEADLINE_RE.match(doc.norm, c.start)
        if opening:
            carried = _years(opening.group(0), period_start)
        out.append(Clause(
            text=c.text,
            action=c.action,
            evidence=_evidence(doc, c.start, c.end, sent.passage.passage_id),
            quantities=tuple(q for q in quantities if c.start <= q.evidence.start and q.evidence.end <= c.end),
            deadlines=tuple(sorted(head_years | carried | _years(c.text, period_start))),
            bodies=tuple(dict.fromkeys([*head_bodies, *(n[0] for n in named if c.start <= n[2] and n[3] <= c.end)])),
        ))
    return tuple(out)


def _region(doc: PlanDoc) -> str:
    return doc.meta.region or doc.meta.plan_id


def extract_prose(
    doc: PlanDoc, table_places: dict[str, list[Evidence]]
) -> tuple[
    tuple[Commitment, ...], tuple[Organization, ...], tuple[Place, ...], tuple[CitedDocument, ...]
]:
    """Commitments, bodies, places and cited documents of a plan's prose.

    Args:
        doc: the ingested plan.
        table_places: place names already read from project tables, with their cells,
            so that prose mentions of them are merged into the same places.
    """
    region = _region(doc)
    bodies: dict[str, tuple[list[str], list[Evidence]]] = {}
    places: dict[str, list[Evidence]] = {k: list(v) for k, v in table_places.items()}
    known_places = KnownNames(places)
    documents: dict[str, list[Evidence]] = {}
    commitments: list[Commitment] = []
    period_start = doc.meta.period_start or 0

    for passage in _prose(doc):
        for m in _CITED_RE.finditer(doc.norm, passage.start, passage.end):
            documents.setdefault(m.group(1).strip(), []).append(
                _evidence(doc, m.start(), m.end(), passage.passage_id)
            )
        is_measure = not any(k in part for part in passage.section_path for k in _NOT_MEASURES)
        for sent in sentences(doc, passage):
            named = find_bodies(doc, sent.start, sent.end)
            for canonical, written, s, e in named:
                aliases, evs = bodies.setdefault(canonical, ([], []))
                if written not in aliases:
                    aliases.append(written)
                evs.append(_evidence(doc, s, e, passage.passage_id))
            located = find_places(doc, sent.start, sent.end, known_places)
            for name, s, e in located:
                places.setdefault(name, []).append(_evidence(doc, s, e, passage.passage_id))
                known_places.add(name)
            text = doc.norm[sent.start:sent.end]
            if not is_measure or not any(a in text for a in _ACTIONS) or len(text) < 6:
                continue
            topics, groups = concepts_in(text)
            deadlines = sorted(
                {
                    int(m.group(1) or m.group(2))
                    for m in _DEADLINE_RE.finditer(text)
                    if int(m.group(1) or m.group(2)) >= period_start
                }
            )
            quantities = find_quantities(doc.norm, doc.original, sent.start, sent.end, passage.passage_id)
            commitments.append(
                Commitment(
                    plan_id=doc.plan_id,
                    section_id=passage.section_id,
                    section_path=passage.section_path,
                    text=text,
                    themes=topics,
                    target_groups=groups,
                    quantities=quantities,
                    deadlines=tuple(deadlines),
                    bodies=tuple(dict.fromkeys(n[0] for n in named)),
                    places=tuple(dict.fromkeys(p[0] for p in located)),
                    evidence=_evidence(doc, sent.start, sent.end, passage.passage_id),
                    clauses=_clauses(doc, sent, quantities, named, period_start),
                )
            )

    _add_issuer(doc, bodies)
    organizations = tuple(
        Organization(doc.plan_id, region, name, tuple(a for a in aliases if a != name), tuple(evs))
        for name, (aliases, evs) in bodies.items()
    )
    place_list = tuple(
        Place(doc.plan_id, region, name, _place_type(name), tuple(evs))
        for name, evs in places.items()
        if evs
    )
    docs = tuple(CitedDocument(doc.plan_id, t, tuple(evs)) for t, evs in documents.items())
    return tuple(commitments), organizations, place_list, docs
