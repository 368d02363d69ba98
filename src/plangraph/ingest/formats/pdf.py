"""PDF plans (with a text layer) → canonical text and a page map.

Library: pdfplumber (MIT, on pdfminer.six, MIT). Per page:

* **Tables** come from pdfplumber's table finder with its default ``lines`` strategy:
  a ruled grid (the usual government table) is found from its drawn lines, cells by
  the rectangles they enclose. A position that no cell starts in belongs to a merged
  cell; it gets that cell's text (the repeat policy of :mod:`.grid`). Unruled
  tables are not found: their text comes out as lines.
* **Text** outside tables is read as lines (characters grouped by baseline), in
  top-to-bottom order with the tables. Lines are joined back into paragraphs: a line
  continues the previous one when the previous line runs to the right margin, this one
  starts at the left margin (no first-line indent), both have the same type size and
  the gap between them is a line gap; the join adds no space next to a CJK character.
  A paragraph that runs over a page break is joined too (the page map then points into
  the middle of that line).
* **Headings**: lines set larger than the body type are headings; sizes rank levels.
* **Page chrome**: lines in the top or bottom margin band that repeat on most pages
  once digits are masked (``— 3 —``, running titles) are dropped.
* A table that continues on the next page and repeats its header row there loses the
  repeated row, so its rows stay one block of tab-separated lines.

No text layer: a page with images but no characters is a scan. Scans are read by OCR
(:mod:`.ocr`, the ``ocr`` extra): their lines become blocks like those of the text layer
(type size from the box height), and :attr:`Canonical.ocr` says which lines of the text
came from which box. Without the engine, a file where every page is a scan raises
:class:`NoTextLayerError`; a few such pages are findings. Text that is mostly ``(cid:N)``
(fonts without a Unicode map) raises the same error.
"""

from __future__ import annotations

import dataclasses
import io
import re
import statistics
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import pdfplumber
from pdfplumber.page import Page
from pdfplumber.pdf import PDF
from pdfplumber.table import Table
from pdfplumber.utils.exceptions import PdfminerException

from plangraph.ingest.formats import ocr
from plangraph.ingest.formats.canonical import Canonical, TextBuilder, clean_cell, join_wrapped
from plangraph.ingest.formats.errors import (CorruptFileError, EmptyDocumentError, EncryptedFileError, LimitError,
                                             NoTextLayerError)
from plangraph.ingest import limits
from plangraph.ingest.limits import MAX_PDF_PAGE_OBJECTS, MAX_PDF_PAGES
from plangraph.ingest.formats.pdfguard import Budget, BusyPageError, bounded, check_page_content, check_page_tree

MARGIN_BAND = 0.08
"""Fraction of the page height at top and bottom where running headers/footers live."""
_CID = re.compile(r"\(cid:\d+\)")


@dataclass(frozen=True)
class _Line:
    page: int
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    gapped: bool = False
    """Words set apart by wide gaps: a row of an unruled table, never part of a paragraph."""


@dataclass(frozen=True)
class _Tab:
    page: int
    top: float
    rows: tuple[tuple[str, ...], ...]
    merged: int


def read_pdf(data: bytes, name: str) -> Canonical:
    """Read a PDF's text layer into canonical text with a page map (``name`` is used in
    messages).

    Raises:
        EncryptedFileError: the PDF needs a password to open.
        CorruptFileError: not a readable PDF.
        NoTextLayerError: no page has text (a scan) and the OCR engine is not installed,
            or the text is unreadable glyph ids.
        EmptyDocumentError: no pages, or pages with neither text nor images.
        LimitError: a stream inflates past its limit, the page tree or the nesting of
            objects is too deep, too many pages (:mod:`plangraph.ingest.limits`).
    """
    with bounded(name) as budget:
        try:
            pdf = pdfplumber.open(io.BytesIO(data))
        except PdfminerException as exc:
            inner = exc.args[0] if exc.args else exc
            if isinstance(inner, LimitError):
                raise inner from None
            if type(inner).__name__ in ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"):
                raise EncryptedFileError(f"{name}: the PDF is encrypted and needs a password to open",
                                         hint="save an unprotected copy (print to PDF) and ingest that") from None
            raise CorruptFileError(f"{name}: not a readable PDF ({type(inner).__name__}: {inner})") from None
        try:
            check_page_tree(pdf.doc, budget)
            return _read(pdf, name, budget, data)
        except PdfminerException as exc:
            inner = exc.args[0] if exc.args else exc
            if isinstance(inner, LimitError):
                raise inner from None
            raise CorruptFileError(f"{name}: damaged PDF content ({exc})") from None
        except (ValueError, KeyError, IndexError, TypeError, AssertionError, EOFError, zlib.error,
                RecursionError) as exc:
            # pdfminer meets a damaged object stream with whatever error the parsing step raises
            raise CorruptFileError(f"{name}: damaged PDF content ({type(exc).__name__}: {exc})",
                                   hint="open it in a PDF viewer and save or print it to a new PDF") from None
        finally:
            _close(pdf)


