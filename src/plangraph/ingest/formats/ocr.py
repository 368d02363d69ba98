"""OCR of scanned PDF pages: render, recognise, and put the text boxes back into lines.

Engine: `RapidOCR <https://github.com/RapidAI/RapidOCR>`_ 3.x (Apache-2.0) with the
PP-OCRv6 small detection and recognition models that ship inside its wheel, run by
onnxruntime on the CPU (the ``ocr`` extra: ``pip install 'plangraph[ocr]'``). Nothing is
downloaded: the model files are looked up in the installed package and handed to the
engine by path; where they are missing the engine counts as not installed. The
direction classifier is off (government scans are upright).

A page is rendered by pdfium at :data:`~plangraph.ingest.limits.OCR_DPI`, fewer dots where
the page would be over :data:`~plangraph.ingest.limits.MAX_OCR_PAGE_PIXELS`. Boxes are
grouped into lines by vertical overlap and read left to right; boxes on one line set
apart by more than a line's height are cells of a table row. See ``docs/ocr.md``.
"""

from __future__ import annotations

import functools
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plangraph.ingest import limits
from plangraph.ingest.formats.canonical import Canonical, clean_cell, join_wrapped
from plangraph.model import OcrSpan

ENGINE = "rapidocr 3 (PP-OCRv6 small, onnxruntime)"
INSTALL_HINT = "pip install 'plangraph[ocr]'"
_MODELS = ("PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx")
CELL_GAP = 1.0
"""Boxes on one line further apart than this many line heights are separate cells."""


@dataclass(frozen=True)
class OcrBox:
    """One recognised text box, in PDF points from the page's top left."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float


@dataclass(frozen=True)
class OcrLine:
    """Boxes on one line of a page, left to right; more than one cell is a table row."""

    page: int
    cells: tuple[str, ...]
    boxes: tuple[OcrBox, ...]

    @property
    def x0(self) -> float:
        return min(b.x0 for b in self.boxes)

    @property
    def x1(self) -> float:
        return max(b.x1 for b in self.boxes)

    @property
    def top(self) -> float:
        return min(b.top for b in self.boxes)

    @property
    def bottom(self) -> float:
        return max(b.bottom for b in self.boxes)

    @property
    def height(self) -> float:
        return statistics.median(b.bottom - b.top for b in self.boxes)

    @property
    def text(self) -> str:
        return join_wrapped(self.cells)


class OcrMissing(Exception):
    """The OCR engine or its model files are not installed (the message says which)."""


class Engine:
    """The loaded recogniser (load it once with :func:`engine`)."""

    def __init__(self, impl: Any) -> None:
        self._impl = impl

    def read(self, image: Any, scale: float) -> list[OcrBox]:
        """Boxes recognised in ``image`` (an RGB array) rendered at ``scale`` pixels a point."""
        out = self._impl(image)
        boxes: list[OcrBox] = []
        for quad, text, score in zip(out.boxes if out.boxes is not None else (), out.txts or (), out.scores or ()):
            text = clean_cell(str(text))
            if not text:
                continue
            xs = [float(p[0]) / scale for p in quad]
            ys = [float(p[1]) / scale for p in quad]
            boxes.append(OcrBox(text, min(xs), min(ys), max(xs), max(ys), float(score)))
        return boxes


@functools.lru_cache(maxsize=1)
def engine() -> Engine:
    """The engine, loaded once per process from the models inside the installed package.

    Raises:
        OcrMissing: rapidocr or onnxruntime is not importable, or a model file is missing.
    """
    try:
        import onnxruntime  # noqa: F401  (rapidocr imports it only when it loads a model)
        import rapidocr
        from rapidocr import RapidOCR
    except ImportError as exc:
        raise OcrMissing(f"the OCR engine is not installed ({exc.name or exc})") from None
    models = Path(rapidocr.__file__).parent / "models"
    paths = [models / m for m in _MODELS]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise OcrMissing(f"the OCR model file(s) {', '.join(missing)} are missing from {models}")
    impl = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "error",
                            "Det.model_path": str(paths[0]), "Rec.model_path": str(paths[1])})
    return Engine(impl)


def render(page: Any, width: float, height: float) -> tuple[Any, float]:
    """A pdfium page as an RGB array and its scale (pixels a point): :data:`OCR_DPI`,
    lowered so that the image stays within :data:`MAX_OCR_PAGE_PIXELS`."""
    scale = limits.OCR_DPI / 72
    if width * height * scale * scale > limits.MAX_OCR_PAGE_PIXELS:
        scale = (limits.MAX_OCR_PAGE_PIXELS / (width * height)) ** 0.5
    bitmap = page.render(scale=scale, grayscale=False)
    return bitmap.to_numpy()[:, :, :3], scale


def lines(boxes: Sequence[OcrBox], page: int) -> list[OcrLine]:
    """Boxes grouped into lines (a box joins a line it overlaps vertically by half its
    height), top to bottom; boxes of a line left to right, split into cells at wide gaps."""
    rows: list[list[OcrBox]] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        if rows:
            last = rows[-1]
            top, bottom = min(b.top for b in last), max(b.bottom for b in last)
            overlap = min(bottom, box.bottom) - max(top, box.top)
            if overlap >= 0.5 * min(box.bottom - box.top, bottom - top):
                last.append(box)
                continue
        rows.append([box])
    out: list[OcrLine] = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        height = statistics.median(b.bottom - b.top for b in row)
        cells: list[list[OcrBox]] = [[row[0]]]
        for box in row[1:]:
            if box.x0 - cells[-1][-1].x1 > CELL_GAP * height:
                cells.append([box])
            else:
                cells[-1].append(box)
        out.append(OcrLine(page, tuple(join_wrapped([b.text for b in c]) for c in cells), tuple(row)))
    return out


def mean_confidence(ocr_lines: Sequence[OcrLine]) -> float:
    """Recognition confidence averaged over characters."""
    weights = [(len(b.text), b.confidence) for ln in ocr_lines for b in ln.boxes]
    total = sum(w for w, _ in weights)
    return sum(w * c for w, c in weights) / total if total else 0.0


@dataclass(frozen=True)
class Scan:
    """A page without a text layer: its number, size in points, and the pixels its images declare."""

    page: int
    width: float
    height: float
    image_pixels: int


@dataclass(frozen=True)
class ScanRead:
    """What OCR made of a PDF's scanned pages."""

    lines: tuple[OcrLine, ...] = ()
    read: tuple[int, ...] = ()
    """Pages read by OCR."""
    too_large: tuple[int, ...] = ()
    """Pages over :data:`~plangraph.ingest.limits.MAX_OCR_IMAGE_PIXELS`, not read."""
    late: tuple[int, ...] = ()
    """Pages left when :data:`~plangraph.ingest.limits.MAX_OCR_SECONDS` was spent."""
    notes: tuple[str, ...] = ()
    missing: str | None = None
    """Why no page was read: the engine or its models are not installed."""


