"""Every bound on what reading one plan file may cost, checked before it is spent.

A plan is 50–500 KB of text; a hostile or broken file can be a few megabytes that
inflate to gigabytes (a zip or FlateDecode bomb) or nest a thousand levels deep. Each
limit below is checked while the resource is being spent (bytes counted while they
are inflated, depth counted while a tree is walked), never after the fact, and a
file that passes one is refused with a :class:`~plangraph.ingest.formats.errors.LimitError`
that names the file, what was being read, the limit and its value. A build skips
that file and builds the others. Tables are the exception: a table over its limit is
cut at the limit with a warning finding, because the prose of the plan around it is
worth keeping (see ``docs/input-limits.md``).

The values sit far above any real plan read so far (measured on the plans in
``corpus/`` and ``tests/data``) and far below what would exhaust a 2-core, few-GB
machine; ``benchmarks/bench_bombs.py`` prints what each bomb costs with them.
"""

from __future__ import annotations

MiB = 1 << 20

# -- any file ----------------------------------------------------------------------

MAX_FILE_BYTES = 128 * MiB
"""A PDF, Word or HTML plan file, checked before it is read (a text file has the
smaller plan text limit, ``MAX_PLAN_BYTES``). PDF plans with photos are 1–30 MB."""

# -- Word (.docx: a zip of XML parts) ----------------------------------------------

MAX_ZIP_MEMBERS = 5_000
"""Parts of a .docx package (a real one has 10–60)."""
MAX_ZIP_MEMBER_BYTES = 64 * MiB
"""Bytes one part inflates to, counted while it inflates (``document.xml`` of a
200-page plan is 2–5 MB; a photo is rarely over 20 MB)."""
MAX_ZIP_XML_BYTES = 32 * MiB
"""Bytes one XML part (``*.xml``, ``*.rels``) inflates to: parsed, it costs about 16
bytes of memory and 0.6 µs of CPU a byte (60 MB of minimal elements: 947 MB, 36 s).
Word writes 5–20 bytes of XML a byte of text, so a plan at the 2 MiB text limit fits."""
MAX_ZIP_TOTAL_BYTES = 256 * MiB
"""Bytes all parts together inflate to."""
MAX_ZIP_RATIO = 200
"""Inflated / compressed size of a part larger than :data:`ZIP_RATIO_FLOOR`: Word's
XML compresses 5–30 times; a part of zeros or spaces, a bomb, about 1,000 times."""
ZIP_RATIO_FLOOR = 1 * MiB
"""Parts that inflate to less than this are not held to :data:`MAX_ZIP_RATIO`."""

# -- PDF ---------------------------------------------------------------------------

MAX_PDF_STREAM_BYTES = 64 * MiB
"""Bytes one stream decodes to (FlateDecode, LZW, run-length…), counted while it is
inflated. A page's content is 5–500 KB; an embedded CJK font up to ~20 MB."""
MAX_PDF_DECODED_BYTES = 512 * MiB
"""Bytes all the streams of one PDF decode to, together."""
MAX_PDF_PAGE_CONTENT_BYTES = 16 * MiB
"""Decoded content (drawing and text operators) of one page, checked before its
layout is read: the layout costs about a kilobyte of memory per operator."""
MAX_PDF_PAGE_OBJECTS = 150_000
"""Operands and operators one page draws, counted as its content (and every form it
draws, however often) is parsed. Drawing costs about 12 KB of memory and 0.2 ms a
rectangle in pdfminer and pdfplumber; a dense text page draws 5,000–20,000. A page
over it is skipped with a warning finding (its drawings are a map or a bomb), the
rest of the PDF is read."""
MAX_PDF_PAGES = 3_000
"""Pages of a PDF (the longest plan read so far has about 300)."""
MAX_PDF_TREE_DEPTH = 64
"""Levels of the page tree (/Pages nodes): writers make trees 1–5 deep."""
MAX_PDF_NESTING = 100
"""Arrays and dictionaries nested in one another, in an object or a content stream."""

# -- OCR of scanned PDF pages (the ``ocr`` extra) -------------------------------------

OCR_DPI = 200
"""Resolution a scanned page is rendered at for OCR: 12 pt type is 33 pixels high."""
MAX_OCR_PAGE_PIXELS = 12_000_000
"""Pixels of one rendered page: A4 at 300 dpi is 8.7 million. A larger page is rendered
at fewer dots to fit, so an oversized page costs no more than an A4 one."""
MAX_OCR_IMAGE_PIXELS = 120_000_000
"""Pixels of the images one scanned page draws, from their declared sizes, checked
before pdfium decodes them (an A3 scan at 600 dpi is 70 million). A page over it is
skipped with a warning finding."""
MAX_OCR_SECONDS = 480.0
"""Seconds all the OCR of one PDF may take (a page costs 10–13 CPU seconds, 6–12 s on 2
idle cores). Pages still unread when it is spent are skipped with a warning finding, so
a long scan ends with its first 40–80 pages read rather than stopped by the build's
600 s ``--plan-time-limit``."""

# -- HTML --------------------------------------------------------------------------

MAX_HTML_BYTES = 16 * MiB
"""An HTML page's bytes, before it is parsed (saved plan pages are 50 KB–2 MB)."""
MAX_HTML_DEPTH = 200
"""Elements nested in one another. Pages nest 10–40 deep; the HTML parser itself
stops at 256 and drops what lies deeper, so a deeper page is refused rather than
read in part."""

# -- tables, in every reader --------------------------------------------------------

MAX_TABLE_ROWS = 2_000
"""Rows of one table (indicator tables have 10–60, project lists a few hundred).
Further rows are not read; a warning finding says how many were left out."""
MAX_TABLE_CELLS = 40_000
"""Grid positions (rows × columns) of one table; rows past this are cut as above."""
MAX_TABLE_COLUMNS = 200
"""Columns of one table; cells past this are dropped with the same warning."""
