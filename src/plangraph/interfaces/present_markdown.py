"""Quotes as Streamlit markdown: escaped, marked where the query's terms occur, set in
their context. Plain functions, tested without a browser."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Characters Streamlit markdown would read as formatting (``$`` starts LaTeX).
_MARKDOWN_SPECIAL = "\\`*_{}[]<>()#+-.!|~$:"


def escape_markdown(text: str) -> str:
    """``text`` with every markdown control character backslash-escaped."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)


def blockquote(text: str) -> str:
    """A markdown blockquote keeping each non-empty line of ``text`` as a paragraph."""
    lines = [escape_markdown(line.strip()) for line in text.splitlines() if line.strip()]
    return "\n>\n".join(f"> {line}" for line in lines) or "> …"


def highlight(text: str, terms: Sequence[str]) -> str:
    """``text`` as escaped markdown, with every occurrence of ``terms`` in colour."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        for m in re.finditer(re.escape(term), text):
            if not any(m.start() < e and s < m.end() for s, e in spans):
                spans.append((m.start(), m.end()))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):  # words side by side are marked as one run
        if merged and merged[-1][1] == start:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    out, pos = [], 0
    for start, end in merged:
        out.append(escape_markdown(text[pos:start]))
        out.append(f":orange[{escape_markdown(text[start:end])}]")
        pos = end
    out.append(escape_markdown(text[pos:]))
    return "".join(out)


def quote_in_context(quote: str, before: str = "", after: str = "", terms: Sequence[str] = ()) -> str:
    """A markdown blockquote of ``quote`` in bold with query terms marked, between the
    text before and after it in grey."""
    flat = [line.strip() for line in quote.splitlines() if line.strip()]
    parts = []
    if before.strip():
        parts.append(f":gray[{escape_markdown(' '.join(before.split()))}]")
    parts.extend(f"**{highlight(line, terms)}**" for line in flat)
    if after.strip():
        parts.append(f":gray[{escape_markdown(' '.join(after.split()))}]")
    return "\n>\n".join(f"> {p}" for p in parts) or "> …"