def read_scans(data: bytes, scans: Sequence[Scan]) -> ScanRead:
    """OCR the pages ``scans`` of the PDF ``data`` within the OCR limits."""
    try:
        eng = engine()
    except OcrMissing as exc:
        return ScanRead(missing=str(exc))
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        return ScanRead(notes=(f"the scanned page(s) could not be rendered for OCR ({exc}); their content is missing",))
    out: list[OcrLine] = []
    read: list[int] = []
    too_large: list[int] = []
    late: list[int] = []
    start = time.monotonic()
    try:
        for scan in scans:
            if scan.image_pixels > limits.MAX_OCR_IMAGE_PIXELS:
                too_large.append(scan.page)
                continue
            if time.monotonic() - start > limits.MAX_OCR_SECONDS:
                late.append(scan.page)
                continue
            page = doc[scan.page - 1]
            try:
                image, scale = render(page, scan.width, scan.height)
            finally:
                page.close()
            out.extend(lines(eng.read(image, scale), scan.page))
            read.append(scan.page)
    finally:
        doc.close()
    return ScanRead(tuple(out), tuple(read), tuple(too_large), tuple(late))


def image_pixels(page: Any) -> int:
    """Pixels the (pdfplumber) page's images declare (their /Width × /Height), before any is decoded."""
    total = 0
    for img in page.images:
        w, h = img.get("srcsize") or (0, 0)
        try:
            total += int(w) * int(h)
        except (TypeError, ValueError):
            continue
    return total


def spans(doc: Canonical, ocr_lines: Sequence[OcrLine]) -> tuple[OcrSpan, ...]:
    """Where each OCR line landed in the canonical text (lines dropped as page chrome
    have none): looked for right after the previous one, on its own page."""
    out: list[OcrSpan] = []
    cursor = 0
    for ln in ocr_lines:
        text = "\t".join(ln.cells) if len(ln.cells) > 1 else clean_cell(ln.text)
        lo = max(cursor, doc.pages[ln.page - 1] if ln.page <= len(doc.pages) else cursor)
        at = doc.text.find(text, lo, lo + len(text) + 8)
        if at < 0 or not text:
            continue
        cursor = at + len(text)
        conf = sum(b.confidence * len(b.text) for b in ln.boxes) / max(1, sum(len(b.text) for b in ln.boxes))
        out.append(OcrSpan(ln.page, at, cursor, (round(ln.x0, 1), round(ln.top, 1), round(ln.x1, 1),
                                                 round(ln.bottom, 1)), round(conf, 3)))
    return tuple(out)
