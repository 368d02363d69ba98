"""Word documents (.docx) → canonical text.

Library: python-docx (MIT; lxml underneath). The body is walked in document order
(``document.element.body``), so tables sit where Word shows them, between the
paragraphs around them; content controls (``w:sdt``) are opened.

* Paragraph text is read from its runs, including runs inside hyperlinks, fields,
  content controls and tracked insertions; deleted text and text boxes are not read.
  A tab inside a paragraph becomes a space (a tab would make the line look like a
  table row), a line break (``w:br``) ends the line.
* A paragraph is a heading when its style (or a style it is based on) is Title,
  Heading N / 标题 N, or carries an outline level; the level is recorded in
  :attr:`Canonical.headings`.
* Word's automatic numbering (``numPr``, on the paragraph or its style) is written into
  the text (:mod:`plangraph.ingest.formats.numbering`), so a heading numbered by Word
  reads ``一、总体要求`` as it shows on the page.
* Table cells: a merged cell is repeated in every grid position it covers
  (``gridSpan`` across, ``vMerge`` down), as python-docx's ``_Row.cells`` does, which is
  exactly the repeat policy of :mod:`.grid` (read without ``_Row.cells``, which a
  hostile span makes unbounded); rows that start or end early are padded with empty
  cells. A nested table's text stays inside its cell.
* Page headers and footers are page chrome and are not read.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import docx
import docx.opc.exceptions
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.styles.style import ParagraphStyle
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from plangraph.ingest import limits
from plangraph.ingest.formats.canonical import Canonical, TextBuilder, clean_cell
from plangraph.ingest.formats.errors import CorruptFileError, EmptyDocumentError, EncryptedFileError, LimitError
from plangraph.ingest.formats.numbering import Numbering
from plangraph.ingest.limits import MAX_TABLE_COLUMNS, MAX_TABLE_ROWS

_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_RUN_PARTS = etree.XPath(
    "./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:smartTag/w:r | ./w:fldSimple/w:r"
    " | ./w:sdt/w:sdtContent/w:r | ./w:hyperlink/w:ins/w:r",
    namespaces={"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"},
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_docx(data: bytes, name: str) -> Canonical:
    """Read a .docx file's bytes into canonical text (``name`` is used in messages).

    Raises:
        EncryptedFileError: a password-protected document (Word stores those as OLE files).
        CorruptFileError: not a readable .docx (damaged zip, missing parts).
        EmptyDocumentError: the body holds no text.
        LimitError: the package has too many parts, or a part inflates past its
            limit or ratio (:func:`check_package`).
    """
    if data[:8] == _OLE_MAGIC:
        raise EncryptedFileError(
            f"{name}: is an OLE compound file, not a .docx package: a password-protected "
            "document or an old .doc saved with a .docx name",
            hint="open it in Word and save it as .docx without a password")
    try:
        check_package(data, name)
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, KeyError, ValueError,
            docx.opc.exceptions.PackageNotFoundError, etree.XMLSyntaxError) as exc:
        raise CorruptFileError(f"{name}: not a readable .docx file ({type(exc).__name__}: {exc})",
                               hint="open it in Word and save it again as .docx") from None
    reader = _Reader(document)
    reader.block_items(document.element.body)
    notes = []
    if reader.numbered:
        notes.append(f"{reader.numbered} paragraph(s) numbered by Word's automatic numbering; "
                     "their numbers (一、 (一) 1.) are written into the text")
    canonical = reader.out.build("docx", notes)
    if not canonical.text.strip():
        raise EmptyDocumentError(f"{name}: the document body holds no text")
    return canonical


def check_package(data: bytes, name: str) -> None:
    """Refuse a zip bomb before python-docx inflates the package: the sizes the zip
    states first, then every part inflated a piece at a time with a running count (a
    zip can state any size; Python's zip reader trusts it and inflates a part whole).

    Raises:
        LimitError: over :data:`~plangraph.ingest.limits.MAX_ZIP_MEMBERS`, or a part over
            :data:`~plangraph.ingest.limits.MAX_ZIP_MEMBER_BYTES` (an XML part over
            :data:`~plangraph.ingest.limits.MAX_ZIP_XML_BYTES`) or the ratio
            :data:`~plangraph.ingest.limits.MAX_ZIP_RATIO`, or all parts over
            :data:`~plangraph.ingest.limits.MAX_ZIP_TOTAL_BYTES`.
        zipfile.BadZipFile: a damaged zip (a part whose size or checksum is not what
            the zip states).
    """
    def fail(what: str, value: int, limit: str, unit: str) -> LimitError:
        return LimitError(f"{name}: {what} is over the limit of {value:,}{unit} ({limit})", limit=limit,
                          hint="a plan's .docx inflates to a few MB: this one is damaged or not a plan")

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = zf.infolist()
        if len(parts) > limits.MAX_ZIP_MEMBERS:
            raise fail("its number of parts", limits.MAX_ZIP_MEMBERS, "MAX_ZIP_MEMBERS", " parts")
        total = 0
        for info in parts:
            stated = info.file_size
            xml = info.filename.lower().endswith((".xml", ".rels"))
            most, which = (limits.MAX_ZIP_XML_BYTES, "MAX_ZIP_XML_BYTES") if xml else \
                (limits.MAX_ZIP_MEMBER_BYTES, "MAX_ZIP_MEMBER_BYTES")
            if stated > most:
                raise fail(f"part {info.filename!r} ({stated:,} bytes inflated)", most, which, " bytes")
            size = 0
            with zf.open(info) as member:
                while piece := member.read(1 << 20):
                    size += len(piece)
                    total += len(piece)
                    if size > most:
                        raise fail(f"part {info.filename!r} (it inflates to more than its zip entry states)",
                                   most, which, " bytes")
                    if size > limits.ZIP_RATIO_FLOOR and size > limits.MAX_ZIP_RATIO * max(info.compress_size, 1):
                        raise fail(f"the compression ratio of part {info.filename!r} "
                                   f"({info.compress_size:,} bytes inflate to more than {size:,})",
                                   limits.MAX_ZIP_RATIO, "MAX_ZIP_RATIO", " to 1")
                    if total > limits.MAX_ZIP_TOTAL_BYTES:
                        raise fail("the inflated size of its parts together", limits.MAX_ZIP_TOTAL_BYTES,
                                   "MAX_ZIP_TOTAL_BYTES", " bytes")


class _Reader:
    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self.out = TextBuilder()
        self.numbered = 0
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            numbering = None
        self.numbering = Numbering(numbering)
        self._levels: dict[str, int | None] = {}
        self._default_style: str | None = None
        self._styles: dict[str, ParagraphStyle] = {}

    def block_items(self, parent: etree._Element) -> None:
        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                self.paragraph(Paragraph(child, self.document))
            elif child.tag == qn("w:tbl"):
                self.table(Table(child, self.document))
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    self.block_items(content)

    def paragraph(self, p: Paragraph) -> None:
        level = self.heading_level(p)
        text = paragraph_text(p._p)
        label = self.number_label(p)
        if label:
            self.numbered += 1
            text = label + text
        for line in text.split("\n"):
            self.out.line(line, level)

    def number_label(self, p: Paragraph) -> str:
        """The automatic number of a paragraph (``一、``), from its own numbering
        properties or its style's; empty when it has none."""
        ppr = p._p.pPr
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num_pr is None:
            self.heading_level(p)  # loads the styles
            style = self._styles.get((ppr.style if ppr is not None else None) or self._default_style or "")
            for _ in range(10):  # based-on chains are short; guard against loops
                if style is None:
                    break
                style_ppr = style.element.pPr
                num_pr = style_ppr.find(qn("w:numPr")) if style_ppr is not None else None
                if num_pr is not None:
                    break
                style = style.base_style
        num_id = num_pr.find(qn("w:numId")) if num_pr is not None else None
        if num_pr is None or num_id is None:
            return ""
        ilvl = num_pr.find(qn("w:ilvl"))
        level = int(ilvl.get(qn("w:val"), "0")) if ilvl is not None else 0
        return self.numbering.label(str(num_id.get(qn("w:val"))), level)

    def table(self, table: Table) -> None:
        """The table's rows on its grid, merged cells repeated as python-docx's ``_Row.cells``
        does, read here without it: it makes a list as long as a ``gridSpan`` or
        ``gridBefore`` says (a one-line ``w:gridSpan w:val="999999999"`` is gigabytes) and
        follows a vertical merge up by recursion. Rows, columns and spans are bounded by the
        table limits (:mod:`plangraph.ingest.limits`)."""
        trs = table._tbl.tr_lst
        room = MAX_TABLE_COLUMNS + 1  # one more than the limit, so that the builder reports a cut
        rows: list[list[str]] = []
        above: list[str] = []
        for tr in trs[:MAX_TABLE_ROWS]:
            row = [""] * min(tr.grid_before, room)
            for tc in tr.tc_lst:
                if len(row) >= room:
                    break
                span = max(1, min(tc.grid_span, room - len(row)))
                # a vertically merged cell's text is the one above it at the same grid position
                text = (above[len(row)] if len(row) < len(above) else "") if tc.vMerge == "continue" \
                    else cell_text(tc)
                row.extend([text] * span)
            row.extend([""] * max(0, min(tr.grid_after, room - len(row))))
            rows.append(row)
            above = row
        width = max((len(r) for r in rows), default=0)
        # a merged cell is one w:tc with gridSpan > 1 or the first of a vMerge run
        merged = sum(1 for tc in table._tbl.iter(qn("w:tc"))
                     if tc.grid_span > 1 or tc.vMerge == "restart")
        self.out.table([r + [""] * (width - len(r)) for r in rows], merged,
                       unread_rows=max(0, len(trs) - MAX_TABLE_ROWS))

    def heading_level(self, p: Paragraph) -> int | None:
        """Heading level from outline level (direct or via style) or the style name."""
        ppr = p._p.pPr
        if ppr is not None:
            lvl = ppr.find(qn("w:outlineLvl"))
            if lvl is not None:
                return _outline(lvl)
        style_id = ppr.style if ppr is not None else None  # w:pStyle/@w:val
        if not self._styles:
            # ``Paragraph.style`` looks the style up anew on every call (10x slower)
            for style in self.document.styles:
                if isinstance(style, ParagraphStyle):
                    self._styles[style.style_id] = style
                    if style.element.default:
                        self._default_style = style.style_id
        key = style_id or self._default_style or ""
        if key not in self._levels:
            style = self._styles.get(key)
            self._levels[key] = _style_level(style) if style is not None else None
        return self._levels[key]


def _outline(lvl: etree._Element) -> int | None:
    value = int(lvl.get(qn("w:val"), "9"))
    return None if value >= 9 else value + 1  # 9 means body text


def _style_level(style: ParagraphStyle) -> int | None:
    """Level of a paragraph style: Title → 1, Heading N → N (+1 when a Title exists
    is not attempted: levels are relative, the pipeline only compares them)."""
    current: ParagraphStyle | None = style
    for _ in range(10):  # based-on chains are short; guard against loops
        if current is None:
            return None
        name = (current.name or "").strip()
        if name.lower() == "title" or name == "标题":
            return 1
        m = _HEADING_NAME.match(name)
        if m:
            return int(m.group(1))
        ppr = current.element.pPr
        if ppr is not None:
            lvl = ppr.find(qn("w:outlineLvl"))
            if lvl is not None:
                return _outline(lvl)
        current = current.base_style
    return None


def paragraph_text(p: etree._Element) -> str:
    """A paragraph's visible text: runs in order, ``w:tab`` as a space, ``w:br``/``w:cr`` as a
    line break."""
    parts: list[str] = []
    for run in _RUN_PARTS(p):
        for child in run.iterchildren():
            tag = child.tag
            if tag == qn("w:t"):
                parts.append(child.text or "")
            elif tag in (qn("w:tab"), qn("w:ptab")):
                parts.append(" ")
            elif tag in (qn("w:br"), qn("w:cr")):
                parts.append("\n")
            elif tag == qn("w:noBreakHyphen"):
                parts.append("-")
            elif tag == qn("w:sym"):
                parts.append(chr(int(child.get(qn("w:char"), "20"), 16)) if child.get(qn("w:char")) else "")
    return "".join(parts)


def cell_text(tc: etree._Element) -> str:
    """A cell's text on one line: its paragraphs (and nested tables') joined by spaces."""
    texts = [paragraph_text(p) for p in tc.iter(qn("w:p"))]
    return clean_cell(" ".join(t for t in texts if t.strip()))
