"""Saved government web pages (HTML) → canonical text.

Parser: ``lxml.html`` (libxml2; BSD). lxml is already a dependency of python-docx, so
HTML costs no extra package.

What is kept and how:

* page chrome is dropped where it is recognisable: ``script``, ``style``, ``nav``,
  forms' controls, hidden elements (``display:none``, ``hidden``), and ``header`` /
  ``footer`` / ``aside`` elements or elements whose class or id names a menu, nav bar,
  breadcrumb, share bar, sidebar or footer, **unless** they look like content (hold an
  ``<h1>`` or a table, or two or more sentence ends ``。``), so a class name never
  deletes the plan. The page's info block (索引号, 发布单位 …) and its ``<h1>`` title
  are kept: plangraph's chrome stage reads the header fields as metadata.
* block elements (``p``, ``div``, ``li``, ``h1``–``h6`` …) and ``<br>`` end lines; inline
  elements join. Whitespace follows CSS: runs collapse to one space, and a source
  line break between two CJK characters disappears (CSS Text 3), so ``&nbsp;``
  indents and wrapped source lines leave no trace.
* a data table (no nested table, ≥ 2 rows and ≥ 2 columns) becomes tab-separated
  rows, merged cells repeated (:mod:`.grid`); its ``<caption>`` is a line above it.
  Any other ``<table>`` is layout: its cells are read as ordinary blocks.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING

from plangraph.errors import DecodeError
from plangraph.ingest.decode import decode_bytes
from plangraph.ingest.formats.canonical import Canonical, TextBuilder, clean_cell, is_wide
from plangraph.ingest.formats.errors import CorruptFileError, EmptyDocumentError, LimitError
from plangraph.ingest.formats.grid import SpanCell, expand
from plangraph.ingest.limits import MAX_HTML_BYTES, MAX_HTML_DEPTH, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS

if TYPE_CHECKING:
    import lxml.html

_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "frame", "frameset", "object", "embed",
    "svg", "canvas", "nav", "button", "select", "option", "input", "textarea", "head", "title",
    "map", "audio", "video", "link", "meta",
})
_GUARDED_TAGS = frozenset({"header", "footer", "aside"})
_CHROME_NAME = re.compile(
    r"^(nav|navbar|nav-bar|menu|mainnav|topnav|subnav|header|footer|foot|breadcrumbs?|crumbs?|"
    r"position|location|share|bdshare\w*|sidebar|side-bar|toolbar|tool-bar|copyright|skip|"
    r"print|fontsize|font-size|search|login|banner|gotop|go-top|backtop|top-?bar)([-_].*)?$",
    re.I,
)
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "blockquote",
    "pre", "center", "address", "figure", "figcaption", "hr", "form", "fieldset", "legend",
    "table", "tr", "caption", "body", "html", "details", "summary", "h1", "h2", "h3", "h4", "h5", "h6",
})
_HEADING = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_BREAK = "\u2028"
_WS = re.compile(r"[ \t\r\n\f]+")

_STRONG_START = re.compile(r"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<html)", re.I | re.S)
_STRUCT_TAG = re.compile(r"<(head|body|meta\s|title)[\s>]", re.I)
_BLOCK_PAIR = re.compile(r"</(p|div|td|tr|li|span|table|h[1-6])\s*>", re.I)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` (e.g. a ``.txt`` file's content) is really an HTML page.

    True when it starts with a doctype or ``<html>``, names ``<head>``/``<body>``/
    ``<meta>``/``<title>`` in its first 4 000 characters, or closes at least ten
    common block tags there. Plan prose with a stray ``<`` or ``《…》`` does not match.
    """
    head = text[:4000]
    if _STRONG_START.match(head):
        return True
    if len(_STRUCT_TAG.findall(head)) >= 2:
        return True
    return len(_BLOCK_PAIR.findall(head)) >= 10


def decode_html(data: bytes, name: str) -> tuple[str, str]:
    """Bytes of a saved page → (text, encoding): a BOM, then the page's own
    ``<meta charset>`` (gb2312/gbk read as GB18030, their superset, since such pages
    routinely hold GB18030-only characters), then UTF-8 and GB18030 as for text files."""
    m = _CHARSET.search(data[:4096])
    if m and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        try:
            codec = codecs.lookup(m.group(1).decode("ascii", "replace")).name
        except LookupError:
            codec = ""
        codec = "gb18030" if codec in ("gb2312", "gbk", "euc_cn", "hz") else codec
        if codec:
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                pass  # the page lies about its charset: fall back to detection
    decoded = decode_bytes(data, name)
    return decoded.text, decoded.encoding