def _close(pdf: PDF) -> None:
    """Let go of the pages read. Not ``pdf.close()``: that enumerates the pages of a PDF
    never read (a page tree too deep to walk raised again on the way out); the file is
    in memory, so nothing else needs closing."""
    try:
        pdf.flush_cache()
        for page in getattr(pdf, "_pages", ()):
            page.close()
    except Exception:  # noqa: BLE001  (cleanup of a PDF already reported or read)
        pass


def _read(pdf: PDF, path: str, budget: Budget, data: bytes) -> Canonical:
    findings: list[str] = []
    if pdf.doc.encryption is not None:
        findings.append("the PDF is encrypted with an empty user password; its text was read")
    if not pdf.pages:
        raise EmptyDocumentError(f"{path}: the PDF has no pages")
    if len(pdf.pages) > MAX_PDF_PAGES:  # a PDF without a page tree: its pages were found by a scan
        raise budget.fail("its number of pages", MAX_PDF_PAGES, "MAX_PDF_PAGES", " pages")
    pages: list[list[_Line | _Tab]] = []
    no_text: list[int] = []
    scanned: list[int] = []
    scans: list[ocr.Scan] = []
    busy: list[int] = []
    for n, page in enumerate(pdf.pages, start=1):
        check_page_content(page.page_obj, n, budget)
        budget.start_page()
        try:
            if not page.chars:
                if page.images:
                    scanned.append(n)
                    scans.append(ocr.Scan(n, float(page.width), float(page.height), ocr.image_pixels(page)))
                else:
                    no_text.append(n)
                pages.append([])
                continue
            pages.append(_page_blocks(page, n))
        except (BusyPageError, PdfminerException) as exc:
            if not isinstance(exc, BusyPageError) and not (exc.args and isinstance(exc.args[0], BusyPageError)):
                raise  # pdfplumber wraps what its layout raises
            busy.append(n)
            pages.append([])
        finally:
            page.close()  # its layout objects (about 1 KB a character) are not needed again
    scan = ocr.read_scans(data, scans) if scans else None
    if scan is not None:
        for n, blocks in _ocr_blocks(scan.lines).items():
            pages[n - 1] = blocks
        scanned = [n for n in scanned if n not in scan.read]
    total = sum(len(b) for b in pages)
    if total == 0:
        if busy:
            raise budget.fail(f"what page(s) {_ranges(busy)} draw", MAX_PDF_PAGE_OBJECTS, "MAX_PDF_PAGE_OBJECTS",
                              " operands and operators a page")
        if scan is not None and scan.too_large:
            raise budget.fail(f"what the images of scanned page(s) {_ranges(scan.too_large)} hold",
                              limits.MAX_OCR_IMAGE_PIXELS, "MAX_OCR_IMAGE_PIXELS", " pixels a page")
        if scan is not None and scan.late:
            raise budget.fail("the time its OCR takes", int(limits.MAX_OCR_SECONDS), "MAX_OCR_SECONDS", " s")
        if scan is not None and scan.missing:
            raise NoTextLayerError(
                f"{path}: no text layer: {len(scanned)} of {len(pdf.pages)} page(s) are images only "
                f"(a scanned document) and {scan.missing}",
                hint=f"{ocr.INSTALL_HINT} to read scans, or run OCR on it first (e.g. ocrmypdf --language chi_sim) "
                     "and ingest the result")
        raise EmptyDocumentError(f"{path}: the PDF's pages hold no text")
    text_chars = "".join(b.text for bs in pages for b in bs if isinstance(b, _Line))
    cids = sum(len(m) for m in _CID.findall(text_chars))
    if text_chars and cids / len(text_chars) > 0.3:
        raise NoTextLayerError(f"{path}: the text layer is unreadable: its fonts map glyphs to no "
                               "characters ((cid:N) codes)", hint="run OCR on it first")
    if busy:
        findings.append(f"page(s) {_ranges(busy)} skipped: each draws more than {MAX_PDF_PAGE_OBJECTS:,} operands "
                        "and operators (MAX_PDF_PAGE_OBJECTS, a map or a drawing bomb); their text is missing")
    if scan is not None:
        findings.extend(_scan_findings(scan))
        if scan.missing and scanned:
            findings.append(f"page(s) {_ranges(scanned)} are images without text (scanned) and {scan.missing}; "
                            f"their content is missing ({ocr.INSTALL_HINT} reads them)")
    if no_text:
        findings.append(f"page(s) {_ranges(no_text)} hold no text")
    dropped = _drop_running_chrome(pages, [p.height for p in pdf.pages])
    if dropped:
        findings.append(f"{dropped} running header/footer line(s) (page numbers) removed")
    doc = _assemble(pages, findings)
    return dataclasses.replace(doc, ocr=ocr.spans(doc, scan.lines)) if scan is not None and scan.lines else doc


