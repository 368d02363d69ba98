"""Plan audit: does a plan agree with itself?

Three checks, each giving :class:`AuditFinding` rows that carry the stated quote with
its offsets into the original text, what was computed, and a status:

* **Stated totals against itemised tables.** A sentence such as ``合计21个项目,投资估算约5亿元``
  followed by a construction-project table is checked against the table's rows: the
  number of rows, the sum of ``总投资(万元)``, and category counts (``续建8个``,
  ``改扩建5``) for the categories the rows themselves name (``…扩建`` in a project name
  or scale). A category that no row, or only some rows, name is *needs review*: the
  table cannot confirm it.
* **Targets stated twice.** A clause that names an indicator of the plan's indicator
  table (``普惠性幼儿园覆盖面保持在90%以上``) and gives a number in the indicator's unit
  is compared with the table's target.
* **Targets below the superior plan's.** A target for an indicator concept against the
  national target it is held against (:mod:`plangraph.analysis.across`), direction-aware:
  weaker is a *mismatch*; *needs review* where the two cannot be compared.
* **Cells ingestion flagged** (glued, suspect ratio, multi-value, truncated), listed for
  a person to check.

Tolerance: a stated amount is read at the precision it is written in. With ``约``
(``约5亿元``) any computed value within half a unit of the last written digit agrees
(4.5亿 ≤ x < 5.5亿 for ``约5亿``; ``约33.96亿`` would allow ±0.005亿). Without ``约`` the
computed value, converted to the stated unit, must equal the stated value. Counts are
exact either way.

The checks run on plain rows (:class:`AuditInput`) that can be made from an ingested
plan (:func:`input_from_doc`) or from a built index's graph (:func:`input_from_rows`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Literal

from plangraph.analysis.across import ConceptTarget, national_reference, weaker
from plangraph.extract.mentions import Extraction
from plangraph.model import Finding, PlanDoc
from plangraph.text import normalize

Status = Literal["consistent", "mismatch", "needs review"]
STATUSES: tuple[str, ...] = ("consistent", "mismatch", "needs review")
NEAR_TABLE_CHARS = 400
"""A stated total governs the first project table that starts within this many
characters after it."""

_UNITS = {"亿元": Decimal(10000), "万元": Decimal(1), "元": Decimal("0.0001")}
_TOTAL_COUNT = re.compile(r"(?:合计|共计|共)\s*(\d+)\s*个?项目")
_TOTAL_MONEY = re.compile(r"(?:总?投资(?:估算|总额)?|估算投资)\s*(约|近|超)?\s*(\d+(?:\.\d+)?)\s*(亿元|万元)")
_CATEGORY = re.compile(r"(续建|新建|改扩建|扩建|迁建)\s*(\d+)\s*个?")
_CATEGORY_ROW = {
    "改扩建": ("扩建",),  # 改扩建 rows are also written 扩建
    "扩建": ("扩建",),
    "迁建": ("迁建",),
    "新建": ("新建",),
    "续建": ("续建",),
}
_CLAUSE = re.compile(r"[^,;。;,\n]+")
_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(%|元/生|元|所|年|个)?")
_STEM_SUFFIX = re.compile(r"(率|比例|比|面)$")
_PAST_SECTION = re.compile(r"基础|成效|成就|回顾|现状")
"""Top-level sections that report where the plan starts from: their numbers are
status, not targets, and are not compared with the indicator table."""
_FLAG_CODES = ("glued-cell", "suspect-ratio-cell", "multi-value-cell", "truncated-table")


@dataclass(frozen=True)
class TextSpan:
    """A passage of the plan as audit reads it: exact original text and offsets."""

    start: int
    end: int
    text: str
    kind: str
    table: str | None = None
    section: str = ""
    """The top-level section the passage is in (``现实基础``)."""


@dataclass(frozen=True)
class ItemRow:
    """One row of a construction-project table; investment in 万元."""

    table: str
    seq: int | None
    name: str
    scale: str | None
    start_year: int | None
    investment_wan: Decimal | None
    start: int
    end: int


@dataclass(frozen=True)
class TargetRow:
    """The target of one indicator-table row."""

    indicator: str
    name: str
    unit: str | None
    comparator: str
    value: Decimal
    year: int | None
    start: int
    end: int


@dataclass(frozen=True)
class AuditInput:
    """What the audit reads of one plan."""

    plan: str
    passages: tuple[TextSpan, ...]
    items: tuple[ItemRow, ...]
    targets: tuple[TargetRow, ...]
    findings: tuple[Finding, ...] = ()
    concept_targets: tuple[ConceptTarget, ...] = ()  # the plan's, quotes filled
    national_targets: tuple[ConceptTarget, ...] = ()  # the national plans' for the same concepts
    plan_order: tuple[str, ...] = ()  # plan ids from the most recent (which national plan counts)


@dataclass(frozen=True)
class AuditFinding:
    """One check: the statement, what the plan's own rows say, and the verdict."""

    check: str
    subject: str
    stated: str
    computed: str
    status: Status
    quote: str
    start: int | None
    end: int | None
    note: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"audit status {self.status!r}; choose one of: {', '.join(STATUSES)}")


