"""Ties an indicator, however a plan words it, to a concept of the indicator scheme.

For each row the facets it states (:mod:`plangraph.extract.facets`) must agree with a
concept's ``pg:facet`` values: a stated facet that contradicts the concept's vetoes
the tie (小学 ≠ 初中, 本科 ≠ 研究生, 学前一年 ≠ 学前三年, 公办 ≠ 普惠, a rate ≠ a head
count). The concepts left are scored by how alike the row and each of the concept's
labels are: character uni- and bigram overlap (Dice) of the whole names and of their
cores (the names without their facet words), times a penalty for every facet a label
states that the row leaves out or that the row states and the concept does not have.
Beside the facets, general checks judge any wording by the structure of its name (#24): what
every wording of a concept states the row must state; every content word of the row's name must
be explained by the concept (:mod:`plangraph.graph.wording`); a row naming one part of what a
concept's definition includes is that part. A refused concept stays a suggestion.
The best concept at or above :data:`THRESHOLD` (chosen on the ``tune`` pairs of
``tests/data/indicator_pairs.tsv``, ``benchmarks/bench_concepts.py``) is the tie; a
row below it stays unmapped, with its best candidates as suggestions.

Deterministic and per plan: a plan of 100 indicators is matched in well under a second
(about 0.1-0.25 s, `benchmarks/bench_concepts.py`), after reading the scheme once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from plangraph.extract.facet_terms import POPULATION_PARTS
from plangraph.extract.facets import IndicatorReading
from plangraph.extract.reading import read_indicator
from plangraph.graph.refusals import all_stages_refuse, count_fits, refused
from plangraph.graph.scheme import IndicatorConcept, concepts
from plangraph.graph.wording import SAME_WORDS, ConceptWords, Vocabulary

THRESHOLD = 0.45
"""The score a tie needs (tuned on the ``tune`` split; see docs/indicator-matching.md)."""

_REFUSED = 0.4  # below THRESHOLD whatever the overlap: a suggestion for a reviewer, never a tie
_CORE_FLOOR = 0.3  # 0 to 0.35 change nothing on the tune pairs, 0.4 loses a tie; see the docs
_MARGIN = 0.01  # a dead heat only: 0.02 already leaves a right tie of an unseen table unmapped
_MISSING_PENALTY = 0.8   # the label states a facet the row does not
_EXTRA_PENALTY = 0.85    # the row states a distinguishing facet the concept does not have
_EXTRA_KEYS = ("degree", "span", "ownership", "population")
_NARROWING = ("attainment", "intake", "level", "sector", "degree", "polarity", "per", "funds", "grade", "head", "kind",
              "sum", "tier")
# What every wording of a concept says, a row must say too (from its name, the row above, its
# category or unit), except these: a bare 入园率 is the gross rate, and a unit or a degree's
# scope is never in a label.
_NOT_REQUIRED = frozenset({"basis", "counted", "scope", "measure"})
_VETO_KEYS = ("stage", "measure", "degree", "span", "ownership", "population", "aspect", "basis")
# Every ownership a row states must be the concept's (普惠性民办幼儿园 is a part of 普惠性幼儿园), but
# 公办 and 普惠 together are what 普惠性 counts (公办园和普惠性民办园, 在公办园和普惠性民办园就读).
_PUBLIC_INCLUSIVE = {frozenset({"public", "inclusive"}): frozenset({"public"}),
                     frozenset({"public", "inclusive", "private"}): frozenset({"public", "private"})}
# The standards of a school's resources (生均教学用房面积, 生均仪器设备值) are set for 小学 and 初中
# apart; a concept of compulsory education takes a row of either stage, a little below an exact stage.
_RESOURCE_MEASURES = frozenset({"area", "per-student", "money"})
_ONE_STAGE_OF_COMPULSORY = 0.9
_COMPATIBLE = {"population": [{"children", "students"}, {"teachers", "staff"}],
               "measure": [{"per-student", "money", "area"}, {"rate", "level"}]}


@dataclass(frozen=True)
class Candidate:
    """A concept a row may measure, with its score and why."""

    key: str
    score: float
    label: str
    facets: tuple[str, ...]
    exact: bool = False

    def why(self) -> str:
        """``label 学前教育毛入园率; facets stage=preschool, measure=rate``, or
        ``wording 普惠性幼儿园覆盖面 listed by the scheme``."""
        if self.exact:
            return f"wording {self.label} listed by the scheme"
        return f"label {self.label}" + (f"; facets {', '.join(self.facets)}" if self.facets else "")


@dataclass(frozen=True)
class Match:
    """What the matcher makes of one row: the tie (``concept`` None when no concept
    reaches the threshold) and the best candidates, best first."""

    reading: IndicatorReading
    concept: str | None
    score: float
    why: str
    candidates: tuple[Candidate, ...]


def _grams(text: str) -> frozenset[str]:
    return frozenset(text) | frozenset(text[i:i + 2] for i in range(len(text) - 1))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


@dataclass(frozen=True)
class _Label:
    text: str
    full: frozenset[str]
    core: frozenset[str]
    stated: frozenset[str]
    values: tuple[tuple[str, frozenset[str]], ...] = ()


# Words that say how a thing came about, not what is measured: 义务教育实现基本均衡的县
# (市、区)比例 is 义务教育基本均衡县(市、区)比例, 建成智慧校园的学校比例 智慧校园比例.
# And the place a figure is of (全州在校生, 全市各级各类学校在校生人数, 本县): every row of a
# plan's table is of its place.
_FILLER = re.compile(r"实现|达到|建成|创成|开展|完成|的|本届|上一?年度|当年|(?:全|本|我)(?:国|省|市|县|区|州|旗|盟)(?!级)"
                     r"|共有|现有|拥有")  # and how a count is said: 全县共有各级各类学校
# A count word ends a core without saying what is counted (the measure facet says it is a
# count): 幼儿园 in 万所 is 幼儿园数, 专任教师 in 万人 专任教师数.
_COUNT_WORD = re.compile(r"(总人数|总数|人数|所数|数量|数)$")
# What is left of a stage's name once its stage word is read (小学阶段在校生, 普通高中教育专任教师):
# no part of what is measured.
_STAGE_WORD = re.compile(r"^(阶段)?(教育)?")


# What is left of an institution's name once its stage word is read (中等职业教育学校, 各级各类
# 学校, 民办学校各类教育): what is counted, which the measure facet says.
_INSTITUTION = re.compile(r"各级各类|各类|学校|院校|学院")


@lru_cache(maxsize=8192)  # a row is compared with every concept: its grams are made once
def _compare(text: str, *, core: bool = False) -> frozenset[str]:
    """The character uni- and bigrams labels and rows are compared on, filler words out
    (and, for a core, a closing count word and institution word)."""
    plain = _FILLER.sub("", text)
    if not core:
        plain = plain or text  # a name of filler words only is compared as written
    for pattern, word in SAME_WORDS:
        plain = pattern.sub(word, plain)
    if not core:
        return _grams(plain)
    return _grams(_COUNT_WORD.sub("", _STAGE_WORD.sub("", _INSTITUTION.sub("", plain))).removesuffix("校"))


# What a share is of (占一般公共预算支出比例): the concept must explain every word of it.
_SHARE_OF = re.compile(r"占(\S+?)(?:的)?(?:比例|比重|比率|百分比)$")


@dataclass(frozen=True)
class ConceptEntry:
    concept: IndicatorConcept
    facets: dict[str, frozenset[str]]
    labels: tuple[_Label, ...]
    phase: frozenset[str] = frozenset()
    worded: tuple[tuple[str, frozenset[str]], ...] = ()
    said_by_all: frozenset[str] = frozenset()
    english: str = ""
    # made once from the above: the values each key allows, the stages its wordings name alone,
    # whether every wording is per student
    allowed: dict[str, frozenset[str]] = field(default_factory=dict)
    label_stages: frozenset[frozenset[str]] = frozenset()
    per_student_only: bool = False

    def allows(self, key: str) -> frozenset[str]:
        """The values of ``key`` the concept or one of its labels states (新增普惠性学位 is
        a wording of 新增幼儿园学位: a row of inclusive places is not refused by it)."""
        return self.allowed.get(key, frozenset())


# A concept of special education says its phase in its aspect (残疾儿童学前教育入园率:
# aspect=preschool-phase); a row that names another stage is not of it.
_PHASES = {"preschool-phase": {"preschool"}, "compulsory-phase": {"compulsory", "primary", "junior"},
           "primary-phase": {"primary"}, "junior-phase": {"junior"},
           "senior-phase": {"senior", "general-senior", "secondary-vocational"}}


@lru_cache(maxsize=1)
def _vocabulary() -> Vocabulary:
    return Vocabulary({c.key: ConceptWords.of(c.labels, c.definition) for c in concepts()})


@lru_cache(maxsize=1)
def _gross_stages() -> frozenset[str]:
    """The stages the scheme has a gross enrolment rate of."""
    return frozenset(s for c in concepts() if "gross" in c.facet("basis") for s in c.facet("stage"))


def _english(label: str) -> str:
    """An English label as a row in English is compared with it: letters and digits, lower case."""
    return "".join(ch for ch in label.casefold() if ch.isalnum())


@lru_cache(maxsize=1)
def _entries() -> tuple[ConceptEntry, ...]:
    out = []
    for c in concepts():
        pref = read_indicator(c.label, unit=c.unit)
        facets = {k: c.facet(k) for k, _ in c.facets}
        for k in ("stage", "measure"):  # what the preferred label states, where the scheme is silent
            if k not in facets and k in pref.facets:
                facets[k] = pref.facets[k]
        labels = []
        for text in c.labels:
            r = read_indicator(text)
            labels.append(_Label(r.full_name, _compare(r.full_name), _compare(r.core, core=True), frozenset(r.facets),
                                 tuple(r.facets.items())))
        phase = frozenset(v for a in c.facet("aspect") for v in _PHASES.get(a, ()))
        worded: dict[str, frozenset[str]] = {}
        for label in labels:
            for k, v in label.values:
                worded[k] = worded.get(k, frozenset()) | v
        said = frozenset.intersection(*(label.stated for label in labels)) - _NOT_REQUIRED
        allowed = {k: facets.get(k, frozenset()) | worded.get(k, frozenset()) for k in {*facets, *worded}}
        stages = frozenset(st for label in labels if (st := dict(label.values).get("stage")))
        per_student = all("per-student" in dict(label.values).get("measure", ()) for label in labels)
        out.append(ConceptEntry(c, facets, tuple(labels), phase, tuple(worded.items()), said, _english(c.label_en),
                                allowed, stages, per_student))
    return tuple(out)


# Populations that are a part of another: a row of one is not of a concept without it
# (其中市区学前三年幼儿入园率 is no 学前三年毛入园率).
_SUBSETS = POPULATION_PARTS
# Stages a row names that a concept of all stages does not cover (小学生近视率 is no
# 儿童青少年总体近视率); 中小学 and 义务教育 are the whole school system to most plans.
_NARROW = frozenset({"preschool", "primary", "junior", "senior", "general-senior", "secondary-vocational",
                     "higher-vocational", "vocational", "higher", "special", "lifelong"})


def _same_people(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sets of populations may be the same people (children ~ students)."""
    return bool(a & b) or any(a & g and b & g for g in _COMPATIBLE["population"])


