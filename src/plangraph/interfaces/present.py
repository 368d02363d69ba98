"""What the Streamlit app shows, as plain data: hits as table rows and markdown,
query results and exports as downloadable bytes.

Kept out of ``app.py`` so that the page holds widgets and layout only, and so that
these conversions can be tested without a browser.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from plangraph.analysis.strength import Strength
from plangraph.graph.browse import EntityDetail, EntityRow, property_labels
from plangraph.graph.planview import SectionNode
from plangraph.ingest.kinds import DOCUMENT_KINDS
from plangraph.interfaces import labels
from plangraph.interfaces.staff import NO_SECTION
from plangraph.interfaces.writers import columns_of, csv_bytes
from plangraph.model import EntityRef, Hit
from plangraph.search.fusion import FusionConfig
from plangraph.search.scope import Scope
from plangraph.workspace.folder import MANIFEST

MIME_TYPES: dict[str, str] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "jsonld": "application/ld+json",
    "ttl": "text/turtle",
}

# What the SPARQL editor holds when no named query is chosen.
STARTER_QUERY = "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
# Characters Streamlit markdown would read as formatting (``$`` starts LaTeX).
_MARKDOWN_SPECIAL = "\\`*_{}[]<>()#+-.!|~$:"
_PLAN_FACTS = ("title", "kind", "kind_cue", "region", "level", "division", "division_code", "division_cue",
               "issuer", "issued", "period_start", "period_end", "source_file", "source_url")


def index_key(path: Path) -> str:
    """A cache key that changes when the index at ``path`` is rebuilt."""
    try:
        return f"{path.resolve()}@{(path / MANIFEST).stat().st_mtime_ns}"
    except OSError:
        return str(path)


def escape_markdown(text: str) -> str:
    """``text`` with every markdown control character backslash-escaped."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def blockquote(text: str) -> str:
    """A markdown blockquote keeping each non-empty line of ``text`` as a paragraph."""
    lines = [escape_markdown(line.strip()) for line in text.splitlines() if line.strip()]
    return "\n>\n".join(f"> {line}" for line in lines) or "> …"


KIND_LABELS: dict[str, tuple[str, str]] = {
    "Indicator": ("指标", "Indicator"), "Programme": ("任务", "Programme"), "Project": ("建设项目", "Project"),
    "Commitment": ("承诺", "Commitment"), "Organization": ("机构", "Body"), "Place": ("地点", "Place"),
    "CitedDocument": ("引用文件", "Cited document"),
}
"""Entity classes (``EntityRef.kind``) as a chip names them."""


def chip_label(e: EntityRef, limit: int = 24, english: bool = False) -> str:
    """The text of an entity chip: its kind and a short label (``建设项目 · 马溪幼儿园``)."""
    label = e.label if len(e.label) <= limit else e.label[:limit] + "…"
    kind = KIND_LABELS.get(e.kind, (e.kind, e.kind))[1 if english else 0]
    return f"{kind} · {label}"


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
    from plangraph.search.crosslingual import translate
    from plangraph.search.lexical import tokenize
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
    return "before the first heading" if english else NO_SECTION


def strength_label(level: str, english: bool = False) -> str:
    """``strong`` → 强, ``medium`` → 中, ``weak`` → 弱 (English words with ``english``)."""
    from plangraph.analysis.strength import LEVEL_ZH

    return level if english else LEVEL_ZH[level]


def highlight(text: str, terms: Sequence[str]) -> str:
    """``text`` as escaped markdown, with every occurrence of ``terms`` in colour."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        for m in re.finditer(re.escape(term), text):
            if not any(m.start() < e and s < m.end() for s, e in spans):
                spans.append((m.start(), m.end()))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # words side by side are marked as one run
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    out, pos = [], 0
    for start, end in merged:
        out.append(escape_markdown(text[pos:start]))
        out.append(f":orange[{escape_markdown(text[start:end])}]")
        pos = end
    out.append(escape_markdown(text[pos:]))
    return "".join(out)


def quote_in_context(quote: str, before: str = "", after: str = "", terms: Sequence[str] = ()) -> str:
    """A markdown blockquote of ``quote`` in bold with query terms marked, between the
    text before and after it in grey."""
    flat = [line.strip() for line in quote.splitlines() if line.strip()]
    parts = []
    if before.strip():
        parts.append(f":gray[{escape_markdown(' '.join(before.split()))}]")
    parts.extend(f"**{highlight(line, terms)}**" for line in flat)
    if after.strip():
        parts.append(f":gray[{escape_markdown(' '.join(after.split()))}]")
    return "\n>\n".join(f"> {p}" for p in parts) or "> …"


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


def section_rows(nodes: Sequence[SectionNode]) -> list[dict[str, Any]]:
    """The section tree as table rows, titles indented by depth."""
    return [{"section": "　" * n.depth + " ".join(x for x in (n.number, n.title) if x),
             "passages": n.passages, "entities": n.entities} for n in nodes]


def entity_records(rows: Sequence[EntityRow]) -> list[dict[str, Any]]:
    """Entity rows as records for a table, the IRI last."""
    return [{**r.columns, "iri": r.iri} for r in rows]


_YEAR_ROLE = re.compile(r"^(\d{4}) (\w+)$")


def property_label(name: str, english: bool = False) -> str:
    """A property of an entity page in the reader's language: the ontology's label
    (``pg:binding`` → 指标属性), a value's year and role (``2025 target`` → 2025 目标)."""
    if name in property_labels():
        return property_labels()[name][1 if english else 0]
    if m := _YEAR_ROLE.match(name):
        return f"{m.group(1)} {labels.value(m.group(2), english)}"
    return labels.field(name, english)


