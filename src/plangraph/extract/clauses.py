"""Atomic commitments: a commitment sentence split into clauses of one action each.

A plan sentence often strings several measures together with commas
(``深化人事制度改革,深入推进校长职级制改革,培育“教育家”型校长``); comparing the
whole sentence with another plan's loses the measure that matters. A *clause* is one
action with its object (``推进X``, ``实施Y``) or one target (``Z达到N``), with the
sentence kept as context.

The rules, on comma-separated segments of the sentence:

* a segment that starts with an action verb (after adverbs such as 深入、全面、进一步, or
  any word the dictionary tags as a modifier before a verb: ``适当提高…``, ``合理提高…``)
  or states a target (``达到98%``) opens a new clause;
* a leading segment that is a time or condition phrase (``到2025年``, ``按…要求``)
  goes with the clause after it;
* any other segment (an object list running on, a purpose, a result) stays with the
  clause before it.

Offsets are into the text the sentence came from (normalised and original text share
offsets), so ``original[clause.start:clause.end] == clause.text``. The function is
pure text in, spans out: extraction and comparison call the same one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plangraph.extract.lexicon import tokens, word_tag

_SEPARATORS = re.compile(r"[,，;；:：]")
_END_PUNCT = "。;；!！?？,，、:： \t"
# Adverbs and light verbs that may stand before the action verb of a clause.
_ADVERBS = (
    "进一步", "深入", "全面", "积极", "大力", "持续", "切实", "着力", "继续", "逐步", "不断",
    "加快", "努力", "稳步", "扎实", "有序", "重点", "率先", "基本", "全力", "充分", "主动",
    "稳妥", "分类", "统筹", "同步", "依法", "严格", "认真", "广泛", "普遍", "有效", "协同",
    "从严", "整体", "要", "应", "须", "将", "再", "也", "并", "和", "及", "同时", "还",
)
ACTIONS: tuple[str, ...] = (
    "推进", "实施", "建立", "完善", "加强", "确保", "提高", "深化", "推动", "实现", "健全",
    "构建", "打造", "开展", "落实", "鼓励", "支持", "加大", "优化", "提升", "扩大", "创建",
    "培养", "引进", "建设", "保障", "探索", "坚持", "促进", "发展", "制定", "出台", "培育",
    "强化", "规范", "建成", "发挥", "保持", "贯彻", "推行", "实行", "办好", "增强", "激发",
    "破除", "形成", "减轻", "营造", "核定", "普及", "巩固", "改善", "改进", "创新", "整合",
    "组建", "设立", "成立", "新建", "改扩建", "增加", "扩充", "配齐", "配备", "开设", "举办",
    "推广", "落地", "引导", "加快", "做好", "做强", "做优", "做大", "提供", "满足", "缩小",
    "消除", "解决", "破解", "防止", "严禁", "杜绝", "减少", "降低", "控制", "完成", "启动",
    "争创", "创设", "搭建", "组织", "指导", "督促", "加快推进", "改革", "扩建", "迁建",
    "设置", "配置", "补齐", "提质", "扶持", "资助", "免除", "调整", "统筹", "整治", "治理",
    "关心", "关爱", "重视", "尊重", "维护", "依托", "利用", "推出", "引入", "吸引", "遴选",
    "选拔", "培训", "评选", "表彰", "奖励", "建好", "用好", "管好", "抓好", "守好", "筑牢",
    "树立", "弘扬", "传承", "深耕", "聚焦", "拓展", "拓宽", "延伸", "丰富", "壮大", "夯实",
    "落细", "压实", "健全完善", "建立健全", "大力发展", "全面实施", "全面推进", "全面落实",
    "推进实施", "培育建设", "力争", "争取", "覆盖", "倡导", "颁布", "试点", "突出", "实行", "明确",
    "健全", "注重", "加速", "助推", "推广应用", "保证", "确立", "完善落实", "普及", "全覆盖", "深化改革", "改造", "提档",
)
_TARGET_RE = re.compile(
    r"(?:达到|超过|不低于|不少于|不高于|不超过|保持在|提高到|提升到|控制在|稳定在|下降到|降至|增至|"
    r"增长|达|实现)[^,，;；。]{0,6}\d")
_LEAD_RE = re.compile(
    r"^(?:到|至|于|在|按|按照|根据|依据|围绕|通过|以|为|对|针对|面向|结合|坚持以|立足|着眼|"
    r"利用|借助|依托|对标)")
_YEAR_ONLY_RE = re.compile(r"^(?:到|至|在|于)?20\d{2}年(?:前|底|末|以前|之前|起)?$")
# A list marker before the action: ``——建设美好课堂样板``, ``2.强化…``, ``（三）推进…``.
_MARKER_RE = re.compile(r"^(?:—+|[0-9]+[.、．]|[（(][一二三四五六七八九十0-9]+[)）]|[一二三四五六七八九十]+、)")
# ``把X作为Y`` / ``将X纳入Y``: a measure whose verb follows its object.
_BA_RE = re.compile(r"^(?:要|应|并)?(?:把|将)[^,，;；]{1,40}?(作为|纳入|列入|摆在|放在|融入)")
# ``以X为抓手``: a lead phrase that is itself a measure when X is one (``以“平安校园”建设为抓手``);
# ``以X为重点/核心/导向`` only says what the clause after it stresses, and stays its lead phrase.
_LEVER_RE = re.compile(r"^以(.{2,40})为(抓手|载体|突破口|契机|牵引|龙头|平台)$")
_MEASURE_RE = re.compile(r"(?:建设|改革|创建|工程|计划|行动|试点|实施|推进|项目)")


@dataclass(frozen=True)
class ClauseSpan:
    """One clause of a sentence: its span in the plan text and the action that opens it
    (``""`` for a target clause such as ``毛入园率达到98%``)."""

    start: int
    end: int
    text: str
    action: str

    def __post_init__(self) -> None:
        if self.end - self.start != len(self.text) or not self.text.strip():
            raise ValueError(f"clause [{self.start}, {self.end}): bad span for {self.text!r}")


# Tags of a word that modifies the verb after it (adverb, adjective, distinguishing word, and a
# verbal noun used as one: 合理提高, 统一规划, 定期开展), not a noun that may be its subject.
_MODIFIER_TAGS = frozenset({"a", "ad", "an", "b", "d", "z", "vd", "vn"})
_BY_LENGTH = tuple(sorted(ACTIONS, key=len, reverse=True))


def _modified_verb(rest: str) -> str:
    """The verb after one modifier word (``适当提高``, ``合理提高`` → ``提高``), or ``""``: the
    first word is a modifier by the dictionary's tags (:data:`_MODIFIER_TAGS`) and not an action
    itself, and what follows opens with an action that is a verb only (tag ``v``), so that
    ``教育培训``, ``管理服务`` (verbal noun + verbal noun) stay nouns."""
    words = tokens(rest[:8])
    first = words[0] if words else ""
    if not 2 <= len(first) <= 3 or first in ACTIONS or word_tag(first) not in _MODIFIER_TAGS:
        return ""
    after = rest[len(first):]
    verb = next((v for v in _BY_LENGTH if after.startswith(v)), "")
    return verb if verb and word_tag(verb) == "v" and len(after) > len(verb) + 1 else ""


def action_of(segment: str) -> str:
    """The action verb a segment opens with (adverbs skipped), or ``""``."""
    rest = _MARKER_RE.sub("", segment)
    changed = True
    while changed and rest:
        changed = False
        for verb in _BY_LENGTH:
            if rest.startswith(verb):
                return verb
        for adv in _ADVERBS:
            if rest.startswith(adv) and len(rest) > len(adv) + 1:
                rest = rest[len(adv):]
                changed = True
                break
    return _modified_verb(rest) if rest else ""


_HEAD_END = "。.;；:：,， "


def is_heading(clause: str, section_title: str) -> bool:
    """Whether a clause is its section's heading: a plan's outline (``2.强化高素质师资队伍建设。``
    heading the paragraph after it), not one of its measures. True when the clause, less its
    list marker and final punctuation, is the title of the section it stands in."""
    title = section_title.strip().strip(_HEAD_END)
    return bool(title) and _MARKER_RE.sub("", clause.strip()).strip(_HEAD_END) == title


def opener(segment: str) -> str:
    """What opens a clause in ``segment``: its action verb (:func:`action_of`), the verb of a
    ``把X作为Y`` / ``将X纳入Y`` measure, ``以…为抓手`` when the lever is a measure itself, or ``""``."""
    verb = action_of(segment)
    if verb:
        return verb
    m = _BA_RE.match(segment)
    if m:
        return m.group(1)
    m = _LEVER_RE.match(segment)
    if m and _MEASURE_RE.search(m.group(1)):
        return f"以…为{m.group(2)}"
    return ""


def _segments(text: str) -> list[tuple[int, int]]:
    """Comma-separated segments of ``text`` as (start, end), trimmed of spaces and of
    separators; quotes and brackets are not split inside."""
    out: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "“（(「《‘":
            depth += 1
        elif ch in "”）)」》’":
            depth = max(0, depth - 1)
        elif depth == 0 and _SEPARATORS.match(ch):
            out.append((start, i))
            start = i + 1
    out.append((start, len(text)))
    trimmed = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1] in _END_PUNCT:
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def split_clauses(sentence: str, offset: int = 0) -> tuple[ClauseSpan, ...]:
    """The clauses of one commitment sentence, with offsets ``offset + i`` into the
    text the sentence was cut from. A sentence with one action is one clause (the
    sentence less its final punctuation)."""
    groups: list[list[tuple[int, int]]] = []
    actions: list[str] = []
    pending: list[tuple[int, int]] = []  # lead phrases waiting for their clause
    for s, e in _segments(sentence):
        seg = sentence[s:e]
        verb = opener(seg)
        is_target = bool(_TARGET_RE.search(seg))
        if verb or (is_target and not _YEAR_ONLY_RE.match(seg)):
            groups.append([*pending, (s, e)])
            actions.append(verb)
            pending = []
        elif not groups or _YEAR_ONLY_RE.match(seg) or (_LEAD_RE.match(seg) and not pending and len(seg) <= 30):
            pending.append((s, e))
        else:  # runs on from the clause before (with any lead phrase in between)
            groups[-1].extend([*pending, (s, e)])
            pending = []
    if pending:
        if groups:
            groups[-1].extend(pending)
        else:
            groups.append(pending)
            actions.append("")
    out = []
    for group, verb in zip(groups, actions):
        s, e = group[0][0], group[-1][1]
        out.append(ClauseSpan(offset + s, offset + e, sentence[s:e], verb))
    return tuple(out)