def _agrees(key: str, concept: frozenset[str], stated: frozenset[str], inferred: bool) -> float:
    """1 when the row's values fit the concept's, 0 for a veto. A wider stage is another
    concept (高中阶段 vs 普通高中 在校生, measured on the tune pairs), so it vetoes too."""
    if concept & stated:
        return 1.0
    if key == "measure" and concept == {"level"} and "rate" in stated and not inferred:
        return 0.0  # 创建成普及普惠县（市、区）比例 is a share of counties, not the accreditation
    if "all" in concept:
        return 0.0 if key == "stage" and not inferred and stated <= _NARROW else 1.0
    if any(concept & group and stated & group for group in _COMPATIBLE.get(key, ())):
        return 1.0
    return 0.0


# The stages that are a part of a wider one: a concept of the wider stage takes a row of the part
# where one of its wordings names that part alone (中职学生双证书获取率 of 职业教育).
_PART_OF = {"secondary-vocational": "vocational", "higher-vocational": "vocational"}


def _part_worded(entry: ConceptEntry, stages: frozenset[str]) -> bool:
    return (bool(stages) and all(_PART_OF.get(s) in entry.facets.get("stage", frozenset()) for s in stages)
            and stages in entry.label_stages)


def score(reading: IndicatorReading, entry: ConceptEntry) -> Candidate | None:
    """The concept's best label for the row, or None when a facet vetoes it."""
    stages = reading.facets.get("stage", frozenset()) - {"special"}
    if all_stages_refuse(entry, stages) and "count" in entry.facets.get("measure", frozenset()):
        return None  # 新增学位 under 学前教育 is the stage's, whatever its words: a count of all stages is not
    for label in entry.labels:  # a wording the scheme lists for the concept is the concept (not a sum of it and more)
        if label.text == reading.full_name and "sum" not in reading.facets:
            return Candidate(entry.concept.key, 1.0, label.text, (), exact=True)
    if entry.english and reading.full_name.isascii() and _english(reading.full_name) == entry.english:  # in English
        return Candidate(entry.concept.key, 1.0, entry.concept.label_en, (), exact=True)
    factor = 1.0
    agreeing = []
    if entry.phase and stages and not stages & entry.phase:
        return None
    parts = {p for p in reading.facets.get("population", ()) if p in _SUBSETS or p.startswith("age-")}
    if parts - entry.allows("population"):
        return None
    # An ownership the row states narrows what it counts (普惠性幼儿园数 is a part of 幼儿园数):
    # a concept that neither states nor words it is not the row's.
    owned = reading.facets.get("ownership", frozenset())
    if (owned and "ownership" not in reading.inferred
            and not owned <= entry.allows("ownership") | _PUBLIC_INCLUSIVE.get(owned, frozenset())):
        return None
    if "per-capita" in reading.facets.get("measure", ()) and "per-student" in entry.allows("measure"):
        return None  # 人均 (per resident) is no 生均 (per student)
    if ("per-student" in reading.facets.get("measure", ()) and "ratio" in entry.facets.get("measure", ())
            and "per-student" not in entry.allows("measure")):
        return None  # 生均教学仪器设备值差异系数 is one part of the 校际差异系数, not the whole
    # What the row states of these, the concept must state or word: 受过高等教育 is no
    # 受过高中阶段及以上教育, 招生 no 在校生, 在学博士生 no 在学研究生, 成人高等学校 no 普通高校,
    # 本科院校 no 普通高校.
    for key in _NARROWING:
        if (said := reading.facets.get(key)) and not said & entry.allows(key):
            return None
    # A concept every wording of which is per student (生均, 每百名) takes no total: 教学及辅助用房总面积
    # is no 生均教学及辅助用房面积, 特殊教育学校经费总额 no 特殊教育学校生均公用经费.
    if ("per-student" not in reading.facets.get("measure", frozenset())
            and entry.per_student_only):
        return None
    # A net rate is said as such (净入学率, 适龄): 幼儿入园率 is read as the gross rate plans mean.
    # Where the scheme has no gross rate of the stage (小学: plans and statistics give the net one),
    # a bare 入学率 is the net rate.
    if (entry.facets.get("basis") == {"net"} and "basis" not in reading.facets
            and all("basis" in label.stated for label in entry.labels)
            and entry.facets.get("stage", frozenset()) & _gross_stages()):
        return None
    # A head count of people (教职工, 专任教师, 教学点在校生) is no count of institutions or places
    # (农村小学教学点: 农村 says where, not whom it counts).
    whom = reading.facets.get("population", frozenset()) - _SUBSETS
    if ({"count"} <= reading.facets.get("measure", frozenset()) and whom and "population" not in reading.inferred
            and "count" in entry.facets.get("measure", frozenset())
            and not _same_people(whom, entry.allows("population") - _SUBSETS)):
        return None
    # A row of one stage's special education (其中义务教育阶段 under 特殊教育在校生) is a part of a
    # concept of all special education; a standard per student is set for the stage it is of.
    if ("special" in reading.facets.get("stage", frozenset()) and stages and not entry.phase
            and entry.facets.get("stage") == {"special"} and "per-student" not in reading.facets.get("measure", ())):
        return None
    # 专科学历的比例 in a breakdown by degree, or 专科以下, is no 专科及以上学历比例.
    if "degree" in entry.facets and reading.facets.get("scope", frozenset()) & {"only", "below"}:
        return None
    for key in _VETO_KEYS:
        if key in entry.facets and key in reading.facets:
            f = _agrees(key, entry.facets[key], reading.facets[key], key in reading.inferred)
            if f == 0.0 and key == "stage" and _part_worded(entry, reading.facets[key]):
                f = 1.0  # 中职学校双证书获取率: 中职 is a part of 职业教育, and a wording of the concept names it
            if (f == 0.0 and key == "stage" and entry.facets[key] == {"compulsory"}
                    and reading.facets[key] <= {"primary", "junior"} and "ratio" not in reading.facets.get("measure", ())
                    and entry.facets.get("measure", frozenset()) & _RESOURCE_MEASURES):
                f = _ONE_STAGE_OF_COMPULSORY  # 小学 生均教学用房面积 is the standard's, for one stage
            if f == 0.0:
                return None
            factor *= f
            agreeing.append(f"{key}={'|'.join(sorted(entry.facets[key]))}")
    for key in _EXTRA_KEYS:
        if key in reading.facets and key not in reading.inferred and key not in entry.facets:
            factor *= _EXTRA_PENALTY
    if ("change" in reading.facets) != all("change" in label.stated for label in entry.labels):
        factor *= _MISSING_PENALTY  # a count of new places or schools against a stock, or the reverse
    if (share := _SHARE_OF.search(reading.name)) and _vocabulary().unexplained(share.group(1), entry.concept.key).words:
        return None  # 教育投入占财政民生支出比例: a share of another whole than the concept's
    # Refused, but suggestions for a reviewer (checked after the vetoes, which drop a concept outright):
    # a concept every wording of which says it (招生, 博士, 成人高校, 公办) takes no row that does not
    # (小学在校生 is no 小学招生; 随迁子女就读比例: which share?), and what refusals.py says.
    if (entry.said_by_all - reading.facets.keys()
            or ("count" in entry.facets.get("measure", frozenset()) and not count_fits(reading, entry))
            or refused(reading, entry.concept)):
        factor *= _REFUSED  # the word check below could only lower a suggestion further
    else:
        # A word of the row's name the scheme uses for other concepts and this one does not explain
        # (在学博士生: 博士 is no word of 在学研究生) refuses the tie; the concept stays a suggestion.
        unexplained = _vocabulary().unexplained(reading.name, entry.concept.key)
        # its last word is what it counts (预科生) or rates (优秀率 is no 优良率)
        counts = reading.facets.get("measure", frozenset()) & {"count", "rate"}
        factor *= _REFUSED if unexplained.distinctive or (counts and unexplained.head) else unexplained.factor()
        if _vocabulary().one_part(reading.full_name, entry.concept.key):
            factor *= _REFUSED  # 特殊教育学校在校生 is one part of 特殊教育在校生 (含特殊教育学校和随班就读)
    full, core = _compare(reading.full_name), _compare(reading.core, core=True)
    best: tuple[float, str] = (0.0, "")
    for label in entry.labels:
        core_sim = _dice(core, label.core) if core or label.core else 1.0
        s = 0.5 * _dice(full, label.full) + 0.5 * core_sim
        if core_sim < _CORE_FLOOR:  # alike in who and where, not in what is measured
            s *= 0.5
        for key in label.stated:
            if key in entry.facets and key not in reading.facets:
                s *= _MISSING_PENALTY
        if s > best[0]:
            best = (s, label.text)
    return Candidate(entry.concept.key, round(best[0] * factor, 4), best[1], tuple(agreeing))


def match_reading(reading: IndicatorReading, *, top: int = 3, threshold: float = THRESHOLD) -> Match:
    """Tie one read row to its concept, or leave it unmapped."""
    found = [c for e in _entries() if (c := score(reading, e)) is not None and c.score > 0]
    found.sort(key=lambda c: (-c.score, c.key))
    best = found[0] if found and found[0].score >= threshold else None
    if best is not None and len(found) > 1 and best.score - found[1].score < _MARGIN:
        best = None  # 毛入学率 with nothing to say which stage: two concepts fit alike, a reviewer picks
    return Match(reading, best.key if best else None, best.score if best else 0.0,
                 best.why() if best else "", tuple(found[:top]))


def match(name: str, *, parent: str | None = None, sublabel: str | None = None, category: str | None = None,
          unit: str | None = None, table: str | None = None, parts: tuple[str, ...] = (),
          threshold: float = THRESHOLD) -> Match:
    """Tie one indicator row (as :func:`plangraph.extract.reading.read_indicator` takes it)."""
    return match_reading(read_indicator(name, parent=parent, sublabel=sublabel, category=category, unit=unit,
                                        table=table, parts=parts), threshold=threshold)
