"""Numbers with units and comparisons, read from plan prose and table cells.

Works on the normalised text (half-width digits and signs) and reports offsets that
index the original text as well, since normalisation preserves length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from plangraph.extract.mentions import Evidence, Quantity

# Longest first so that 万人次 wins over 万人 and 人.
UNITS: tuple[str, ...] = (
    "万人次", "平方米", "亿元", "万元", "万人", "元/生", "周岁", "小时", "学位",
    "个百分点", "%", "‰", "㎡", "元", "人", "名", "所", "个", "门", "项", "年", "岁",
    "班", "次", "间", "家", "条", "倍", "天", "届", "亿", "分钟", "期",
)
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)
_NUM = r"\d+(?:\.\d+)?"

# Words before a number that say how it compares; the longest alternatives first.
_PREFIX = {
    "不低于": "≥", "不少于": "≥", "不小于": "≥", "至少": "≥", "高于": ">", "超过": ">",
    "大于": ">", "多于": ">", "不高于": "≤", "不超过": "≤", "不大于": "≤", "低于": "<",
    "小于": "<", "少于": "<", "约": "≈", "≥": "≥", ">": ">", "≤": "≤", "<": "<", "=": "=",
}
_SUFFIX = {"以上": "≥", "及以上": "≥", "以下": "≤", "以内": "≤", "左右": "≈"}
_QUALIFIER = (
    "每年下降", "每年提高", "每年增长", "每年减少", "逐年提高", "逐年下降", "每年", "每天",
    "每周", "新增", "增加", "减少", "下降", "提高到", "提高", "累计", "共计", "合计",
)

_PREFIX_RE = "|".join(re.escape(p) for p in sorted(_PREFIX, key=len, reverse=True))
_SUFFIX_RE = "|".join(re.escape(s) for s in sorted(_SUFFIX, key=len, reverse=True))
_QUAL_RE = "|".join(re.escape(q) for q in _QUALIFIER)

_QUANTITY_RE = re.compile(
    rf"(?P<qual>{_QUAL_RE})?"
    rf"(?P<noun>学位|岗位)?"
    rf"(?P<cmp>{_PREFIX_RE})?"
    rf"(?P<num>{_NUM})"
    rf"(?:\s*(?:[~\-－—–至到])\s*(?P<upper>{_NUM}))?"
    rf"\s*(?P<unit>{_UNIT_RE})?"
    rf"(?P<suffix>{_SUFFIX_RE})?"
)
_YEAR_LIKE = re.compile(r"(?:19|20)\d{2}")


def to_decimal(text: str) -> Decimal | None:
    """A Decimal for ``text`` when it is a plain number, else None."""
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    quantity: Quantity


def find_quantities(
    norm: str, original: str, start: int, end: int, passage_id: str | None
) -> tuple[Quantity, ...]:
    """The quantities stated in ``norm[start:end]``.

    A bare number counts only with a unit, a comparison or a qualifier; calendar
    years (``2025年``) and list numbers (``1.``) are not quantities.
    """
    found: list[Quantity] = []
    for m in _QUANTITY_RE.finditer(norm, start, end):
        num = m.group("num")
        unit = m.group("unit")
        cmp_word = m.group("cmp")
        suffix = m.group("suffix")
        qual = m.group("qual")
        noun = m.group("noun")
        if not (unit or cmp_word or suffix or qual or noun):
            continue
        if unit == "年" and _YEAR_LIKE.fullmatch(num) and not (cmp_word or suffix):
            continue  # a calendar year, not a duration
        if unit is None and cmp_word is None and suffix is None and not noun:
            continue
        # "1.普及…" list numbers and "20名" are fine; "2+1" style labels are not.
        after = norm[m.end("num"):m.end("num") + 1]
        if unit is None and after in (".", "+"):
            continue
        value = to_decimal(num)
        upper = to_decimal(m.group("upper")) if m.group("upper") else None
        if value is None or (upper is not None and upper < value):
            continue
        comparator = _PREFIX.get(cmp_word or "", None) or _SUFFIX.get(suffix or "", "=")
        if noun and unit is None:
            unit = noun
        s, e = m.start(), m.end()
        glued = _split_glued(norm, original, m, passage_id, comparator)
        if glued:
            found.extend(glued)
            continue
        evidence = Evidence(passage_id, s, e, original[s:e])
        found.append(Quantity(value, unit, comparator, evidence, upper, qual))
    return tuple(found)


def _split_glued(
    norm: str, original: str, m: re.Match[str], passage_id: str | None, comparator: str
) -> tuple[Quantity, ...]:
    """``小于0.305~7所`` is two cells run together: ``小于0.30`` and ``5~7所``.

    Recognised when a number with three decimals starts a range whose upper end is
    at least the last digit: the two-decimal coefficient, then a whole-number range.
    """
    num, upper = m.group("num"), m.group("upper")
    if not upper or "." not in num or len(num.split(".")[1]) != 3 or int(num[-1]) > float(upper):
        return ()
    cut = m.start("num") + len(num) - 1
    first = Evidence(passage_id, m.start(), cut, original[m.start():cut])
    second = Evidence(passage_id, cut, m.end(), original[cut:m.end()])
    return (
        Quantity(Decimal(num[:-1]), None, comparator, first),
        Quantity(Decimal(num[-1]), m.group("unit"), "=", second, Decimal(upper)),
    )


# A value cell's words for how it compares: 达到/力争 state the target itself.
_CELL_PREFIX = {**_PREFIX, "达到": "=", "力争达到": "=", "力争": "=", "保持": "=", "保持在": "="}
_CELL_PREFIX_RE = "|".join(re.escape(p) for p in sorted(_CELL_PREFIX, key=len, reverse=True))
_CELL_PART_RE = re.compile(
    rf"(?P<cmp>{_CELL_PREFIX_RE})?\s*(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|{_NUM})\s*(?P<unit>{_UNIT_RE})?\s*(?P<suffix>{_SUFFIX_RE})?")


@dataclass(frozen=True)
class CellValue:
    """One value read from an indicator cell: ``99%以上`` is ``≥ 99 %``."""

    comparator: str
    number: Decimal | None
    text: str
    note: str | None = None
    unit: str | None = None


def read_cell_values(value: str) -> tuple[CellValue, ...]:
    """Split an indicator cell into its values.

    ``>95>30`` gives two; ``通过`` one text value; ``81（基本均衡）`` 81 with the note
    ``基本均衡``; ``99%以上``, ``12.3年以上``, ``不低于95``, ``95左右``, ``达到100%`` a
    number with its comparator (from the word before or after it) and unit.
    """
    text = value.strip()
    note = None
    paren = re.search(r"[(（]([^()（）]*)[)）]\s*$", text)
    if paren:
        note = paren.group(1).strip() or None
        text = text[: paren.start()].strip()
    parts = list(_CELL_PART_RE.finditer(text))
    if parts and "".join(p.group(0) for p in parts).replace(" ", "") == text.replace(" ", ""):
        return tuple(
            CellValue(
                _CELL_PREFIX.get(p.group("cmp") or "", None) or _SUFFIX.get(p.group("suffix") or "", "="),
                to_decimal(p.group("num").replace(",", "")),
                p.group(0).strip(),
                note,
                p.group("unit"),
            )
            for p in parts
        )
    return (CellValue("=", None, value.strip()),)


def parse_cell_values(value: str) -> tuple[tuple[str, Decimal | None, str, str | None], ...]:
    """:func:`read_cell_values` as (comparator, number, text, note) tuples."""
    return tuple((v.comparator, v.number, v.text, v.note) for v in read_cell_values(value))