def property_rows(detail: EntityDetail, english: bool = False) -> list[dict[str, str]]:
    return [{"property": property_label(k, english), "value": v} for k, v in detail.properties]


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


def dict_rows_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """:func:`~plangraph.interfaces.writers.csv_bytes` for rows given as dicts (columns in
    first-seen order)."""
    columns = columns_of(rows)
    return csv_bytes(columns, ([r.get(c) for c in columns] for r in rows))


def plan_selection(chosen: Sequence[str], every: Sequence[str]) -> tuple[str, ...] | None:
    """The plans chosen, in index order, or None when they are all of them (the
    CLI's export without ``--plan``)."""
    picked = tuple(p for p in every if p in chosen)
    return None if set(picked) == set(every) else picked


def export_file_name(kind: str, fmt: str, plan: str | Sequence[str] | None = None) -> str:
    """``indicators-all.csv``, ``projects-linan.xlsx``, ``commitments-linan+linping.ttl``."""
    plans = [plan] if isinstance(plan, str) else list(plan or [])
    return f"{kind}-{'+'.join(plans) or 'all'}.{fmt}"


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A ZIP of ``files`` (name → bytes), the same bytes for the same files (fixed
    timestamps), so that it can be cached and compared."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# --- comparison and audit ------------------------------------------------------------

STATUS_COLOURS: dict[str, str] = {"mismatch": "red", "needs review": "orange", "consistent": "green"}
"""Audit status → the colour of its badge and chip; also the order findings are listed in."""
COMMITMENT_COLUMNS = ("side", "score", "note", "quote", "other_quote", "why", "section", "plan", "start", "end",
                      "other_plan", "other_start", "other_end", "context", "other_context")


def on_side(rows: Sequence[dict[str, Any]], side: str | None) -> list[dict[str, Any]]:
    """The commitment rows of one side (``shared``, ``only in A``, ``only in B``); all for None."""
    return [r for r in rows if side is None or r["side"] == side]


def citation_records(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cited documents with a link (``?plan=ID``) to those that are plans of the index."""
    return [{**r, "open": f"?plan={r['corpus_plan']}" if r.get("corpus_plan") else None} for r in rows]


def status_badges(counts: Mapping[str, int], labels: Mapping[str, str]) -> str:
    """Markdown badges, one per audit status in :data:`STATUS_COLOURS` order, with its count."""
    return " ".join(f":{colour}-badge[{escape_markdown(labels.get(s, s))} · {counts.get(s, 0)}]"
                    for s, colour in STATUS_COLOURS.items())


def audit_records(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Audit findings for a table: mismatches first, then those needing review, then
    the consistent ones (each group in text order). The status is a one-item list, so
    that a multiselect column shows it as a coloured chip."""
    order = list(STATUS_COLOURS)
    ranked = sorted(rows, key=lambda r: (order.index(r["status"]), r.get("start") or 0))
    return [{"status": [r["status"]], **{k: v for k, v in r.items() if k not in ("plan", "status")}}
            for r in ranked]


DOCUMENT_KIND_LABELS = {k: labels.VALUES[k] for k in DOCUMENT_KINDS}
"""Each document kind's words, from the one label table."""


def scope_weight(fusion: FusionConfig, scope: Scope) -> float:
    """The weight of the plans outside a search's scope (a place's, or another)."""
    return fusion.out_of_place if scope.places else fusion.out_of_scope


def place_choices(plans: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The divisions of the plans (:meth:`Workspace.plans` records) and those above them,
    code → ``山东省 › 临沂市``, each province followed by its cities and counties."""
    from plangraph.ingest.gazetteer import gazetteer

    g = gazetteer()
    codes = {d.code for p in plans if (code := p.get("meta", {}).get("division_code")) for d in g.chain(code)}
    return {c: " › ".join(d.name for d in g.chain(c)) for c in sorted(codes)}


def plan_facts(plan: Mapping[str, Any]) -> dict[str, str]:
    """The metadata of one entry of :meth:`Workspace.plans` worth showing, as text."""
    meta = plan.get("meta", {})
    return {k: str(meta[k]) for k in _PLAN_FACTS if meta.get(k) not in (None, "")}