def read_html(data: bytes, name: str, findings: list[str] | None = None) -> Canonical:
    """Read a saved HTML page (any encoding it declares) into canonical text.

    Raises:
        CorruptFileError: undecodable or unparsable.
        EmptyDocumentError: no text left once page chrome is removed.
        LimitError: over :data:`~plangraph.ingest.limits.MAX_HTML_BYTES` (checked
            before it is parsed) or nested deeper than
            :data:`~plangraph.ingest.limits.MAX_HTML_DEPTH`.
    """
    if len(data) > MAX_HTML_BYTES:
        raise LimitError(f"{name}: {len(data):,} bytes of HTML is over the limit of {MAX_HTML_BYTES:,} bytes "
                         "(MAX_HTML_BYTES)", limit="MAX_HTML_BYTES",
                         hint="a saved plan page is 50 KB-2 MB: save the page that shows the plan alone")
    try:
        text, encoding = decode_html(data, name)
    except DecodeError as exc:
        raise CorruptFileError(exc.message, hint=exc.hint) from None
    notes = list(findings or [])
    if encoding not in ("utf-8", "utf-8-sig"):
        notes.append(f"decoded as {encoding}")
    return html_to_canonical(text, name, notes, encoding=encoding)


def html_to_canonical(text: str, name: str, findings: list[str] | None = None, *,
                      encoding: str | None = None) -> Canonical:
    """Turn an HTML document (already decoded) into canonical text; ``name`` is used in
    messages."""
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(_XML_DECL.sub("", text))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise CorruptFileError(f"{name}: not a readable HTML page ({exc})") from None
    _check_depth(root, name)
    walker = _Walker()
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    notes = list(findings or [])
    if walker.dropped:
        what = ", ".join(f"{n} {k}" for k, n in sorted(walker.dropped.items()))
        notes.append(f"page chrome removed: {what}")
    if walker.layout_tables:
        notes.append(f"{walker.layout_tables} layout table(s) read as text, not as tables")
    canonical = walker.out.build("html", notes, encoding=encoding)
    if not canonical.text.strip():
        raise EmptyDocumentError(
            f"{name}: no text left after removing page chrome (menus, scripts, header, footer)",
            hint="save the page that shows the plan itself, not a list or search page")
    return canonical


def _check_depth(root: lxml.html.HtmlElement, name: str) -> None:
    """Refuse a page nested deeper than :data:`~plangraph.ingest.limits.MAX_HTML_DEPTH`
    (counted without recursion, before the walker recurses through the tree)."""
    import lxml.etree

    depth = 0
    for event, _ in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_HTML_DEPTH:
            raise LimitError(f"{name}: the nesting of its elements is over the limit of {MAX_HTML_DEPTH} levels "
                             "(MAX_HTML_DEPTH)", limit="MAX_HTML_DEPTH",
                             hint="the HTML parser drops what lies deeper than 255 levels, so the page "
                                  "would be read in part; save the page that shows the plan alone")


def _attr_names(el: lxml.html.HtmlElement) -> Iterator[str]:
    yield from (el.get("class") or "").split()
    if el.get("id"):
        yield el.get("id", "")


def _looks_like_content(el: lxml.html.HtmlElement) -> bool:
    if el.find(".//h1") is not None or el.find(".//table") is not None:
        return True
    return str(el.text_content()).count("。") >= 2


