"""Bounds on what pdfminer may spend on one PDF: decoded stream bytes, nesting, page tree.

pdfminer inflates a stream whole (``zlib.decompress``) the first time anything asks
for its data, and walks the page tree by recursion. Neither can be bounded from
outside, so while :func:`bounded` is active three of its methods count what they do:

* ``PDFStream.decode`` decodes with the same filters, inflating FlateDecode and LZW in
  pieces and counting: a stream over :data:`~plangraph.ingest.limits.MAX_PDF_STREAM_BYTES`,
  or streams that add up to more than :data:`~plangraph.ingest.limits.MAX_PDF_DECODED_BYTES`,
  stop with a :class:`LimitError` before the bytes exist;
* ``PSStackParser.start_type`` (every ``[`` and ``<<`` of an object or a content
  stream) refuses nesting deeper than :data:`~plangraph.ingest.limits.MAX_PDF_NESTING`;
* ``PDFContentParser.nextobject`` counts what a page draws, forms included however
  often they are drawn, and stops a page past
  :data:`~plangraph.ingest.limits.MAX_PDF_PAGE_OBJECTS` (:class:`BusyPageError`).

Outside :func:`bounded` (another library using pdfminer in the same process) they
behave as pdfminer's own. The page tree is walked here without recursion by
:func:`check_page_tree` before pdfplumber enumerates the pages.

pdfminer and pdfplumber catch broad exceptions in places (a metadata value that fails
is logged and dropped), so the first limit hit is also kept on the budget and raised
again by :func:`bounded` when the reading ends.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from plangraph.ingest import limits
from plangraph.ingest.formats.errors import LimitError

_PIECE = 1 << 20


@dataclass
class Budget:
    """What one PDF has spent so far."""

    name: str
    decoded: int = 0
    hit: list[LimitError] = field(default_factory=list)
    page_objects: int = 0
    """Content objects parsed since :meth:`start_page`."""

    def start_page(self) -> None:
        self.page_objects = 0

    def fail(self, what: str, value: int, limit: str, unit: str = "") -> LimitError:
        err = LimitError(f"{self.name}: {what} is over the limit of {value:,}{unit} ({limit})",
                         limit=limit, hint="this is not the PDF of a plan, or it is damaged; if it is a plan, "
                                           "print it to a new PDF and ingest that")
        if not self.hit:
            self.hit.append(err)
        return err


class BusyPageError(Exception):
    """A page draws more than :data:`~plangraph.ingest.limits.MAX_PDF_PAGE_OBJECTS`; the
    reader skips that page (not a :class:`LimitError`: the PDF is not refused)."""


_BUDGET: ContextVar[Budget | None] = ContextVar("plangraph_pdf_budget", default=None)
_installed = False


@contextmanager
def bounded(name: str) -> Iterator[Budget]:
    """Count and bound what pdfminer decodes and nests while the block runs (``name``,
    the file, is used in messages).

    Raises:
        LimitError: a limit was hit, even where pdfminer or pdfplumber caught it.
    """
    _install()
    budget = Budget(name)
    token = _BUDGET.set(budget)
    try:
        yield budget
    except Exception:
        if budget.hit:  # whatever pdfminer made of the limit error, the limit is the cause
            raise budget.hit[0] from None
        raise
    finally:
        _BUDGET.reset(token)
    if budget.hit:
        raise budget.hit[0]


def check_page_tree(doc: Any, budget: Budget) -> int:
    """Walk the page tree of ``doc`` (a ``PDFDocument``) without recursion; the pages it has.

    Raises:
        LimitError: deeper than :data:`~plangraph.ingest.limits.MAX_PDF_TREE_DEPTH` or
            more pages than :data:`~plangraph.ingest.limits.MAX_PDF_PAGES`.
    """
    from pdfminer.pdftypes import PDFObjRef, resolve1
    from pdfminer.psparser import LIT

    pages_type, page_type = LIT("Pages"), LIT("Page")
    root = doc.catalog.get("Pages") if isinstance(doc.catalog, dict) else None
    stack: list[tuple[Any, int]] = [(root, 1)] if root is not None else []
    seen: set[int] = set()
    pages = 0
    while stack:
        ref, depth = stack.pop()
        if isinstance(ref, PDFObjRef):
            if ref.objid in seen:
                continue
            seen.add(ref.objid)
        node = resolve1(ref)
        if not isinstance(node, dict):
            continue
        kind = node.get("Type") or node.get("type")
        if kind is pages_type and "Kids" in node:
            if depth > limits.MAX_PDF_TREE_DEPTH:
                raise budget.fail("the depth of its page tree", limits.MAX_PDF_TREE_DEPTH, "MAX_PDF_TREE_DEPTH",
                                  " levels")
            kids = resolve1(node["Kids"])
            if isinstance(kids, list):
                stack.extend((kid, depth + 1) for kid in reversed(kids))
        elif kind is page_type:
            pages += 1
            if pages > limits.MAX_PDF_PAGES:
                raise budget.fail("its number of pages", limits.MAX_PDF_PAGES, "MAX_PDF_PAGES", " pages")
    return pages


def check_page_content(page: Any, number: int, budget: Budget) -> None:
    """Refuse a page (a ``PDFPage``) whose decoded content streams add up to more than
    :data:`~plangraph.ingest.limits.MAX_PDF_PAGE_CONTENT_BYTES` (decoding them is bounded)."""
    from pdfminer.pdftypes import PDFStream, resolve1

    total = 0
    for stream in page.contents or ():
        stream = resolve1(stream)
        if isinstance(stream, PDFStream):
            total += len(stream.get_data())
    if total > limits.MAX_PDF_PAGE_CONTENT_BYTES:
        raise budget.fail(f"the content of page {number} ({total:,} bytes decoded)",
                          limits.MAX_PDF_PAGE_CONTENT_BYTES, "MAX_PDF_PAGE_CONTENT_BYTES", " bytes")


# -- the two methods ----------------------------------------------------------------


def _install() -> None:
    global _installed
    if _installed:
        return
    from pdfminer.pdfinterp import PDFContentParser
    from pdfminer.pdftypes import PDFStream
    from pdfminer.psparser import PSStackParser

    original_decode = PDFStream.decode
    original_start = PSStackParser.start_type
    original_next = PSStackParser.nextobject

    def nextobject(self: Any) -> Any:
        budget = _BUDGET.get()
        if budget is not None:
            budget.page_objects += 1
            if budget.page_objects > limits.MAX_PDF_PAGE_OBJECTS:
                raise BusyPageError(budget.page_objects)
        return original_next(self)

    def decode(self: Any) -> None:
        budget = _BUDGET.get()
        if budget is None:
            return original_decode(self)
        _decode(self, budget)

    def start_type(self: Any, pos: int, type: str) -> None:
        budget = _BUDGET.get()
        if budget is not None and len(self.context) >= limits.MAX_PDF_NESTING:
            raise budget.fail("the nesting of its arrays and dictionaries", limits.MAX_PDF_NESTING,
                              "MAX_PDF_NESTING", " levels")
        original_start(self, pos, type)

    PDFStream.decode = decode  # type: ignore[method-assign]
    PSStackParser.start_type = start_type  # type: ignore[method-assign]
    PDFContentParser.nextobject = nextobject  # type: ignore[method-assign]
    _installed = True


class _Meter:
    """Counts the bytes of one stream and of the document while they are produced."""

    def __init__(self, budget: Budget, objid: int | None) -> None:
        self.budget = budget
        self.stream = f"stream {objid}" if objid is not None else "a stream"
        self.room = min(limits.MAX_PDF_STREAM_BYTES, limits.MAX_PDF_DECODED_BYTES - budget.decoded)

    def check(self, size: int) -> None:
        if size <= self.room:
            return
        if size > limits.MAX_PDF_STREAM_BYTES:
            raise self.budget.fail(f"the decoded size of {self.stream}", limits.MAX_PDF_STREAM_BYTES, "MAX_PDF_STREAM_BYTES",
                                   " bytes")
        raise self.budget.fail("the decoded size of its streams together", limits.MAX_PDF_DECODED_BYTES,
                               "MAX_PDF_DECODED_BYTES", " bytes")


def _inflate(data: bytes, meter: _Meter) -> bytes:
    """zlib data inflated a piece at a time; as pdfminer does, a stream damaged near its
    end keeps what came before the damage, one damaged earlier is empty."""
    d = zlib.decompressobj()
    out: list[bytes] = []
    size = 0
    rest = data
    try:
        while rest:
            piece = d.decompress(rest, _PIECE)
            size += len(piece)
            meter.check(size)
            out.append(piece)
            rest = d.unconsumed_tail
            if d.eof:
                break
        return b"".join(out)
    except zlib.error:
        consumed = len(data) - len(rest)
        return b"".join(out) if consumed >= len(data) - 3 else b""


def _lzw(data: bytes, meter: _Meter) -> bytes:
    from io import BytesIO

    from pdfminer.lzw import LZWDecoder

    out: list[bytes] = []
    size = 0
    for piece in LZWDecoder(BytesIO(data)).run():
        size += len(piece)
        meter.check(size)
        out.append(piece)
    return b"".join(out)


def _decode(stream: Any, budget: Budget) -> None:
    """pdfminer's ``PDFStream.decode`` with every step counted (see module doc)."""
    from pdfminer import pdftypes as pt
    from pdfminer.ascii85 import ascii85decode, asciihexdecode
    from pdfminer.runlength import rldecode

    assert stream.data is None and stream.rawdata is not None
    data = stream.rawdata
    if stream.decipher:
        data = stream.decipher(stream.objid, stream.genno, data, stream.attrs)
    meter = _Meter(budget, stream.objid)
    plain: dict[Any, Callable[[bytes], bytes]] = {}
    for lits, fn in ((pt.LITERALS_ASCII85_DECODE, ascii85decode), (pt.LITERALS_ASCIIHEX_DECODE, asciihexdecode),
                     (pt.LITERALS_RUNLENGTH_DECODE, rldecode)):
        plain.update(dict.fromkeys(lits, fn))
    for f, params in stream.get_filters():
        if f in pt.LITERALS_FLATE_DECODE:
            data = _inflate(data, meter)
        elif f in pt.LITERALS_LZW_DECODE:
            data = _lzw(data, meter)
        elif f in plain:
            data = plain[f](data)  # at most 64 times the input (run-length): counted after
        elif f in pt.LITERALS_CCITTFAX_DECODE:
            data = pt.ccittfaxdecode(data, params)
        elif f in pt.LITERALS_DCT_DECODE or f in pt.LITERALS_JBIG2_DECODE or f in pt.LITERALS_JPX_DECODE:
            pass  # images: handed on undecoded, as pdfminer does
        elif f == pt.LITERAL_CRYPT:
            raise pt.PDFNotImplementedError("/Crypt filter is unsupported")
        else:
            raise pt.PDFNotImplementedError(f"Unsupported filter: {f!r}")
        meter.check(len(data))
        if params and "Predictor" in params:
            pred = pt.int_value(params["Predictor"])
            colors = pt.int_value(params.get("Colors", 1))
            columns = pt.int_value(params.get("Columns", 1))
            bits = pt.int_value(params.get("BitsPerComponent", 8))
            if pred == 2:
                data = pt.apply_tiff_predictor(colors, columns, bits, data)
            elif pred >= 10:
                data = pt.apply_png_predictor(pred, colors, columns, bits, data)
            elif pred != 1:
                raise pt.PDFNotImplementedError(f"Unsupported predictor: {pred!r}")
    budget.decoded += len(data)
    stream.data = data
    stream.rawdata = None
