"""Word's automatic numbering rendered as text: the ``一、`` and ``(一)`` of headings.

Government Word files often number their headings with a numbering definition
(``numbering.xml``) rather than typing ``一、``; without the number a heading no longer
looks like one to the text pipeline. :class:`Numbering` keeps Word's counters (one set
per list instance, a level restarting when a higher level advances) and renders each
numbered paragraph's label from its level's format (``chineseCounting``, ``decimal``,
``upperLetter`` …) and text pattern (``%1、``, ``（%1）``, ``%1.%2``).
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml.ns import qn
from lxml import etree

_CN_DIGITS = "零一二三四五六七八九"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (counting style)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("零" + _CN_DIGITS[rest] if rest < 10 else
                                     (_CN_DIGITS[rest // 10] + "十" + (_CN_DIGITS[rest % 10] if rest % 10 else "")))
        return _CN_DIGITS[n // 100] + "百" + tail
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One counter value in a Word number format."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "japaneseCounting",
               "ideographLegalTraditional", "taiwaneseCounting", "taiwaneseCountingThousand"):
        return chinese_number(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CN_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _CIRCLED[n - 1] if 0 < n <= len(_CIRCLED) else str(n)
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)  # decimal, decimalZero, decimalFullWidth and anything unknown


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str


def _val(el: etree._Element | None, default: str = "") -> str:
    return default if el is None else str(el.get(qn("w:val"), default))


class Numbering:
    """The numbering definitions of one document and the counters while reading it."""

    def __init__(self, numbering: etree._Element | None) -> None:
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._num: dict[str, tuple[str, dict[int, int]]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        if numbering is None:
            return
        for abstract in numbering.iter(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.iter(qn("w:lvl")):
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = _Level(
                    int(_val(lvl.find(qn("w:start")), "1") or 1), _val(lvl.find(qn("w:numFmt")), "decimal"),
                    _val(lvl.find(qn("w:lvlText"))))
            self._abstract[str(abstract.get(qn("w:abstractNumId")))] = levels
        for num in numbering.iter(qn("w:num")):
            overrides = {int(o.get(qn("w:ilvl"), "0")): int(_val(o.find(qn("w:startOverride")), "1") or 1)
                         for o in num.iter(qn("w:lvlOverride")) if o.find(qn("w:startOverride")) is not None}
            self._num[str(num.get(qn("w:numId")))] = (_val(num.find(qn("w:abstractNumId"))), overrides)

    def label(self, num_id: str, ilvl: int) -> str:
        """The label of the next paragraph of list ``num_id`` at level ``ilvl`` (counters advance)."""
        if num_id not in self._num or num_id == "0":
            return ""
        abstract_id, overrides = self._num[num_id]
        levels = self._abstract.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counters = self._counters.setdefault(num_id, {})
        start = overrides.get(ilvl, levels[ilvl].start)
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a higher level advancing restarts the levels below it
        text = levels[ilvl].text
        for k, level in levels.items():
            placeholder = f"%{k + 1}"
            if placeholder in text:
                value = counters.get(k, overrides.get(k, level.start))
                text = text.replace(placeholder, format_number(value, level.fmt))
        return text.strip()
