"""Whether a concept explains every word of an indicator's name (#24).

The facets (:mod:`plangraph.extract.facets`) read the words the scheme knows to tell near
concepts apart: stage, degree, ownership, a rate or a count. A name may carry a word that
narrows what it measures beyond them (在学**博士**生, **技师**学院, 教学及辅助用房**总**面积,
**等级**幼儿园覆盖面); a concept that does not explain that word is not the row's, however
alike the rest reads. So each content word of the row's own name (the domain tokenizer's
words of two characters or more, less facet words and the words every indicator table uses
to frame a figure: 全县, 情况, 普通, 阶段 …) must be found in one of the concept's texts: a
wording or the definition (outside brackets), words of one meaning read as one (:func:`fold`).
A word the scheme uses to name another concept and not explained by this one is
*distinctive*: the tie is refused (the concept stays a suggestion). A word the scheme never
names is *unknown*: it may frame the figure (全区, 续建) or narrow it (技师), so it costs the
score a share, enough that a weak tie on the rest falls below the threshold while a close
wording still ties; where it is the last word of a count, what is counted, it refuses too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from plangraph.extract.facets import TERM_WORDS, normalise, term_positions

UNKNOWN_FACTOR = 0.85
"""What unknown words cost a tie's score, once (see the module's docstring)."""

# Words that frame a figure in any indicator table: where (全县, 辖区), when (年度, 本届),
# how it is kept or reached (情况, 达标, 实现), the generic kind of school or level (普通, 阶段,
# 各级各类), and the plain words of a measure (比例, 人数): what the facets and the head of the
# name already read. They explain nothing and narrow nothing.
_FRAME = frozenset("""
全国 全省 全市 全县 全区 全旗 全州 本市 本县 本区 本地 当地 辖区 区域 县域 市域 城乡 各地 地区 我省 我市 我县 我区
省市 省定 国家 省级 市级 县级
年度 本届 当年 上年 上年度 年末 年底 每年 累计 期末 学年 目标 预期 指标 数据 情况 状况 执行 达标 达到 实现 建成 创成 完成 开展
共有 现有 规定 标准 水平 程度 项目 工程 建设
比例 占比 比重 比率 人数 数量 总数 总量 个数 规模 数据 合计 总计 小计 其中 以上 以下 及以上 以上学历
普通 阶段 教育 学校 各级 各类 各级各类 类型 全部 总体 整体 平均 人员 学生 在校 在校生 适龄 儿童 少年 幼儿
""".split())

_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
_INCLUDES = re.compile(r"[（(]含([^（）()]*)[）)]")
_AND = re.compile(r"[、和及与,，]")


@dataclass(frozen=True)
class Unexplained:
    """The words of a row's name a concept does not explain: ``distinctive`` ones (the
    scheme uses them for another concept) refuse the tie, ``unknown`` ones lower it."""

    distinctive: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    head: bool = False
    """Whether the last content word of the name (what it counts: 普通高等学校**预科生**) is
    among the unexplained: then the concept measures something else."""

    @property
    def words(self) -> tuple[str, ...]:
        """Every unexplained word, distinctive or unknown."""
        return self.distinctive + self.unknown

    def factor(self) -> float:
        """What the unknown words leave of a tie's score (once: 视力、听力、智力三残儿童 is one
        narrowing, said three ways); distinctive words are the matcher's to weigh."""
        return UNKNOWN_FACTOR if self.unknown else 1.0


def _inside(word: str, text: str) -> bool:
    """``word`` is in ``text``, or every two characters of it are (本科学历 in 本科及以上学历)."""
    return word in text or (len(word) > 2 and all(word[i:i + 2] in text for i in range(len(word) - 1)))


@dataclass(frozen=True)
class ConceptWords:
    """A concept's texts: its wordings (``named``, how the scheme names it) and, to explain a
    row's words, the wordings and the definition less its bracketed asides (优质（等级）幼儿园:
    等级 is no wording of 优质)."""

    named: str
    explains: str
    parts: tuple[str, ...] = ()

    @classmethod
    def of(cls, labels: Iterable[str], definition: str) -> ConceptWords:
        named = "|".join(fold(normalise(label)) for label in labels)
        parts = tuple(normalise(p) for inside in _INCLUDES.findall(definition) for p in _AND.split(inside)
                      if len(normalise(p)) >= 3)
        return cls(named, named + "|" + fold(normalise(_BRACKETED.sub("", definition))), parts)

    def one_part(self, name: str) -> str | None:
        """The part of the concept a row names alone, where the definition lists what the
        concept includes (特殊教育（含特殊教育学校和随班就读、附设特教班）在校生: a row of
        特殊教育学校在校生 is one part) and the concept's wordings do not name that part."""
        said = [p for p in self.parts if p in name]
        if said and len(said) < len(self.parts) and not any(p in self.named for p in said):
            return said[0]
        return None


# Words of one meaning, read as one on both sides: 新增/新建/改扩建 a flow of new things, 就读/在读/入读
# what 在园 says of children (在普惠性幼儿园就读的幼儿占比), 教育支出 教育经费.
SAME_WORDS = ((re.compile(r"新改扩建|新建改扩建|改扩建|新建|新增|扩建|改建|增加"), "新建"),
              (re.compile(r"在?就读|在读|入读"), "在园"),
              (re.compile(r"教育支出"), "教育经费"),
              (re.compile(r"(新建)+"), "新建"))  # 新建、扩建幼儿园