def _scan_findings(scan: ocr.ScanRead) -> list[str]:
    out = []
    if scan.read:
        out.append(f"page(s) {_ranges(scan.read)} are scans read by OCR ({ocr.ENGINE}): {len(scan.lines)} line(s), "
                   f"mean confidence {ocr.mean_confidence(scan.lines):.2f}; their text may hold misread characters")
    if scan.too_large:
        out.append(f"page(s) {_ranges(scan.too_large)} not read by OCR: their images hold more than "
                   f"{limits.MAX_OCR_IMAGE_PIXELS:,} pixels (MAX_OCR_IMAGE_PIXELS); their content is missing")
    if scan.late:
        out.append(f"page(s) {_ranges(scan.late)} not read by OCR: the OCR of this PDF took more than "
                   f"{limits.MAX_OCR_SECONDS:,.0f} s (MAX_OCR_SECONDS); their content is missing")
    out.extend(scan.notes)
    return out


def _ocr_blocks(lines: Sequence[ocr.OcrLine]) -> dict[int, list[_Line | _Tab]]:
    """OCR lines as the blocks of their pages: a line of several cells is a table row
    (consecutive rows one table); a line's type size is its box height, snapped to the
    body's where it is within a fifth of it, so wrapped lines of a paragraph join."""
    single = [ln.height for ln in lines if len(ln.cells) == 1]
    body = statistics.median(single) if single else 0.0
    out: dict[int, list[_Line | _Tab]] = {}
    for ln in lines:
        blocks = out.setdefault(ln.page, [])
        if len(ln.cells) > 1:
            last = blocks[-1] if blocks else None
            if isinstance(last, _Tab):
                blocks[-1] = _Tab(last.page, last.top, last.rows + (ln.cells,), 0)
            else:
                blocks.append(_Tab(ln.page, ln.top, (ln.cells,), 0))
            continue
        size = body if abs(ln.height - body) <= 0.2 * body else float(round(ln.height))
        blocks.append(_Line(ln.page, ln.text, ln.x0, ln.x1, ln.top, ln.bottom, size))
    return out


def _page_blocks(page: Page, n: int) -> list[_Line | _Tab]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, object]) -> bool:
        cx = (float(obj["x0"]) + float(obj["x1"])) / 2  # type: ignore[arg-type]
        cy = (float(obj["top"]) + float(obj["bottom"])) / 2  # type: ignore[arg-type]
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    blocks: list[_Line | _Tab] = []
    for line in text_page.extract_text_lines(return_chars=True, strip=True):
        text = line["text"].strip()
        if not text:
            continue
        size = statistics.median(c["size"] for c in line["chars"])
        chars = line["chars"]
        gapped = any(b["x0"] - a["x1"] > 1.5 * size for a, b in zip(chars, chars[1:]))
        blocks.append(_Line(n, text, line["x0"], line["x1"], line["top"], line["bottom"], round(size, 1), gapped))
    for table in tables:
        rows, merged = _table_rows(table)
        if rows:
            blocks.append(_Tab(n, table.bbox[1], rows, merged))
    blocks.sort(key=lambda b: b.top)
    return blocks


def _table_rows(table: Table) -> tuple[tuple[tuple[str, ...], ...], int]:
    """Cell texts on the table's grid, merged cells repeated.

    pdfplumber's rows are the distinct cell tops and its columns the distinct cell
    lefts; a grid position no cell starts at belongs to the cell covering its centre.
    """
    extracted = table.extract()
    cells = table.cells
    tops = sorted({round(c[1], 1) for c in cells}) + [table.bbox[3]]
    lefts = sorted({round(c[0], 1) for c in cells}) + [table.bbox[2]]
    text_of: dict[tuple[float, float, float, float], str] = {}
    for r, row in enumerate(table.rows):
        for c, bbox in enumerate(row.cells):
            if bbox is not None and r < len(extracted) and c < len(extracted[r]):
                text_of[bbox] = _cell(extracted[r][c])
    out: list[tuple[str, ...]] = []
    merged: set[tuple[float, float, float, float]] = set()
    for r, row in enumerate(table.rows):
        values = []
        for c, bbox in enumerate(row.cells):
            if bbox is None and r + 1 < len(tops) and c + 1 < len(lefts):
                x = (lefts[c] + lefts[c + 1]) / 2
                y = (tops[r] + tops[r + 1]) / 2
                bbox = next((b for b in cells if b[0] <= x <= b[2] and b[1] <= y <= b[3]), None)
                if bbox is not None:
                    merged.add(bbox)
            values.append(text_of.get(bbox, "") if bbox is not None else "")
        out.append(tuple(values))
    return tuple(out), len(merged)