@dataclass(frozen=True)
class AuditReport:
    """Every finding of a plan's audit: totals, targets restated, targets against the
    superior plan's, then flagged cells."""

    plan: str
    findings: tuple[AuditFinding, ...]

    def rows(self) -> list[dict[str, Any]]:
        return [{"plan": self.plan, **asdict(f)} for f in self.findings]

    def by_status(self, status: str) -> tuple[AuditFinding, ...]:
        return tuple(f for f in self.findings if f.status == status)

    @property
    def columns(self) -> tuple[str, ...]:
        return ("plan", "check", "subject", "stated", "computed", "status", "quote", "start", "end", "note")


# --- inputs -------------------------------------------------------------------------

def input_from_doc(doc: PlanDoc, ex: Extraction) -> AuditInput:
    """The audit's view of an ingested and extracted plan."""
    titles = {t.table_id: t.title for t in doc.tables}
    passages = tuple(TextSpan(p.start, p.end, p.text, p.kind, titles.get(p.table_id or ""),
                              p.section_path[0] if p.section_path else "")
                     for p in doc.passages)
    items = tuple(ItemRow(p.table_title, p.seq, p.name, p.scale, p.start_year, p.investment_wan,
                          p.evidence.start, p.evidence.end) for p in ex.projects)
    targets = tuple(
        TargetRow(i.label, i.name, i.unit, v.comparator, v.number, v.year, v.evidence.start, v.evidence.end)
        for i in ex.indicators for v in i.values if v.role == "target" and v.number is not None)
    return AuditInput(doc.plan_id, passages, items, targets, doc.findings)


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def input_from_rows(plan: str, passages: Iterable[Mapping[str, Any]], projects: Iterable[Mapping[str, Any]],
                    indicators: Iterable[Mapping[str, Any]], findings: Iterable[Mapping[str, Any]]) -> AuditInput:
    """The audit's view of a plan from a built index: passage rows (start, end, quote,
    kind, table), export rows of projects and indicators, and ingestion findings."""
    spans = tuple(TextSpan(int(p["start"]), int(p["end"]), str(p["quote"]), str(p["kind"]), p.get("table"),
                           p.get("section") or "") for p in passages)
    items = tuple(ItemRow(r["table"], r.get("seq"), r["name"], r.get("scale"), r.get("start_year"),
                          _dec(r.get("investment_wan")), int(r["start"]), int(r["end"])) for r in projects)
    targets = []
    for r in indicators:
        for v in r.get("values") or ():
            if v.get("role") == "target" and v.get("value") is not None:
                targets.append(TargetRow(r["name"], r["name"].split(" ")[0], r.get("unit"), v["comparator"],
                                         Decimal(str(v["value"])), v.get("year"), int(r["start"]), int(r["end"])))
    found = tuple(Finding(f["severity"], f["code"], f["message"], f.get("start"), f.get("end")) for f in findings)
    return AuditInput(plan, spans, items, tuple(targets), found)


# --- checks -------------------------------------------------------------------------

def _digits_unit(text: str) -> Decimal:
    """Half a unit of the last written digit: ``5`` → 0.5, ``33.96`` → 0.005."""
    places = len(text.split(".", 1)[1]) if "." in text else 0
    return Decimal(5) / (Decimal(10) ** (places + 1))


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _tables_after(inp: AuditInput) -> list[tuple[int, str, list[ItemRow]]]:
    tables: dict[str, list[ItemRow]] = {}
    for row in inp.items:
        tables.setdefault(row.table, []).append(row)
    return sorted((min(r.start for r in rows), name, rows) for name, rows in tables.items())


