"""What an indicator's wording says it measures: its facets, read by rules.

Plans word one indicator many ways (学前三年毛入园率 / 学前教育毛入园率 / 毛入园率 under
学前教育); what tells two near indicators apart is a handful of facets: the stage
(小学 vs 初中), the degree (本科 vs 研究生), the span (学前一年 vs 学前三年), the
ownership (公办 vs 普惠), the population and the measure (a rate vs a head count).
The facet keys and values are those of ``ontology/indicator-scheme.ttl``
(``pg:facet "stage=preschool"``).

:func:`plangraph.extract.reading.read_indicator` reads one row with these rules: its name normalised (width, brackets, units,
numbering, ``其中:``), its full name where it is a sub-row (``其中:本科及以上学历比例``
under ``幼儿教师专科及以上学历比例`` is 幼儿教师本科及以上学历比例), the facets it
states (from the name, then the row above, then the category, then the unit) and the
core left when the facet words are taken out. Pure text in, plain data out.

Beside the scheme's facet keys a reading may carry words that narrow what a row counts,
which the matcher holds against a concept's labels (#24): ``scope`` of a degree
(and-above / below / only), ``change`` (新建/新增: a flow), ``intake`` (招生), ``level``
(硕士/博士), ``sector`` (成人高等教育), ``attainment`` (受过高等教育 / 受过高中阶段及以上教育)
and ``counted`` (what a count unit counts: 所 institutions, 万人 people), ``kind`` (one kind of
school of a stage: 初级中学, 职业中学) and ``head`` (``status``: a name ending in a state or an
event, 达标情况, 调查, 验收).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from plangraph.extract.facet_terms import POPULATION_PARTS, SAME_NAMES, TERMS
from plangraph.text import normalize

FacetSet = Mapping[str, frozenset[str]]
"""Facet key → the values an indicator may have (``高中`` may be 高中阶段 or 普通高中)."""

_PARSED = sorted(
    ((term, tuple((k, frozenset(v.split("|"))) for k, _, v in (p.partition("=") for p in facets.split())), strip)
     for term, facets, strip in TERMS),
    key=lambda t: -len(t[0]),
)
_BY_FIRST: dict[str, tuple[tuple[str, tuple[tuple[str, frozenset[str]], ...], bool], ...]] = {}
for _t in _PARSED:  # the terms by their first character, longest first as in _PARSED
    _BY_FIRST[_t[0][0]] = (*_BY_FIRST.get(_t[0][0], ()), _t)
_FIRST = set(_BY_FIRST)
TERM_WORDS = frozenset(t[0] for t in _PARSED)
"""Every word that states a facet (学前三年, 公办, 比例 …)."""

_UNITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(%|％|‰|百分比)$"), "rate"),
    (re.compile(r"^(比值)?[:：]?1$|^\d*[:：]1$|^比值$"), "ratio"),
    (re.compile(r"^(元|万元|亿元)/(生|人)"), "per-student money"),
    (re.compile(r"^(平方米|㎡|m2)/(生|人)"), "per-student area"),
    (re.compile(r"^(元|万元|亿元|千元)$"), "money"),
    (re.compile(r"^(平方米|㎡|m2|亩|万平方米)$"), "area"),
    (re.compile(r"^(年|岁)$"), "years"),
    (re.compile(r"^(系数)$"), "ratio"),
    (re.compile(r"^(分|项)$"), "level count"),
    (re.compile(r"^([万亿]?人|[万亿]?人次|名|万?所|所次|万?个|座|班|台|册|间|家|门)$"), "count"),
)

_BRACKETS = re.compile(r"\([^()]*\)?|（[^（）]*）?|\[[^\]]*\]|【[^】]*】")
_NUMBERING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\s*[.、]|\(\s*\d{1,2}\s*\)|[①-⑳]|[一二三四五六七八九十]+\s*、|"
                        r"\(\s*[一二三四五六七八九十]+\s*\))\s*")
# A level (普及水平, 大众化水平) said by its figure in brackets: the figure is what the row measures.
_LEVEL_OF = re.compile(r"(?:普及|大众化|普及化)?(?:水平|程度)\s*[（(]\s*((?:毛|净)入[园学]率)\s*[)）]")
_SUB_ROW = re.compile(r"^(其中|内含|含)\s*[:：,，]?\s*")
_RANGE = re.compile(r"(\d)\s*[-－~～–—至到]\s*(?=\d)")
_SAME_NAMES = tuple((re.compile(p), w) for p, w in SAME_NAMES)
_NOISE = re.compile(r"[\s*＊※△▲#·•、,，。;；:：\"'“”‘’《》<>/\\-]+")


@dataclass(frozen=True)
class IndicatorReading:
    """One indicator row as the matcher sees it.

    ``full_name`` is the normalised name with what a sub-row leaves to the row above
    put back; ``facets`` what the row states (key → possible values) and ``inferred``
    the keys it only has from its category or unit; ``core`` the full name with the
    facet words taken out (what labels are compared on).
    """

    name: str
    full_name: str
    core: str
    facets: FacetSet
    inferred: frozenset[str] = field(default=frozenset())

    def describe(self) -> str:
        """``stage=preschool, measure=rate`` (sorted, for a tie's reason)."""
        return ", ".join(f"{k}={'|'.join(sorted(v))}" for k, v in sorted(self.facets.items()))


@lru_cache(maxsize=16384)  # a row's name, its row above and its heading are read several times
def normalise(text: str) -> str:
    """Width folded, numbering (``4.``, ``(一)``), ``其中:``, bracketed parts (``(%)``,
    ``(学位)``), spaces and punctuation dropped: ``4. 其中：高中教师研究生学历（学位）比例(%)``
    → ``高中教师研究生学历比例``."""
    t = normalize(text or "").strip()
    t = _NUMBERING.sub("", t)
    t = _RANGE.sub(r"\1—", t)  # 3-5岁 is a span of ages, as the scheme writes it (3—5岁), not 35岁
    t = _LEVEL_OF.sub(r"\1", t)  # 高中阶段教育普及水平（毛入学率）: the bracket says which figure
    t = _SUB_ROW.sub("", t)
    outside = scan(_NOISE.sub("", _BRACKETS.sub("", t)))[0]
    t = _NOISE.sub("", _BRACKETS.sub(lambda m: _bracket(m, outside), t))
    for pattern, written in _SAME_NAMES:
        t = pattern.sub(written, t)
    return t


_TELLING = ("stage", "degree", "span", "ownership", "population")
# A figure of a part in brackets (（民办563人）, （81所民办）, （随班就读221人）): a note on the row's
# figure, not what it counts.
_FIGURE = re.compile(r"\d+(?:\.\d+)?[万千]?(?:人次|所|人|个|名|校|园|班|家)")
_INCLUDES = ("含", "包括", "包含")
# The stages within a stage: what a bracket says a row of the wider stage includes of them is a note.
_PARTS = {"senior": ("general-senior", "secondary-vocational"), "compulsory": ("primary", "junior"),
          "higher": ("higher-vocational",), "vocational": ("secondary-vocational", "higher-vocational")}


def _bracket(m: re.Match[str], outside: Mapping[str, frozenset[str]]) -> str:
    """A bracketed part goes, unless it says which stage, degree, span, ownership or
    population the row's own words leave open (``生均日常公用经费（小学）``, ``高职（专科）在校生``):
    then its words stay. What it leaves out goes too (``（不含成人高校）``), and so does a note on
    the figure: a part's figure (``专任教师（民办563人）``, ``幼儿园（81所民办）``) or a restating of
    what the row says (``普通高中（省级重点高中）``). What it says is included stays where it is
    another stage or kind than the row's (``小学（含187个教学点）``, ``在校生（含特殊教育）``): it
    changes what is counted; ``初中（含4所民办初中）`` only notes a part."""
    inside = _NOISE.sub("", m.group()[1:].rstrip(")）]】"))
    if inside.startswith(("不含", "不包括", "除")):  # an exclusion
        return ""
    if inside.startswith(_INCLUDES):
        body = _FIGURE.sub("", inside.removeprefix("包括").removeprefix("包含").removeprefix("含"))
        said, _ = scan(body)
        if "kind" in said and not said["kind"] <= outside.get("kind", frozenset()):
            return "并含" + body
        if (said.get("stage") and outside.get("stage") and not said["stage"] & outside["stage"]
                and "special" not in outside["stage"]  # 特殊教育（含随班就读、送教上门）: its own parts
                and not said["stage"] <= {p for s in outside["stage"] for p in _PARTS.get(s, ())}):
            return "并含" + body  # 高中阶段（含中职）: a part of the row's own stage, a note
        return ""
    if _FIGURE.search(inside) or len(inside) > 6:  # a part's figure, a definition
        return ""
    facets, _ = scan(inside)
    telling = [k for k in _TELLING if k in facets]
    if telling and all(outside.get(k, frozenset()) and outside[k] <= facets[k] for k in telling):
        return ""  # 普通高中（省级重点高中）: the bracket says what the row says, and describes it
    return inside if telling else ""


def is_sub_row(name: str) -> bool:
    """Whether a row's name leaves its subject to the row above: ``其中:研究生``, or a
    name that only says which stage, degree, span, ownership or population (``初中``
    under 义务教育标准班额比例), not what is measured."""
    if _SUB_ROW.match(_NUMBERING.sub("", normalize(name or "").strip())):
        return True
    text = normalise(name)
    i = 0
    while text and (hit := _term_at(text, i)) is not None:
        if not hit[2] or any(k in ("measure", "change", "") for k, _ in hit[1]) or not hit[1]:
            return False
        i += len(hit[0])
    return bool(text) and i == len(text)


# What a degree word covers: ``专科及以上`` that degree and above, ``专科以下`` below it,
# ``仅专科``, or ``专科`` alone in a breakdown under a row above (本科及以上 / 专科 / 合计), only it.
DEGREE_WORD = re.compile(r"(仅|只|单)?(专科|大专|本科)(?:学历|学位|毕业)?(及以上|以上|及其以上|以下)?")


def degree_scope(text: str, *, sub_row: bool) -> str | None:
    """``and-above``, ``below`` or ``only`` for the first 专科/本科 of ``text`` (normalised),
    None where it names neither. A bare 专科 is ``only`` in a sub-row: a breakdown by degree
    lists 本科及以上 and then 专科, the tier below. Otherwise a bare degree is ``and-above``
    (本科学历教师比例, 小学本科 under 教师学历: most plans mean 本科及以上)."""
    m = DEGREE_WORD.search(text)
    if m is None:
        return None
    if m.group(1):
        return "only"
    if m.group(3):
        return "below" if m.group(3) == "以下" else "and-above"
    return "only" if sub_row and m.group(2) != "本科" else "and-above"


_BETWEEN = re.compile(r"与\S*之?比$")
_OF_A_TOTAL = re.compile(r"占\S*(?:总数|总量|总额)$")
_ONE_AGE = re.compile(r"(?<![\d—\-~～至到])(\d{1,2})岁(?![以及—\-~～至到])")


def scan(text: str) -> tuple[dict[str, frozenset[str]], str]:
    """The facets the terms of ``text`` (normalised) state (a new dict), and what is left of it."""
    facets, core = _scan(text)
    return dict(facets), core


@lru_cache(maxsize=16384)
def _scan(text: str) -> tuple[tuple[tuple[str, frozenset[str]], ...], str]:
    """One age (``6岁儿童``, not ``0-6岁`` or ``3岁以下``) is a population of its own."""
    facets: dict[str, frozenset[str]] = {}
    if ages := _ONE_AGE.findall(text):
        facets["population"] = frozenset(f"age-{a}" for a in ages)
    core = []
    i = 0
    while i < len(text):
        hit = None
        if text[i] in _FIRST:  # only the terms of this first character: scanning all of them was most of scan()
            hit = next((t for t in _BY_FIRST[text[i]] if text.startswith(t[0], i)), None)
        if hit is None:
            core.append(text[i])
            i += 1
            continue
        term, stated, strip = hit
        for key, values in stated:
            facets[key] = facets.get(key, frozenset()) | values
        if not strip:
            core.append(term)
        i += len(term)
    stripped = "".join(core)
    if text.endswith(("比例", "占比", "比重")):
        facets["measure"] = frozenset({"rate"})  # a share of money or people is a rate: 教育经费占比
    elif _OF_A_TOTAL.search(text):
        facets["measure"] = frozenset({"rate"})  # 占幼儿园总数 under 普惠性幼儿园: a share of the total
    elif _BETWEEN.search(stripped):
        facets["measure"] = frozenset({"ratio"})  # 教职工与幼儿比: one count against another
    elif stripped.endswith("率") or ("measure" not in facets and stripped.endswith("比")):
        # the name's last word says what it measures: 入学率 under 小学在校生 is a rate
        facets["measure"] = frozenset({"rate"})
    elif "measure" not in facets and stripped.endswith("数"):
        facets["measure"] = frozenset({"count"})
    if {"primary", "junior"} <= facets.get("stage", frozenset()):
        # 小学、初中专任教师: both stages are compulsory education, no one of them
        facets["stage"] = facets["stage"] - {"primary", "junior"} | {"compulsory"}
    if "teaching-point" in facets.get("kind", ()) and facets.get("stage", frozenset()) - {"primary"} and "小学" not in text:
        # 教学点 are primary teaching points unless another stage is named: 幼儿教学点 are pre-school
        facets["stage"] = facets["stage"] - {"primary"}
    if facets.get("basis") == {"gross", "net"}:
        facets["basis"] = frozenset({"gross"})  # 适龄幼儿毛入园率: 毛 says which rate
    if "disabled" in facets.get("population", ()):  # 残疾儿童少年义务教育入学率: special, in compulsory
        facets["stage"] = facets.get("stage", frozenset()) | {"special"}
    return tuple(facets.items()), stripped


def unit_measure(unit: str | None) -> frozenset[str]:
    """The measure a unit means: ``%`` a rate, ``万人`` a count, ``元/生`` money per student."""
    u = normalise(unit or "") if unit and not re.fullmatch(r"\s*[(（]?\s*%\s*[)）]?\s*", unit) else (unit or "")
    u = u.strip().strip("()（）")
    for pattern, measure in _UNITS:
        if pattern.search(u):
            return frozenset(measure.split())
    return frozenset()


_INSTITUTIONS = re.compile(r"^[万千]?(所|座|家)$|^所次$")
_PEOPLE = re.compile(r"^[万千亿]?(人|名|人次)$")


def unit_counts(unit: str | None) -> str | None:
    """What a count unit counts: ``institutions`` (所, 座) or ``people`` (人, 万人, 名);
    None for other units (个 counts counties as well as schools)."""
    u = normalise(unit or "").strip("()（）")
    if _INSTITUTIONS.match(u):
        return "institutions"
    if _PEOPLE.match(u):
        return "people"
    return None


def _term_at(text: str, i: int) -> tuple[str, tuple[tuple[str, frozenset[str]], ...], bool] | None:
    if i >= len(text) or text[i] not in _FIRST:
        return None
    return next((t for t in _BY_FIRST[text[i]] if text.startswith(t[0], i)), None)


_WHOLE_PLACE = re.compile(r"^(?:全|本)(?:国|省|市|县|区|州|旗|盟)")  # 全县幼儿园: the place, no part of what it names


def term_positions(text: str) -> frozenset[int]:
    """The positions of ``text`` (normalised) that facet words cover, read longest first as :func:`scan` reads."""
    covered: set[int] = set()
    i = 0
    while i < len(text):
        hit = _term_at(text, i)
        if hit is None:
            i += 1
            continue
        covered.update(range(i, i + len(hit[0])) if hit[2] else ())  # 入学, 招生 (in the core): measured
        i += len(hit[0])
    return frozenset(covered)


def full_name(name: str, parent: str | None) -> str:
    """A sub-row's name with its subject from the row above. The facet words the
    sub-row puts first replace the parent's words of the same facet (``本科`` for
    ``专科``: 其中:本科及以上学历比例 under 幼儿教师专科及以上学历比例 is
    幼儿教师本科及以上学历比例); a sub-row of facet words only goes in front of the
    parent (其中:研究生 under 在校生 is 研究生在校生); another keeps the parent's
    subject, up to its population word (其中:受过高等教育的比例 under
    主要劳动年龄人口平均受教育年限 is 主要劳动年龄人口受过高等教育的比例).
    Names that are no sub-row come back normalised."""
    own = normalise(name)
    if not parent or not own:
        return own
    up = normalise(parent)
    if up in own:
        return own  # 普惠性幼儿园数 under 幼儿园数 says all of it
    above, up_core = scan(up)
    if (above and not _WHOLE_PLACE.sub("", up_core) and set(above) <= {"stage", "kind"} and not is_sub_row(name)
            and scan(own)[0].get("stage", frozenset()) & above.get("stage", frozenset())):
        return own  # 在园幼儿 under 幼儿园: the row above names the school, the row what is counted of it
    heads = []
    i = 0
    while (hit := _term_at(own, i)) is not None:
        heads.append(hit)
        i += len(hit[0])
    rest = own[i:]
    said = scan(own)[0]
    if heads and {"stage", "measure"} <= said.keys() and ("stage" not in above or "kind" in above):
        # 小学在校生 under 基础教育在校生, 高中在校生 under 普通中学: the row names its stage and what
        # it counts; the row above is a group (or a kind of school) the row's own stage is a part of
        return own
    replaced, before = up, ""
    for term, stated, _ in heads:
        keys = {k for k, _ in stated}
        at = next(((j, t) for j in range(len(replaced)) if (t := _term_at(replaced, j))
                   and keys & {k for k, _ in t[1]}), None)
        if at is None or dict(stated).get("population", frozenset()) & POPULATION_PARTS:
            # 小学 of 小学教师 under 全州专任教师: a facet the row above leaves open; 残疾 of 残疾学生 under
            # 小学在校生: a part of whom the row above counts
            before += term
            continue
        j, (old, old_stated, old_leaves) = at
        if dict(old_stated) == dict(stated):
            continue  # 教师 under 专任教师, 幼儿园 under 在园幼儿数: the row above says it already
        if not old_leaves or dict(old_stated).get("stage", frozenset()) == {"special"}:
            # 学前三年 under 毛入园率: the row above's word is what it measures; it stays; 高中阶段 under
            # 特殊教育在校生: special education of that stage
            before += term
            continue
        replaced = replaced[:j] + term + replaced[j + len(old):]
    replaced = before + replaced
    if heads and (not rest or replaced.endswith(rest)):
        return replaced
    if heads and not rest:
        return own + up
    if not heads and own.endswith("率") and up.endswith("率") and len(up) > len(own) <= 4:
        return up[: -len(own)] + own  # 优秀率 under 体质健康标准达标率: another rate of the same thing
    if heads and "measure" in said and ("population" in said or "stage" in said):
        # 其中研究生教育在校生数 under 高等教育在学总规模, 其中：公办园在园幼儿占比 under 普惠性幼儿园
        # 覆盖率: it names whom or which stage and what it measures itself
        return own
    end, j = 0, 0
    while j < len(up):  # up to its last population word (幼儿园园长和专任教师: both are whom it counts)
        t = _term_at(up, j)
        if t and dict(t[1]).get("population"):
            end = j + len(t[0])
        j += len(t[0]) if t else 1
    return up[:end] + own if end else up + own


@dataclass(frozen=True)
class TableRowName:
    """A row of an indicator table, as :func:`parents` reads it."""

    name: str
    table: str = ""


def parents(rows: Sequence[TableRowName]) -> list[str | None]:
    """For each row, the row above it that a sub-row (``其中:…``) belongs to: the
    nearest earlier row of the same table that is no sub-row itself."""
    out: list[str | None] = []
    last: dict[str, str] = {}
    for row in rows:
        if is_sub_row(row.name):
            out.append(last.get(row.table))
        else:
            out.append(None)
            last[row.table] = row.name
    return out


def parts_of(rows: Sequence[TableRowName], ups: Sequence[str | None]) -> list[tuple[str, ...]]:
    """For each row, the names of the sub-rows below it that name it as the row above (``ups``, as
    :func:`parents` gives them or a table states them): what its figure is broken down into, up to
    the next row of its table that is no sub-row."""
    out: list[tuple[str, ...]] = []
    for i, row in enumerate(rows):
        found = []
        for below, up in zip(rows[i + 1:], ups[i + 1:]):
            if below.table != row.table:
                continue
            if up is None or below.name == row.name:
                break
            if up == row.name:
                found.append(below.name)
        out.append(tuple(found))
    return out