def _cell(text: str | None) -> str:
    """A PDF cell's lines are wraps, not breaks: joined like paragraph lines."""
    return clean_cell(join_wrapped((text or "").split("\n")))


def _mask(text: str) -> str:
    return re.sub(r"\d+", "#", text.replace(" ", ""))


def _drop_running_chrome(pages: list[list[_Line | _Tab]], heights: Sequence[float]) -> int:
    """Remove margin-band lines whose digit-masked text recurs on most pages (≥ 2)."""
    def in_band(b: _Line | _Tab, h: float) -> bool:
        return isinstance(b, _Line) and (b.bottom < h * MARGIN_BAND or b.top > h * (1 - MARGIN_BAND))

    counts: Counter[str] = Counter()
    for blocks, h in zip(pages, heights):
        counts.update({_mask(b.text) for b in blocks if in_band(b, h) and isinstance(b, _Line)})
    with_text = sum(1 for b in pages if b)
    need = max(2, (with_text + 1) // 2)
    running = {k for k, v in counts.items() if v >= need}
    dropped = 0
    for i, (blocks, h) in enumerate(zip(pages, heights)):
        keep = [b for b in blocks if not (in_band(b, h) and isinstance(b, _Line) and _mask(b.text) in running)]
        dropped += len(blocks) - len(keep)
        pages[i] = keep
    return dropped


def _assemble(pages: list[list[_Line | _Tab]], findings: list[str]) -> Canonical:
    lines = [b for bs in pages for b in bs if isinstance(b, _Line)]
    sizes: Counter[float] = Counter()
    for ln in lines:
        sizes[ln.size] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 0.0
    body_lines = [ln for ln in lines if abs(ln.size - body) < 0.6] or lines
    right = _percentile([ln.x1 for ln in body_lines], 0.95)
    left = _percentile([ln.x0 for ln in body_lines], 0.05)
    heading_sizes = sorted({ln.size for ln in lines if ln.size >= body * 1.1}, reverse=True)
    level = {s: i + 1 for i, s in enumerate(heading_sizes)}

    out = TextBuilder()
    prev: _Line | _Tab | None = None
    repeated_headers = 0
    for blocks in pages:
        out.page()
        for b in blocks:
            if isinstance(b, _Tab):
                rows = b.rows
                if (isinstance(prev, _Tab) and prev.page == b.page - 1 and rows and prev.rows
                        and len(rows[0]) == len(prev.rows[0]) and rows[0] == _header_of(prev)):
                    rows = rows[1:]
                    repeated_headers += 1
                out.table(rows, b.merged)
                prev = _Tab(b.page, b.top, _with_header(prev, b), b.merged)
                continue
            heading = level.get(b.size)
            if isinstance(prev, _Line) and heading is None and _continues(prev, b, body, left, right, level):
                out.append_to_last(b.text)
            else:
                out.line(b.text, heading)
            prev = b
    if repeated_headers:
        findings.append(f"{repeated_headers} table header row(s) repeated after a page break removed")
    return out.build("pdf", findings)


def _header_of(tab: _Tab) -> tuple[str, ...]:
    return tab.rows[0]


def _with_header(prev: _Line | _Tab | None, cur: _Tab) -> tuple[tuple[str, ...], ...]:
    """Remember the first header of a table that runs over pages."""
    if isinstance(prev, _Tab) and prev.page == cur.page - 1 and prev.rows and cur.rows \
            and cur.rows[0] == prev.rows[0]:
        return prev.rows[:1] + cur.rows[1:]
    return cur.rows


def _continues(prev: _Line, cur: _Line, body: float, left: float, right: float, level: dict[float, int]) -> bool:
    if prev.size in level or abs(prev.size - cur.size) > 0.6 or prev.gapped or cur.gapped:
        return False
    if prev.x1 < right - 2 * cur.size:  # previous line stops short: paragraph end
        return False
    if cur.x0 > left + 0.5 * cur.size:  # first-line indent or centred: a new block
        return False
    if cur.page == prev.page:
        return 0 <= cur.top - prev.bottom <= 0.9 * cur.size
    return cur.page == prev.page + 1


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def _ranges(pages: Sequence[int]) -> str:
    out, start = [], None
    for i, p in enumerate(pages):
        if start is None:
            start = p
        if i + 1 == len(pages) or pages[i + 1] != p + 1:
            out.append(str(start) if start == p else f"{start}-{p}")
            start = None
    return ", ".join(out)