# And, for explaining a row's words only (the stage facet tells 入学 from 入园): 入园 the
# pre-school word for 入学, 学龄 for 适龄, 建设 before what is built a flow, 职业高等/职业本专科
# higher vocational (普通、职业高等学校), 小时 and 时长 a time (锻炼时间 against 锻炼1小时), 世界一流
# the 一流 of 双一流, and a funding standard's words (拨款标准) after 公用经费.
_LOOSE = SAME_WORDS + ((re.compile(r"入园"), "入学"), (re.compile(r"学龄"), "适龄"),
                       (re.compile(r"^(新)?建[设成](?=\S*(幼儿园|学校|园|校|学位)$)"), "新建"),
                       (re.compile(r"职业(?=高等|本专科)"), "高职"), (re.compile(r"小时|时长"), "时间"),
                       (re.compile(r"世界一流"), "一流"),
                       # the first-time employment rate is an employment rate (初次就业率, 就业去向落实率)
                       (re.compile(r"初次(?=就业率)|(?<=就业)去向落实(?=率)"), ""),
                       # a funding standard's words after 公用经费 (拨款标准, 基准定额): the same funds
                       (re.compile(r"(?<=公用经费)(?:财政)?(?:拨款)?(?:基准)?(?:定额|标准)"), ""))


def fold(text: str) -> str:
    """``text`` with the words of one meaning written one way (:data:`SAME_WORDS` and more)."""
    for pattern, word in _LOOSE:
        text = pattern.sub(word, text)
    return text


# Characters that stand alone as words of grammar or measure (的, 和, 数, 率, 岁), not parts of a
# word the tokenizer does not know.
_GRAMMAR = frozenset("的和及与或在中等数率年岁人个所其含各每之为以上下内外比全总")


def _runs(words: list[str]) -> list[str]:
    """The tokenizer's words, with each run of single characters it could not join read as one
    word (托, 育 → 托育): a word the tokenizer does not know is still a word of the name."""
    out: list[str] = []
    run = ""
    for word in [*words, ""]:
        if len(word) == 1 and re.match(r"[\u4e00-\u9fff]", word) and word not in _GRAMMAR:
            run += word
            continue
        if run:
            out.append(run)
            run = ""
        if word:
            out.append(word)
    return out


# A frame word made a word of its own: 标准化 (of 标准化学校) is no 标准, and a 完成率 (教育完成率,
# 培训完成率) rates a completion, no 巩固率 or 入学率.
_OWN_WORD = re.compile(r"\S+化|完成率")


@lru_cache(maxsize=4096)
def content_words(name: str) -> tuple[str, ...]:
    """The words of a normalised name that say what it measures, less facet and frame words."""
    from plangraph.extract.lexicon import tokens

    out = []
    covered, at = term_positions(name), 0
    for word in _runs(tokens(name)):
        at += len(word)
        if name[at - len(word):at] == word and all(i in covered for i in range(at - len(word), at)):
            continue  # 中等职业 of 中等职业学校: a part of a facet word
        if len(word) < 2 or word in _FRAME or word in TERM_WORDS or not re.search(r"[\u4e00-\u9fff]", word):
            continue
        rest = word
        for term in sorted((t for t in TERM_WORDS | _FRAME if t in word), key=len, reverse=True):
            rest = rest.replace(term, "")
        if len(rest) < 2 and not _OWN_WORD.fullmatch(word):
            continue  # 普惠性, 达省定: a facet or frame word with a character around it
        out.append(word)
    return tuple(dict.fromkeys(out))


class Vocabulary:
    """The scheme's texts, one per concept, to explain a row's words with."""

    def __init__(self, texts: dict[str, ConceptWords]) -> None:
        self._texts = texts
        self._named: dict[str, bool] = {}

    def named(self, word: str) -> bool:
        """Whether the scheme names any concept with ``word`` (a definition's words do not count:
        they are incidental: 至少, 保证)."""
        if word not in self._named:
            self._named[word] = any(_inside(word, text.named) for text in self._texts.values())
        return self._named[word]

    def one_part(self, full_name: str, key: str) -> str | None:
        """See :meth:`ConceptWords.one_part`."""
        return self._texts[key].one_part(full_name) if key in self._texts else None

    def unexplained(self, name: str, key: str) -> Unexplained:
        """The words of ``name`` (normalised, the row's own) that concept ``key`` leaves unexplained."""
        own = self._texts[key].explains if key in self._texts else ""
        distinctive, unknown = [], []
        words = content_words(fold(name))
        for word in words:
            if _inside(word, own):
                continue
            if self.named(word):
                distinctive.append(word)
            else:
                unknown.append(word)
        last = bool(words) and (fold(name).endswith(words[-1]) or fold(name).removesuffix("率").endswith(words[-1]))
        return Unexplained(tuple(distinctive), tuple(unknown), last and words[-1] in distinctive + unknown)
