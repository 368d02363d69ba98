"""What kind of document an ingested file is, and the cue that says so.

Not every file a user brings is a plan. Government sites publish, beside a plan, its
drafting explainer (起草说明, 政策解读), reports on its progress (中期评估, 实施情况),
and pages that hold only its table of contents. They read like plans but say other
things: an explainer restates the plan, a report states what was achieved (its values
are actual values, not targets). The kinds:

- ``explainer``: the title, outside the titles it cites, says 解读, 说明, 答记者问;
  or the opening has an explainer's headings (起草背景, 编制过程 …);
- ``report``: the title says 评估, 实施情况, 进展, 成效, 总结 …; or the opening does
  (中期评估, 实施情况 …) and the title does not say it is a plan;
- ``fragment``: a table of contents and little else, or a page with too little text
  to be a plan;
- ``plan``: the title says 规划, 纲要, 计划, 方案 … or the text has a plan's parts
  (发展目标, 主要任务, 保障措施) or its way of stating aims (力争, 到2025年);
- ``other``: none of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCUMENT_KINDS = ("plan", "explainer", "report", "fragment", "other")
OPENING_CHARS = 1500
FRAGMENT_CHARS = 300

_CITED = re.compile(r"《[^《》]*》")
_EXPLAINER_TITLE = ("起草说明", "编制说明", "政策解读", "文字解读", "图解", "解读", "答记者问", "的说明")
_EXPLAINER_TEXT = ("起草背景", "起草过程", "编制背景", "编制过程", "编制依据", "政策背景", "出台目的",
                   "起草说明", "编制说明", "政策解读")
_REPORT_TITLE = ("中期评估", "评估报告", "总体评估", "实施情况", "落实情况", "执行情况", "完成情况", "进展情况",
                 "实施进展", "工作总结", "成效显著", "成效", "总结")
_REPORT_TEXT = ("中期评估", "实施情况", "进展情况", "完成情况", "执行情况", "落实情况")
_PLAN_TITLE = ("规划", "纲要", "计划", "方案", "意见", "行动")
_PLAN_TEXT = ("制定本规划", "发展目标", "主要目标", "主要任务", "保障措施", "重点任务", "力争", "到2025年",
              "到2035年")


@dataclass(frozen=True)
class DocumentKind:
    """A document's kind (:data:`DOCUMENT_KINDS`) and the cue it was known by."""

    kind: str
    cue: str

    def __post_init__(self) -> None:
        if self.kind not in DOCUMENT_KINDS:
            raise ValueError(f"document kind {self.kind!r}; choose one of: {', '.join(DOCUMENT_KINDS)}")


def classify(title: str, text: str, *, toc_chars: int = 0) -> DocumentKind:
    """The kind of a document with ``title`` and body ``text`` (page chrome and table
    of contents taken out; ``toc_chars`` is how long the table of contents was)."""
    own_title = _CITED.sub("", title)
    opening = text[:OPENING_CHARS]
    body = len("".join(text.split()))
    if cue := _first(own_title, _EXPLAINER_TITLE):
        return DocumentKind("explainer", f"title says {cue}")
    if cue := _first(own_title, _REPORT_TITLE):
        return DocumentKind("report", f"title says {cue}")
    if toc_chars and body < max(FRAGMENT_CHARS, toc_chars):
        return DocumentKind("fragment", f"a table of contents ({toc_chars} characters) and {body} characters of text")
    if body < FRAGMENT_CHARS and "。" not in text:
        return DocumentKind("fragment", f"only {body} characters and no sentence")
    explainer = [c for c in _EXPLAINER_TEXT if c in opening]
    if len(explainer) >= 2:
        return DocumentKind("explainer", "text has " + "、".join(explainer[:3]))
    plan_title = _first(own_title, _PLAN_TITLE)
    if not plan_title and (cue := _first(opening, _REPORT_TEXT)):
        return DocumentKind("report", f"text says {cue}")
    if plan_title:
        return DocumentKind("plan", f"title says {plan_title}")
    if cue := _first(text, _PLAN_TEXT):
        return DocumentKind("plan", f"text has {cue}")
    if body < FRAGMENT_CHARS:
        return DocumentKind("fragment", f"only {body} characters")
    return DocumentKind("other", "no cue of a plan, explainer or report")


def _first(text: str, cues: tuple[str, ...]) -> str | None:
    return next((c for c in cues if c in text), None)
