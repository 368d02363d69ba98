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
from collections.abc import Sequence

import pdfplumber
from pdfplumber.page import Page
from pdfplumber.pdf import PDF
from pdfplumber.table import Table
from pdfplumber.utils.exceptions import PdfminerException

from plangraph.ingest import limits
from plangraph.ingest.formats import ocr
from plangraph.ingest.formats.canonical import Canonical, clean_cell, join_wrapped
from plangraph.ingest.formats.errors import CorruptFileError, EmptyDocumentError, EncryptedFileError, LimitError, NoTextLayerError
from plangraph.ingest.formats.pdfguard import Budget, BusyPageError, bounded, check_page_content, check_page_tree
from plangraph.ingest.formats.pdflayout import Line, Tab, assemble, drop_running_chrome
from plangraph.ingest.limits import MAX_PDF_PAGE_OBJECTS, MAX_PDF_PAGES

_CID = re.compile(r"\(cid:\d+\)")


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
    pages: list[list[Line | Tab]] = []
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
    text_chars = "".join(b.text for bs in pages for b in bs if isinstance(b, Line))
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
    dropped = drop_running_chrome(pages, [p.height for p in pdf.pages])
    if dropped:
        findings.append(f"{dropped} running header/footer line(s) (page numbers) removed")
    doc = assemble(pages, findings)
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


def _ocr_blocks(lines: Sequence[ocr.OcrLine]) -> dict[int, list[Line | Tab]]:
    """OCR lines as the blocks of their pages: a line of several cells is a table row
    (consecutive rows one table); a line's type size is its box height, snapped to the
    body's where it is within a fifth of it, so wrapped lines of a paragraph join."""
    single = [ln.height for ln in lines if len(ln.cells) == 1]
    body = statistics.median(single) if single else 0.0
    out: dict[int, list[Line | Tab]] = {}
    for ln in lines:
        blocks = out.setdefault(ln.page, [])
        if len(ln.cells) > 1:
            last = blocks[-1] if blocks else None
            if isinstance(last, Tab):
                blocks[-1] = Tab(last.page, last.top, last.rows + (ln.cells,), 0)
            else:
                blocks.append(Tab(ln.page, ln.top, (ln.cells,), 0))
            continue
        size = body if abs(ln.height - body) <= 0.2 * body else float(round(ln.height))
        blocks.append(Line(ln.page, ln.text, ln.x0, ln.x1, ln.top, ln.bottom, size))
    return out


def _page_blocks(page: Page, n: int) -> list[Line | Tab]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj: dict[str, object]) -> bool:
        cx = (float(obj["x0"]) + float(obj["x1"])) / 2  # type: ignore[arg-type]
        cy = (float(obj["top"]) + float(obj["bottom"])) / 2  # type: ignore[arg-type]
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside) if boxes else page
    blocks: list[Line | Tab] = []
    for line in text_page.extract_text_lines(return_chars=True, strip=True):
        text = line["text"].strip()
        if not text:
            continue
        size = statistics.median(c["size"] for c in line["chars"])
        chars = line["chars"]
        gapped = any(b["x0"] - a["x1"] > 1.5 * size for a, b in zip(chars, chars[1:]))
        blocks.append(Line(n, text, line["x0"], line["x1"], line["top"], line["bottom"], round(size, 1), gapped))
    for table in tables:
        rows, merged = _table_rows(table)
        if rows:
            blocks.append(Tab(n, table.bbox[1], rows, merged))
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


def _ranges(pages: Sequence[int]) -> str:
    out, start = [], None
    for i, p in enumerate(pages):
        if start is None:
            start = p
        if i + 1 == len(pages) or pages[i + 1] != p + 1:
            out.append(str(start) if start == p else f"{start}-{p}")
            start = None
    return ", ".join(out)