@dataclass
class _Walker:
    out: TextBuilder = field(default_factory=TextBuilder)
    buf: list[str] = field(default_factory=list)
    heading: int | None = None
    dropped: dict[str, int] = field(default_factory=dict)
    layout_tables: int = 0

    # -- lines -------------------------------------------------------------------
    def text(self, s: str | None) -> None:
        if s:
            self.buf.append(s)

    def flush(self) -> None:
        line = _collapse("".join(self.buf))
        self.buf = []
        self.out.line(line, self.heading if line.strip() else None)

    # -- tree --------------------------------------------------------------------
    def _drop_reason(self, el: lxml.html.HtmlElement) -> str | None:
        tag = str(el.tag)
        if tag in _DROP_TAGS:
            return tag
        if el.get("hidden") is not None or _HIDDEN.search(el.get("style") or ""):
            return "hidden"
        guarded = tag in _GUARDED_TAGS or any(_CHROME_NAME.match(n) for n in _attr_names(el))
        if guarded and not _looks_like_content(el):
            return tag if tag in _GUARDED_TAGS else "chrome block"
        return None

    def walk(self, el: lxml.html.HtmlElement) -> None:
        for child in el:
            if not isinstance(child.tag, str):  # comment, processing instruction
                self.text(child.tail)
                continue
            reason = self._drop_reason(child)
            if reason is not None:
                self.dropped[reason] = self.dropped.get(reason, 0) + 1
                self.text(child.tail)
                continue
            tag = child.tag
            if tag == "br":
                self.flush()
            elif tag == "table":
                self.flush()
                self.table(child)
            elif tag in _BLOCK_TAGS or tag in ("td", "th"):
                self.flush()
                outer = self.heading
                self.heading = _HEADING.get(tag, outer)
                self.text(child.text)
                self.walk(child)
                self.flush()
                self.heading = outer
            else:
                self.text(child.text)
                self.walk(child)
            self.text(child.tail)

    # -- tables ------------------------------------------------------------------
    def table(self, table: lxml.html.HtmlElement) -> None:
        found = _rows(table)
        rows = [cells[:MAX_TABLE_COLUMNS + 1] for cells in islice(found, MAX_TABLE_ROWS)]  # bounded: see limits
        unread = sum(1 for _ in found)
        width = max((sum(_span(c, "colspan") for c in cells) for cells in rows), default=0)
        nested = table.find(".//table") is not None
        if nested or len(rows) < 2 or width < 2:
            self.layout_tables += 1
            self.text(table.text)
            self.walk(table)
            self.flush()
            return
        caption = table.find("caption")
        if caption is not None:
            self.out.line(_collapse(_cell_text(caption)))
        grid = expand([[SpanCell(_cell_text(c), _span(c, "rowspan", 0), _span(c, "colspan"))
                        for c in cells] for cells in rows])
        self.out.table(grid.rows, grid.merged, unread_rows=unread)


def _rows(table: lxml.html.HtmlElement) -> Iterator[list[lxml.html.HtmlElement]]:
    """The table's own rows in document order (not those of nested tables)."""
    for child in table:
        if child.tag == "tr":
            yield [c for c in child if c.tag in ("td", "th")]
        elif child.tag in ("thead", "tbody", "tfoot"):
            for tr in child:
                if tr.tag == "tr":
                    yield [c for c in tr if c.tag in ("td", "th")]


def _span(cell: lxml.html.HtmlElement, attr: str, zero: int = 1) -> int:
    """A rowspan/colspan attribute as an int; junk reads as 1, ``0`` as ``zero``."""
    m = re.match(r"\s*(\d+)", cell.get(attr) or "")
    if not m:
        return 1
    n = int(m.group(1))
    return zero if n == 0 else n


def _cell_text(cell: lxml.html.HtmlElement) -> str:
    """A cell's visible text on one line: blocks and ``<br>`` become spaces."""
    parts: list[str] = []

    def visit(el: lxml.html.HtmlElement) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                parts.append(child.tail or "")
                continue
            if child.tag in _DROP_TAGS or _HIDDEN.search(child.get("style") or ""):
                parts.append(child.tail or "")
                continue
            # an explicit break is a space even between CJK characters, unlike a
            # source line wrap; U+2028 keeps it apart from wraps until collapsing is done
            block = child.tag == "br" or child.tag in _BLOCK_TAGS
            if block:
                parts.append(_BREAK)
            parts.append(child.text or "")
            visit(child)
            if block:
                parts.append(_BREAK)
            parts.append(child.tail or "")

    parts.append(cell.text or "")
    visit(cell)
    return clean_cell(_collapse("".join(parts)).replace(_BREAK, " "))


def _collapse(s: str) -> str:
    """CSS white-space collapsing; a run holding a source line break disappears
    when a CJK character is on **either** side of it.

    CSS Text 3 removes it only between two wide characters; Chinese editors wrap
    source lines anywhere (``17\n所``, ``(幼儿园\n)``), and a space beside a CJK
    character carries no meaning in these texts, so the wider rule is used.
    """
    def repl(m: re.Match[str]) -> str:
        run = m.group(0)
        if "\n" in run or "\r" in run:
            before = s[m.start() - 1] if m.start() else ""
            after = s[m.end()] if m.end() < len(s) else ""
            if is_wide(before) or is_wide(after):
                return ""
        return " "
    return _WS.sub(repl, s)