def _governed_table(inp: AuditInput, at: int) -> tuple[str, list[ItemRow]] | None:
    for start, name, rows in _tables_after(inp):
        if at <= start <= at + NEAR_TABLE_CHARS:
            return name, rows
    return None


def check_totals(inp: AuditInput) -> list[AuditFinding]:
    """Stated project counts, investment totals and category counts against the table
    that follows the statement."""
    out: list[AuditFinding] = []
    for span in inp.passages:
        if span.table is not None:
            continue
        norm = normalize(span.text)
        if not (_TOTAL_COUNT.search(norm) or _TOTAL_MONEY.search(norm)):
            continue
        governed = _governed_table(inp, span.end)
        if governed is None:
            continue
        table, rows = governed
        for m in _TOTAL_COUNT.finditer(norm):
            stated = int(m.group(1))
            out.append(AuditFinding(
                "total-count", table, f"{stated}个项目", f"{len(rows)} rows",
                "consistent" if stated == len(rows) else "mismatch",
                span.text[m.start():m.end()], span.start + m.start(), span.start + m.end()))
        for m in _TOTAL_MONEY.finditer(norm):
            out.append(_money(table, rows, m, span))
        for m in _CATEGORY.finditer(norm):
            out.append(_category(table, rows, m, span))
    return out


def _money(table: str, rows: list[ItemRow], m: re.Match[str], span: TextSpan) -> AuditFinding:
    about, number, unit = m.group(1), m.group(2), m.group(3)
    quote = span.text[m.start():m.end()]
    s, e = span.start + m.start(), span.start + m.end()
    missing = [r for r in rows if r.investment_wan is None]
    total_wan = sum((r.investment_wan for r in rows if r.investment_wan is not None), Decimal(0))
    in_unit = total_wan / _UNITS[unit]
    computed = f"{_fmt(total_wan)}万元 = {in_unit:.4f}{unit} over {len(rows) - len(missing)} rows"
    stated = Decimal(number)
    if missing:
        return AuditFinding("total-investment", table, f"{about or ''}{number}{unit}", computed, "needs review",
                            quote, s, e, f"{len(missing)} rows give no investment")
    tol = _digits_unit(number)
    if about == "约":
        ok = stated - tol <= in_unit < stated + tol
        note = f"约 allows {_fmt(stated - tol)} ≤ x < {_fmt(stated + tol)}{unit}"
    elif about == "超":
        ok = in_unit > stated
        note = f"超 means more than {number}{unit}"
    elif about == "近":
        ok = stated - tol <= in_unit <= stated
        note = f"近 allows {_fmt(stated - tol)} ≤ x ≤ {number}{unit}"
    else:
        ok = in_unit == stated
        note = "stated without 约: must match exactly"
    return AuditFinding("total-investment", table, f"{about or ''}{number}{unit}", computed,
                        "consistent" if ok else "mismatch", quote, s, e, note)


def _category(table: str, rows: list[ItemRow], m: re.Match[str], span: TextSpan) -> AuditFinding:
    word, stated = m.group(1), int(m.group(2))
    keys = _CATEGORY_ROW[word]
    saying = [r for r in rows if any(k in f"{r.name} {r.scale or ''}" for k in keys)]
    quote = span.text[m.start():m.end()]
    s, e = span.start + m.start(), span.start + m.end()
    computed = f"{len(saying)} rows say {'/'.join(keys)}"
    if len(saying) == stated:
        return AuditFinding("category-count", table, f"{word}{stated}", computed, "consistent", quote, s, e)
    if len(saying) > stated:
        return AuditFinding("category-count", table, f"{word}{stated}", computed, "mismatch", quote, s, e)
    return AuditFinding("category-count", table, f"{word}{stated}", computed, "needs review", quote, s, e,
                        "the other rows do not say which kind they are")


def _stems(name: str) -> tuple[str, ...]:
    stem = _STEM_SUFFIX.sub("", name)
    return (name,) if stem == name or len(stem) < 4 else (name, stem)


