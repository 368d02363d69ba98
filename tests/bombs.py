"""Decompression and parse-depth bombs, built in memory for the tests and
``benchmarks/bench_bombs.py``: each is a small file that costs gigabytes or a deep
recursion to a reader without limits."""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass

_CHUNK = 1 << 20
_TEXT = "临安区教育事业发展规划。推进学前教育普及普惠发展。"


@dataclass(frozen=True)
class Deflated:
    """Raw deflate data and what it inflates to."""

    raw: bytes
    size: int
    crc32: int
    adler32: int

    def zlib(self) -> bytes:
        """The zlib format (a PDF's FlateDecode)."""
        return b"\x78\xda" + self.raw + self.adler32.to_bytes(4, "big")


def deflated(head: bytes, fill: bytes, n_bytes: int, tail: bytes = b"", *, checksum: str = "crc32") -> Deflated:
    """``head``, then ``fill`` (one byte) repeated ``n_bytes`` times, then ``tail``, deflated
    fast: the deflate of a megabyte of ``fill`` after a full flush is the same bytes every
    time, so it is made once and repeated (about 1 KB a MB). Only ``checksum`` (``crc32``
    for a zip, ``adler32`` for zlib) is computed, the costly part (0.3 s a GB)."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = fill * _CHUNK
    parts = [z.compress(head) + z.flush(zlib.Z_FULL_FLUSH)]
    whole, rest = divmod(n_bytes, _CHUNK)
    block = z.compress(chunk) + z.flush(zlib.Z_FULL_FLUSH)
    parts.append(block * whole)
    parts.append(z.compress(fill * rest + tail) + z.flush())
    fn = zlib.crc32 if checksum == "crc32" else zlib.adler32
    value = fn(head)
    for _ in range(whole):
        value = fn(chunk, value)
    value = fn(fill * rest + tail, value)
    size = len(head) + n_bytes + len(tail)
    return Deflated(b"".join(parts), size, value if checksum == "crc32" else 0,
                    value if checksum == "adler32" else 1)


# -- PDF ---------------------------------------------------------------------------


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF whose object ``n`` (from 1) is ``objects[n-1]``, object 1 the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
_PAGE_TEXT = b"BT /F1 12 Tf 72 720 Td (Education plan of Linan district) Tj ET"


def pdf_deep_page_tree(depth: int = 1000) -> bytes:
    """A one-page PDF whose page sits under ``depth`` nested /Pages nodes (84 KB at 1,000)."""
    # 1 catalog, 2..depth+1 the /Pages chain, then the page, its content and font
    page, content, font = depth + 2, depth + 3, depth + 4
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        n = 2 + level
        kid = n + 1 if level + 1 < depth else page
        parent = b" /Parent %d 0 R" % (n - 1) if level else b""
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>" % (kid, parent))
    objects.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                   b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (depth + 1, content, font))
    objects.append(_stream(_PAGE_TEXT))
    objects.append(_FONT)
    return pdf_file(objects)


def pdf_stream_bomb(inflated: int = 2 << 30) -> bytes:
    """A one-page PDF whose content stream is FlateDecode of ``inflated`` zero bytes
    (2 GiB in about 2 MB of file)."""
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [4 0 R 5 0 R] "
        b"/Resources << /Font << /F1 6 0 R >> >> >>",
        _stream(_PAGE_TEXT),
        _stream(deflated(b"", b"\0", inflated, checksum="adler32").zlib(), b"/Filter /FlateDecode "),
        _FONT,
    ])


def lzw_zeros(cycles: int) -> bytes:
    """LZWDecode data of about 7.4 MB of zero bytes per cycle in 5.4 KB: after a clear
    code, every code is the next table entry, which repeats the previous output one byte
    longer (the decoder's KwKwK case), until the table is full."""
    out = bytearray()
    acc = n = 0

    def put(code: int, width: int) -> None:
        nonlocal acc, n
        acc, n = (acc << width) | code, n + width
        while n >= 8:
            n -= 8
            out.append((acc >> n) & 0xFF)
        acc &= (1 << n) - 1

    width = 9
    for _ in range(cycles):
        put(256, width)
        width, table = 9, 258
        put(0, width)
        while table < 4096:
            put(table, width)
            table += 1
            width = {511: 10, 1023: 11, 2047: 12}.get(table, width)
    put(257, width)
    if n:
        out.append((acc << (8 - n)) & 0xFF)
    return bytes(out)


def pdf_lzw_bomb(cycles: int = 10) -> bytes:
    """A one-page PDF whose content stream is LZWDecode of ``cycles`` × 7.4 MB of zeros."""
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [4 0 R 5 0 R] "
        b"/Resources << /Font << /F1 6 0 R >> >> >>",
        _stream(_PAGE_TEXT),
        _stream(lzw_zeros(cycles), b"/Filter /LZWDecode "),
        _FONT,
    ])


def pdf_busy_page(rects: int = 160_000) -> bytes:
    """A PDF whose first page draws ``rects`` rectangles (13 bytes each) and whose second
    page is text."""
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        _stream(b"0 0 1 1 re f\n" * rects),
        _FONT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 7 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(_PAGE_TEXT),
    ])


