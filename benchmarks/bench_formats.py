"""The format readers on the Lin'an fixtures, and the libraries they were chosen from.

Prints milliseconds per file (best of N runs) for each reader of
plangraph.ingest.formats, then, where they are installed, the alternatives that were
weighed (selectolax, BeautifulSoup, pypdf, PyMuPDF): they are not dependencies, so a
missing one is reported and skipped.

    .venv/bin/python benchmarks/bench_formats.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from plangraph.ingest.formats import read_any  # noqa: E402

F = ROOT / "tests" / "data" / "formats"
STEM = "linan-2022-education-14th-fyp"


def best(fn: Callable[[], object], n: int) -> float:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return min(out) * 1000


def alternatives(n: int) -> list[tuple[str, Callable[[], object], int]]:
    html = (F / f"{STEM}.html").read_text(encoding="utf-8")
    pdf = str(F / f"{STEM}.pdf")
    out: list[tuple[str, Callable[[], object], int]] = []

    import lxml.html
    out.append(("lxml.html parse + text_content", lambda: lxml.html.document_fromstring(html).text_content(), n))
    try:
        from selectolax.lexbor import LexborHTMLParser
        out.append(("selectolax (lexbor, MIT) parse + text", lambda: LexborHTMLParser(html).body.text(), n))  # type: ignore[union-attr]
    except ImportError:
        print("(selectolax not installed)")
    try:
        from bs4 import BeautifulSoup
        out.append(("bs4 + html.parser parse + get_text", lambda: BeautifulSoup(html, "html.parser").get_text(), n))
        out.append(("bs4 + lxml parse + get_text", lambda: BeautifulSoup(html, "lxml").get_text(), n))
    except ImportError:
        print("(bs4 not installed)")
    import docx
    out.append(("python-docx Document() open only", lambda: docx.Document(str(F / f"{STEM}.docx")), n))
    import pdfplumber

    def plumber(tables: bool) -> None:
        with pdfplumber.open(pdf) as doc:
            for p in doc.pages:
                p.find_tables() if tables else p.extract_text()
    out.append(("pdfplumber extract_text only", lambda: plumber(False), 3))
    out.append(("pdfplumber find_tables only", lambda: plumber(True), 3))
    try:
        import pypdf
        out.append(("pypdf (BSD) extract_text, no tables", lambda: [p.extract_text() for p in pypdf.PdfReader(pdf).pages], 3))
    except ImportError:
        print("(pypdf not installed)")
    try:
        import pymupdf

        def mupdf(tables: bool) -> None:
            with pymupdf.open(pdf) as doc:
                for p in doc:
                    p.find_tables() if tables else p.get_text()
        out.append(("PyMuPDF (AGPL) get_text", lambda: mupdf(False), n))
        out.append(("PyMuPDF (AGPL) find_tables", lambda: mupdf(True), 3))
    except ImportError:
        print("(PyMuPDF not installed)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    n = ap.parse_args().repeat
    sizes = {fmt: (F / f"{STEM}.{fmt}").stat().st_size // 1024 for fmt in ("html", "docx", "pdf")}
    rows = [(f"reader html (lxml), {sizes['html']} KB", lambda: read_any(F / f"{STEM}.html"), n),
            (f"reader docx (python-docx), {sizes['docx']} KB", lambda: read_any(F / f"{STEM}.docx"), n),
            (f"reader pdf (pdfplumber), {sizes['pdf']} KB, 14 pages", lambda: read_any(F / f"{STEM}.pdf"), 3)]
    for name, fn, runs in rows + alternatives(n):
        print(f"{best(fn, runs):9.1f} ms  {name}", flush=True)


if __name__ == "__main__":
    main()
