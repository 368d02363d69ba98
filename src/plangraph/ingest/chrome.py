"""Page chrome: what a scraped page adds around the plan text.

Recognises the page header (索引号, 发布单位, 发文日期 … and the 日期:/来源:/浏览量: block),
the footer (分享, 字体, 打印 …), a second copy of the whole text that a page repeated,
and a table of contents. Nothing is deleted: each stretch is returned as an
:class:`~plangraph.model.Excluded` span, and the header's key/value pairs are kept as
metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plangraph.ingest.layout import Line, match_heading
from plangraph.model import Excluded, Finding

HEADER_KEYS = (
    "索引号", "公开方式", "公开形式", "公开范围", "公开时限", "发布单位", "发文日期",
    "统一编号", "有效性", "发布时间", "信息来源", "日期", "来源", "浏览量", "发布机构",
    "成文日期", "文号", "主题分类", "组配分类", "体裁分类",
)
_KEY_RE = re.compile("(" + "|".join(sorted(HEADER_KEYS, key=len, reverse=True)) + r")\s*[:：]?\s*")
_FOOTER_RE = re.compile(r"^(分享|字体|打印|关闭|收藏|返回顶部|扫一扫|\[|\]|【|】|大|中|小)[\s:：\[\]【】大中小]*$")
_TOC_RE = re.compile(r"^目\s*录$")
MIN_COPY_LINES = 20
MAX_HEADER_LINE_CHARS = 200
"""A header line is a few fields (~40 characters); a longer line that starts with 日期 or
来源 is text (a plan whose line breaks were lost would otherwise be all header)."""


@dataclass(frozen=True)
class Chrome:
    """What :func:`strip_chrome` found."""

    body: list[Line]
    excluded: list[Excluded]
    header: list[tuple[str, str]]
    findings: list[Finding]


def _header_pairs(text: str) -> list[tuple[str, str]] | None:
    """Key/value pairs when the whole line is header fields, else None."""
    if len(text) > MAX_HEADER_LINE_CHARS:
        return None
    matches = list(_KEY_RE.finditer(text))
    if not matches or matches[0].start() != 0:
        return None
    pairs = []
    for m, nxt in zip(matches, matches[1:] + [None]):
        value = text[m.end(): nxt.start() if nxt else len(text)].strip()
        pairs.append((m.group(1), value))
    return pairs


def _is_header_value(line: Line) -> bool:
    return len(line.text) <= 30 and match_heading(line.text) is None and "。" not in line.text


def _header_block(lines: list[Line], start: int) -> tuple[int, list[tuple[str, str]], list[int]]:
    """Scan a header block from ``start``; returns (end index, pairs, title line indexes).

    A title line inside the block (short, no sentence end) is not header, and is
    reported so that the caller can keep it.
    """
    pairs: list[tuple[str, str]] = []
    titles: list[int] = []
    i = start
    pending_key: str | None = None
    while i < len(lines):
        line = lines[i]
        found = _header_pairs(line.text)
        if found is not None:
            pairs.extend((k, v) for k, v in found if v)
            # "日期:" alone on a line takes its value from the next line; a row of
            # empty fields ("统一编号 有效性") does not
            single = len(found) == 1 and not found[0][1] and line.text.endswith((":", "："))
            pending_key = found[0][0] if single else None
            i += 1
            continue
        if pending_key and _is_header_value(line):
            pairs.append((pending_key, line.text))
            pending_key = None
            i += 1
            continue
        if not pairs:
            break
        if len(line.text) <= 40 and "。" not in line.text and match_heading(line.text) is None and not titles:
            titles.append(i)
            i += 1
            continue
        break
    return i, pairs, titles


def _footer_end(lines: list[Line], start: int) -> int:
    i = start
    while i < len(lines) and _FOOTER_RE.match(lines[i].text):
        i += 1
    return i


def _span(lines: list[Line], a: int, b: int) -> tuple[int, int]:
    return lines[a].start, lines[b - 1].end


def strip_chrome(lines: list[Line]) -> Chrome:
    """Split ``lines`` into plan body and excluded chrome."""
    excluded: list[Excluded] = []
    findings: list[Finding] = []
    header: list[tuple[str, str]] = []
    keep = [True] * len(lines)

    def exclude(a: int, b: int, kind: str, note: str = "") -> None:
        if b <= a:
            return
        s, e = _span(lines, a, b)
        excluded.append(Excluded(kind, s, e, note))  # type: ignore[arg-type]
        for k in range(a, b):
            keep[k] = False

    i = 0
    while i < len(lines):
        if _header_pairs(lines[i].text) is not None:
            end, pairs, titles = _header_block(lines, i)
            if len(pairs) >= 2:
                if not header:
                    header = pairs
                    # the title stays in the body; the fields around it are header
                    cut = titles[0] if titles else end
                    exclude(i, cut, "page_header", "page header fields")
                    exclude(cut + 1, end, "page_header", "page header fields")
                else:
                    exclude(i, end, "page_header", "repeated page header and title")
                i = end
                continue
        if _FOOTER_RE.match(lines[i].text) and lines[i].text.startswith(("分享", "字体", "打印")):
            end = _footer_end(lines, i)
            exclude(i, end, "page_footer", "page footer")
            i = end
            continue
        i += 1

    body_idx = [k for k in range(len(lines)) if keep[k]]
    dup = _second_copy(lines, body_idx)
    if dup is not None:
        a, b = dup
        # exclude the second copy (and any chrome between is already out)
        for k in body_idx[a:b]:
            keep[k] = False
        s, e = lines[body_idx[a]].start, lines[body_idx[b - 1]].end
        excluded.append(Excluded("duplicate_copy", s, e, "second copy of the whole text"))
        findings.append(Finding(
            "info", "duplicate-copy",
            f"the text appears twice ({b - a} lines repeated); the second copy is kept out",
            s, e,
        ))
    excluded.sort(key=lambda x: x.start)
    body = [lines[k] for k in range(len(lines)) if keep[k]]
    return Chrome(body, excluded, header, findings)


def _second_copy(lines: list[Line], idx: list[int]) -> tuple[int, int] | None:
    """Positions [a, b) in ``idx`` of a whole second copy of the body, if there is one.

    A copy is a run of at least ``MIN_COPY_LINES`` lines (and at least 90 % of the text
    before it) that repeats the body from its start. Shorter repeats, such as a
    sentence a plan legitimately says twice, are never touched.
    """
    texts = [lines[k].text for k in idx]
    n = len(texts)
    if n < 2 * MIN_COPY_LINES:
        return None
    for s in range(min(5, n)):  # the copy may start after a title kept only once
        for j in range(s + MIN_COPY_LINES, n):
            if texts[j] != texts[s]:
                continue
            run = 0
            while j + run < n and s + run < j and texts[s + run] == texts[j + run]:
                run += 1
            if run >= MIN_COPY_LINES and run >= 0.9 * (j - s):
                return j, j + run
    return None


def find_toc(lines: list[Line]) -> tuple[int, int] | None:
    """Positions [a, b) of a table of contents: a 目录 line and the short heading
    lines after it, up to the first line of running text."""
    for i, line in enumerate(lines[:200]):
        if not _TOC_RE.match(line.text):
            continue
        j = i + 1
        while j < len(lines) and len(lines[j].text) <= 40 and "。" not in lines[j].text:
            if j > i + 1 and lines[j].text == lines[i + 1].text:
                break  # the first entry again: the body has begun
            j += 1
        if j - i >= 4:
            # entries that are not themselves headings (序言, 实施) still belong to it
            return i, j
    return None