def pdf_form_bomb(levels: int = 9, fanout: int = 10) -> bytes:
    """A PDF of two pages: the first draws a form ``fanout`` times, which draws the next
    form ``fanout`` times, ``levels`` deep (10^9 rectangles in 2 KB: no form is drawn
    inside itself, so pdfminer's loop guard lets it through); the second page is text."""
    first_form = 7
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /XObject << /X %d 0 R >> >> >>" % first_form,
               _stream(b"/X Do\n" * fanout), _FONT,
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>".replace(b"/Contents 6 0 R", b"/Contents %d 0 R"
                                                                        % (first_form + levels))]
    for level in range(levels):
        last = level + 1 == levels
        body = b"0 0 1 1 re f\n" if last else b"/X Do\n" * fanout
        res = b"" if last else b"/Resources << /XObject << /X %d 0 R >> >> " % (first_form + level + 1)
        objects.append(_stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] " + res))
    objects.append(_stream(_PAGE_TEXT))
    return pdf_file(objects)


def pdf_nested_arrays(depth: int = 100_000) -> bytes:
    """A one-page PDF whose page dictionary holds an array nested ``depth`` deep."""
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> /Junk " + b"[" * depth + b"]" * depth + b" >>",
        _stream(_PAGE_TEXT),
        _FONT,
    ])


def pdf_many_pages(pages: int = 20_000) -> bytes:
    """A PDF of ``pages`` pages that share one content stream (about 60 bytes a page)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
                   b" ".join(b"%d 0 R" % (5 + i) for i in range(pages)), pages),
               _stream(_PAGE_TEXT), _FONT]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
                b"/Resources << /Font << /F1 4 0 R >> >> >>"] * pages
    return pdf_file(objects)


# -- DOCX --------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>')


def zip_file(members: list[tuple[str, Deflated]], *, claimed: dict[str, int] | None = None) -> bytes:
    """A zip of raw-deflated ``members``; ``claimed`` gives sizes the headers state instead
    of the true ones (a zip that lies about what a member inflates to)."""
    import struct

    out = io.BytesIO()
    central = []
    for name, member in members:
        size = (claimed or {}).get(name, member.size)
        fname = name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, member.crc32,
                              len(member.raw), size, len(fname), 0) + fname + member.raw)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, member.crc32,
                                   len(member.raw), size, len(fname), 0, 0, 0, 0, 0, offset) + fname)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start,
                          start, 0))
    return out.getvalue()


def docx_file(document_xml_size: int = 0, *, claimed: int | None = None, media: int = 0) -> bytes:
    """A valid .docx whose ``word/document.xml`` is padded with spaces to about
    ``document_xml_size`` bytes (1 GiB deflates to about 1 MB; at most 4 GiB, the zip
    headers have no room for more); ``claimed``: the size its zip headers state instead;
    ``media``: the size of an image part (zeros) beside it."""
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'
            f'<w:p><w:r><w:t>{_TEXT}</w:t></w:r></w:p><w:p><w:r><w:t>').encode()
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    small = {name: deflated(text.encode(), b" ", 0) for name, text in
             (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS))}
    document = deflated(head, b" ", document_xml_size, tail)  # spaces: well-formed however far it is read
    extra = [("word/media/image1.png", deflated(b"\x89PNG\r\n\x1a\n", b"\0", media))] if media else []
    return zip_file([*small.items(), ("word/document.xml", document), *extra],
                    claimed=None if claimed is None else {"word/document.xml": claimed})


def docx_table_bomb(rows: int = 1_999, span: int = 999_999_999) -> bytes:
    """A .docx with a table whose first row says it spans ``span`` grid columns (and
    starts ``span`` columns late), then ``rows`` rows merged down into the first one:
    2 KB for python-docx's ``_Row.cells`` to make gigabytes and a recursion ``rows`` deep."""
    def tc(text: str, extra: str = "") -> str:
        return f"<w:tc><w:tcPr>{extra}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    first = (f'<w:tr><w:trPr><w:gridBefore w:val="{span}"/></w:trPr>'
             + tc("学校名称", '<w:vMerge w:val="restart"/>') + tc("班额", f'<w:gridSpan w:val="{span}"/>') + "</w:tr>")
    merged = "<w:tr>" + tc("", "<w:vMerge/>") + tc("45") + "</w:tr>"
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'
           f'<w:p><w:r><w:t>{_TEXT}</w:t></w:r></w:p><w:tbl>{first}{merged * rows}</w:tbl></w:body></w:document>')
    parts = [(name, deflated(text.encode(), b" ", 0)) for name, text in
             (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS), ("word/document.xml", xml))]
    return zip_file(parts)


# -- HTML --------------------------------------------------------------------------


def html_big_table(rows: int = 50_000) -> bytes:
    """A plan page with a ``rows``-row, three-column data table (1.7 MB at 50,000)."""
    body = "".join(f"<tr><td>学校{i}</td><td>{i % 97}</td><td>{i % 13}</td></tr>" for i in range(rows))
    return (f"<html><head><meta charset='utf-8'><title>t</title></head><body><h1>{_TEXT}</h1>"
            f"<p>{_TEXT}</p><table><tr><th>名称</th><th>班级</th><th>校区</th></tr>{body}</table>"
            f"</body></html>").encode()


def html_deep_nesting(depth: int = 100_000) -> bytes:
    """A plan page whose text sits ``depth`` ``<div>`` elements deep."""
    return (f"<html><head><meta charset='utf-8'><title>t</title></head><body><h1>{_TEXT}</h1>"
            + "<div>" * depth + f"<p>{_TEXT}</p>" + "</div>" * depth + "</body></html>").encode()


def text_big_table(rows: int = 50_000) -> bytes:
    """A text plan with a ``rows``-row tab-separated table."""
    lines = [_TEXT, "表1 学校一览表", "名称\t班级\t校区"]
    lines += [f"学校{i}\t{i % 97}\t{i % 13}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()
