"""What an indicator's wording says it measures: its facets, read by rules.

Plans word one indicator many ways (学前三年毛入园率 / 学前教育毛入园率 / 毛入园率 under
学前教育); what tells two near indicators apart is a handful of facets: the stage
(小学 vs 初中), the degree (本科 vs 研究生), the span (学前一年 vs 学前三年), the
ownership (公办 vs 普惠), the population and the measure (a rate vs a head count).
The facet keys and values are those of ``ontology/indicator-scheme.ttl``
(``pg:facet "stage=preschool"``).

:func:`read_indicator` reads one row: its name normalised (width, brackets, units,
numbering, ``其中:``), its full name where it is a sub-row (``其中:本科及以上学历比例``
under ``幼儿教师专科及以上学历比例`` is 幼儿教师本科及以上学历比例), the facets it
states (from the name, then the row above, then the category, then the unit) and the
core left when the facet words are taken out. Pure text in, plain data out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from plangraph.text import normalize

FacetSet = Mapping[str, frozenset[str]]
"""Facet key → the values an indicator may have (``高中`` may be 高中阶段 or 普通高中)."""

# (term, facets it states, whether it leaves the core). Longest terms are tried first,
# so 学前一年 is read before 学前 and 中小学 before 小学. Words that are the measured
# thing itself (入园, 入学, 巩固) stay in the core: they are what labels are compared on.
_TERMS: tuple[tuple[str, str, bool], ...] = (
    # span and stage
    ("学前一年", "stage=preschool span=one-year", True),
    ("学前两年", "stage=preschool span=two-year", True),
    ("学前二年", "stage=preschool span=two-year", True),
    ("学前三年", "stage=preschool span=three-year", True),
    ("学前第四年", "stage=preschool span=fourth-year", True),
    ("学前教育", "stage=preschool", True), ("学前段", "stage=preschool", True), ("学前", "stage=preschool", True),
    ("幼儿园", "stage=preschool", True), ("幼儿", "stage=preschool", True), ("托幼", "stage=preschool", True),
    ("入园", "stage=preschool", False), ("在园", "stage=preschool", False),
    ("小学", "stage=primary", True), ("初中", "stage=junior", True), ("初级中学", "stage=junior", True),
    ("九年义务教育", "stage=compulsory", True), ("义务教育", "stage=compulsory", True),
    ("义务段", "stage=compulsory", True), ("中小学", "stage=compulsory", True), ("九年", "stage=compulsory", True),
    ("普通高中", "stage=general-senior", True), ("普高", "stage=general-senior", True),
    ("高中阶段教育", "stage=senior", True), ("高中阶段", "stage=senior", True), ("高中段", "stage=senior", True),
    ("高中", "stage=senior|general-senior", True),
    ("中等职业教育", "stage=secondary-vocational", True), ("中等职业学校", "stage=secondary-vocational", True),
    ("中职学校", "stage=secondary-vocational", True), ("中职", "stage=secondary-vocational", True),
    ("职业中学", "stage=secondary-vocational", True), ("职高", "stage=secondary-vocational", True),
    ("高等职业教育", "stage=higher-vocational", True), ("高职院校", "stage=higher-vocational", True),
    ("高等职业院校", "stage=higher-vocational", True), ("高等职业学校", "stage=higher-vocational", True),
    ("高职", "stage=higher-vocational", True),
    ("职业教育", "stage=vocational", True), ("职业院校", "stage=vocational", True), ("职教", "stage=vocational", True),
    ("普通本科高校", "stage=higher", True), ("高等教育", "stage=higher", True), ("高等学校", "stage=higher", True),
    ("高校", "stage=higher", True), ("大学", "stage=higher", True),
    ("特殊教育", "stage=special", True), ("特教", "stage=special", True),
    ("继续教育", "stage=lifelong", False), ("终身教育", "stage=lifelong", True), ("终身学习", "stage=lifelong", True),
    ("社区教育", "stage=lifelong", True), ("老年教育", "stage=lifelong", True), ("成人教育", "stage=lifelong", True),
    # attainment: the education a population has had, not the stage of the indicator
    ("受过高中阶段及以上教育", "", False), ("受过高中及高等教育", "", False), ("受过高等教育", "", False),
    ("高等教育文化程度", "", False), ("大学文化程度", "", False),
    # degree
    ("研究生", "degree=postgraduate", True), ("硕士", "degree=postgraduate", True), ("博士", "degree=postgraduate", True),
    ("本科", "degree=bachelor", True), ("专科", "degree=associate", True), ("大专", "degree=associate", True),
    # ownership
    ("公办", "ownership=public", True), ("普惠性", "ownership=inclusive", True), ("普惠", "ownership=inclusive", True),
    ("民办", "ownership=private", True),
    # population
    ("专任教师", "population=teachers", True), ("教师", "population=teachers", True), ("师资", "population=teachers", True),
    ("教职工", "population=staff", True), ("校长", "population=principals", True),
    ("特需儿童", "population=disabled", True), ("特殊需要", "population=disabled", True),
    ("居民", "population=residents", True), ("市民", "population=residents", True),
    ("人民群众", "population=residents", True), ("社会公众", "population=residents", True),
    ("婴幼儿", "population=infants", True), ("3岁以下", "population=infants", True),
    ("乡村", "population=rural", True), ("农村", "population=rural", True),
    ("市区", "population=urban", True), ("城区", "population=urban", True), ("主城区", "population=urban", True),
    ("持证上岗", "", False), ("残疾", "population=disabled", True), ("持证", "population=disabled", True),
    ("三残", "population=disabled", True),
    ("随迁子女", "population=migrant", True), ("进城务工", "population=migrant", True),
    ("外来务工", "population=migrant", True), ("留守", "population=left-behind", True),
    ("主要劳动年龄人口", "population=main-working-age", True), ("劳动年龄人口", "population=working-age", True),
    ("新增劳动力", "population=new-workforce", True), ("从业人员", "population=employed", True),
    ("毕业生", "population=graduates", True), ("老年人", "population=elderly", True),
    ("老年", "population=elderly", True),
    ("学生", "population=students", True), ("在校生", "population=students measure=count", True),
    ("儿童少年", "population=children", True), ("儿童", "population=children", True),
    ("少年", "population=children", True),
    # measure
    ("生师比", "measure=ratio", False), ("师生比", "measure=ratio", False),
    ("生均", "measure=per-student", True), ("班额", "measure=class-size", False),
    ("超大班额", "aspect=super-large-class", False), ("大班额", "aspect=large-class", False),
    ("标准班额", "aspect=standard-class-size", False),
    ("每百名学生", "measure=per-student", True), ("系数", "measure=ratio", False),
    ("得分", "measure=level", False), ("满意度", "measure=level", False), ("督导评估", "measure=level", False),
    ("认定", "measure=level", False),
    ("年限", "measure=years", False), ("面积", "measure=area", False),
    ("人数", "measure=count", False), ("所数", "measure=count", False), ("创建数", "measure=count", False),
    ("数量", "measure=count", False), ("规模", "measure=count", False),
    ("经费", "measure=money", False), ("投入", "measure=money", False),
    ("比例", "measure=rate", True), ("占比", "measure=rate", True), ("比重", "measure=rate", True),
    ("覆盖面", "measure=rate", False), ("覆盖率", "measure=rate", False),
)

_PARSED = sorted(
    ((term, tuple((k, frozenset(v.split("|"))) for k, _, v in (p.partition("=") for p in facets.split())), strip)
     for term, facets, strip in _TERMS),
    key=lambda t: -len(t[0]),
)
_FIRST = {t[0][0] for t in _PARSED}

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
    (re.compile(r"^([万亿]?人|[万亿]?人次|名|万?所|个|座|班|台|册|间|家|门)$"), "count"),
)

_BRACKETS = re.compile(r"\([^()]*\)?|（[^（）]*）?|\[[^\]]*\]|【[^】]*】")
_NUMBERING = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\s*[.、]|\(\s*\d{1,2}\s*\)|[①-⑳]|[一二三四五六七八九十]+\s*、|"
                        r"\(\s*[一二三四五六七八九十]+\s*\))\s*")
_SUB_ROW = re.compile(r"^(其中|内含|含)\s*[:：,，]?\s*")
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


def normalise(text: str) -> str:
    """Width folded, numbering (``4.``, ``(一)``), ``其中:``, bracketed parts (``(%)``,
    ``(学位)``), spaces and punctuation dropped: ``4. 其中：高中教师研究生学历（学位）比例(%)``
    → ``高中教师研究生学历比例``."""
    t = normalize(text or "").strip()
    t = _NUMBERING.sub("", t)
    t = _SUB_ROW.sub("", t)
    t = _BRACKETS.sub(_bracket, t)
    return _NOISE.sub("", t)


_TELLING = ("stage", "degree", "span", "ownership", "population")


def _bracket(m: re.Match[str]) -> str:
    """A bracketed part goes, unless it says which stage, degree, span, ownership or
    population (``生均日常公用经费（小学）``, ``高职（专科）在校生``): then its words stay."""
    inside = _NOISE.sub("", m.group()[1:].rstrip(")）]】"))
    if len(inside) > 6:  # a definition in brackets, not a qualifier
        return ""
    facets, _ = scan(inside)
    return inside if any(k in facets for k in _TELLING) else ""


def is_sub_row(name: str) -> bool:
    """Whether a row's name leaves its subject to the row above: ``其中:研究生``, or a
    name that only says which stage, degree, span, ownership or population (``初中``
    under 义务教育标准班额比例), not what is measured."""
    if _SUB_ROW.match(_NUMBERING.sub("", normalize(name or "").strip())):
        return True
    text = normalise(name)
    i = 0
    while text and (hit := _term_at(text, i)) is not None:
        if not hit[2] or any(k in ("measure", "") for k, _ in hit[1]) or not hit[1]:
            return False
        i += len(hit[0])
    return bool(text) and i == len(text)


_ONE_AGE = re.compile(r"(?<![\d—\-~～至到])(\d{1,2})岁(?![以及—\-~～至到])")


def scan(text: str) -> tuple[dict[str, frozenset[str]], str]:
    """The facets the terms of ``text`` (normalised) state, and what is left of it.
    One age (``6岁儿童``, not ``0-6岁`` or ``3岁以下``) is a population of its own."""
    facets: dict[str, frozenset[str]] = {}
    if ages := _ONE_AGE.findall(text):
        facets["population"] = frozenset(f"age-{a}" for a in ages)
    core = []
    i = 0
    while i < len(text):
        hit = None
        if text[i] in _FIRST:
            hit = next((t for t in _PARSED if text.startswith(t[0], i)), None)
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
    if "measure" not in facets and stripped.endswith(("率", "比")):
        facets["measure"] = frozenset({"rate"})
    elif "measure" not in facets and stripped.endswith("数"):
        facets["measure"] = frozenset({"count"})
    if "disabled" in facets.get("population", ()):  # 残疾儿童少年义务教育入学率: special, in compulsory
        facets["stage"] = facets.get("stage", frozenset()) | {"special"}
    return facets, stripped


def unit_measure(unit: str | None) -> frozenset[str]:
    """The measure a unit means: ``%`` a rate, ``万人`` a count, ``元/生`` money per student."""
    u = normalise(unit or "") if unit and not re.fullmatch(r"\s*[(（]?\s*%\s*[)）]?\s*", unit) else (unit or "")
    u = u.strip().strip("()（）")
    for pattern, measure in _UNITS:
        if pattern.search(u):
            return frozenset(measure.split())
    return frozenset()


def _term_at(text: str, i: int) -> tuple[str, tuple[tuple[str, frozenset[str]], ...], bool] | None:
    if i >= len(text) or text[i] not in _FIRST:
        return None
    return next((t for t in _PARSED if text.startswith(t[0], i)), None)


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
    heads = []
    i = 0
    while (hit := _term_at(own, i)) is not None:
        heads.append(hit)
        i += len(hit[0])
    rest = own[i:]
    replaced = up
    for term, stated, _ in heads:
        keys = {k for k, _ in stated}
        at = next(((j, t) for j in range(len(replaced)) if (t := _term_at(replaced, j))
                   and keys & {k for k, _ in t[1]}), None)
        if at is None:
            break
        j, (old, _, _) = at
        replaced = replaced[:j] + term + replaced[j + len(old):]
    else:
        if heads and (not rest or replaced.endswith(rest)):
            return replaced
    if heads and not rest:
        return own + up
    for j in range(len(up)):
        t = _term_at(up, j)
        if t and dict(t[1]).get("population"):
            return up[: j + len(t[0])] + own
    return up + own


def read_indicator(name: str, *, parent: str | None = None, sublabel: str | None = None,
                   category: str | None = None, unit: str | None = None,
                   table: str | None = None) -> IndicatorReading:
    """Read one indicator row: ``name`` as written, ``parent`` the row above when the row
    is a sub-row (``其中:…``), ``sublabel`` a sub-row label in its own cell (``小学`` under
    ``校际优质均衡系数``), ``category`` the table's category column or group heading,
    ``table`` the table's title (``学前教育发展主要指标``: the stage, when nothing closer says)."""
    whole = full_name(name, parent)
    if sublabel:
        whole = normalise(sublabel) + whole
    facets, core = scan(whole)
    inferred: set[str] = set()
    if parent:
        for key, values in scan(normalise(parent))[0].items():
            if key not in facets and key != "measure":
                facets[key] = values
    measured = unit_measure(unit)
    if measured and "measure" not in facets:
        facets["measure"] = measured
        inferred.add("measure")
    elif measured and facets["measure"] & {"per-student"}:
        facets["measure"] = facets["measure"] | measured
    for context in (category, table):
        for key, values in scan(normalise(context or ""))[0].items():
            if key not in facets and key in ("stage", "population"):
                facets[key] = values
                inferred.add(key)
    return IndicatorReading(normalise(name), whole, core, dict(facets), frozenset(inferred))


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