def _restated(clause: str, group: list[TargetRow]) -> tuple[int, re.Match[str]] | None:
    """Where a clause names the indicator, and the first number in its unit after the
    name that is not a starting value (``由43.5%`` / ``从12.4年``)."""
    unit = group[0].unit
    hit = next((clause.find(s) for s in _stems(group[0].name) if s in clause), -1)
    if hit < 0:
        return None
    after = clause[hit:]
    for n in _NUMBER.finditer(after):
        if (n.group(2) or None) == unit and after[max(0, n.start() - 1):n.start()] not in ("由", "从"):
            return hit, n
    return None


def check_targets(inp: AuditInput) -> list[AuditFinding]:
    """Indicator targets restated in a task table or in prose, against the indicator table.

    Targets are grouped by indicator name and unit (a name may recur under several
    categories, each with targets for several years); a restated value agrees when it
    equals any of them, else it is compared with the latest target.
    """
    groups: dict[tuple[str, str | None], list[TargetRow]] = {}
    for t in inp.targets:
        groups.setdefault((t.name, t.unit), []).append(t)
    out: list[AuditFinding] = []
    for span in inp.passages:
        if _PAST_SECTION.search(span.section):
            continue
        norm = normalize(span.text)
        for cm in _CLAUSE.finditer(norm):
            at = span.start + cm.start()
            for group in groups.values():
                if any(t.start <= at < t.end for t in group):
                    continue  # the indicator table row itself
                found = _restated(cm.group(0), group)
                if found is None:
                    continue
                hit, number = found
                value = Decimal(number.group(1))
                glued = cm.group(0)[hit + number.end():hit + number.end() + 1].isdigit()
                same = [t for t in group if t.value == value]
                ref = same[0] if same else max(group, key=lambda t: t.year or 0)
                status: Status = "needs review" if glued else "consistent" if same else "mismatch"
                out.append(AuditFinding(
                    "target-restated", ref.indicator, number.group(0).strip(),
                    f"table: {ref.comparator} {_fmt(ref.value)}{ref.unit or ''} ({ref.year})", status,
                    span.text[cm.start() + hit: cm.start() + hit + number.end()], at + hit, at + hit + number.end(),
                    ("several values run together; " if glued else "")
                    + (f"in {span.table}" if span.table else "in prose")))
    return out


def check_superior(inp: AuditInput) -> list[AuditFinding]:
    """Each target for a concept against the national target it is held against."""
    out: list[AuditFinding] = []
    for t in (t for t in inp.concept_targets if t.level != "national"):
        ref = national_reference([n for n in inp.national_targets if n.key == t.key], t.year, inp.plan_order)
        if ref is None:
            continue
        verdict = weaker(t, ref, t.direction)
        status: Status = "needs review" if verdict is None else "mismatch" if verdict else "consistent"
        why = ("not comparable: " + ("the concept has no direction" if t.direction not in ("higher", "lower")
                                     else "other units or no number")) if verdict is None \
            else f"{t.direction} is better"
        out.append(AuditFinding(
            "below-superior", t.concept, f"{t.indicator}: {t.shown} ({t.year})",
            f"{ref.plan}: {ref.shown} ({ref.year})", status, t.quote, t.start, t.end,
            f"{why}; superior quote: {ref.quote}"))
    return out


def check_flagged_cells(inp: AuditInput) -> list[AuditFinding]:
    """Table cells ingestion flagged as glued or unreadable, for a person to check."""
    return [AuditFinding("flagged-cell", f.code, "", "", "needs review", f.message, f.start, f.end)
            for f in inp.findings if f.code in _FLAG_CODES]


def audit(inp: AuditInput) -> AuditReport:
    """Run every check on one plan."""
    return AuditReport(inp.plan, tuple(check_totals(inp) + check_targets(inp) + check_superior(inp)
                                       + check_flagged_cells(inp)))


def audit_doc(doc: PlanDoc, ex: Extraction) -> AuditReport:
    """Audit an ingested, extracted plan."""
    return audit(input_from_doc(doc, ex))


def summary(report: AuditReport) -> dict[str, int]:
    """How many findings of each status."""
    return {s: len(report.by_status(s)) for s in STATUSES}


__all__: Sequence[str] = (
    "AuditFinding", "AuditInput", "AuditReport", "ItemRow", "TargetRow", "TextSpan",
    "audit", "audit_doc", "check_superior", "input_from_doc", "input_from_rows", "summary",
)
