"""OCR engines on rendered pages of a real plan: character accuracy, seconds per page, size.

Pages are drawn from ``corpus/linan-2022-education-14th-fyp.raw.txt`` (the Lin'an plan's
own text) as A4 images at ``--dpi`` with a CJK font, as a scanner would deliver them,
plus the scanned fixture ``tests/data/formats/linan-2022-education-14th-fyp.scanned.pdf``
rendered by pdfium. Each engine available in this Python reads every page:

* **accuracy**: 1 − CER, the edit distance between what the engine read and the text drawn
  (whitespace removed on both sides) over the length of the text drawn;
* **s/page**: wall-clock seconds per page after a first warm-up page, with the threads
  given by ``--threads`` (the build machine has 2 cores); **CPU s/page**, the process's
  CPU seconds per page, which a loaded machine does not inflate (on 2 idle cores the
  wall clock is about half of it);
* **size**: the installed bytes of the engine's distribution and of what it pulls in
  beyond plangraph's own dependencies.

Engines: ``rapidocr`` (3.x, PP-OCRv6 small ONNX models inside the wheel: the one the
``ocr`` extra installs) and ``rapidocr_onnxruntime`` (1.4, PP-OCRv4 mobile models
inside the wheel), each when importable (``--path`` adds a folder to ``sys.path``, e.g.
one made with ``pip install --no-deps --target DIR rapidocr-onnxruntime==1.4.4``).

    .venv/bin/python benchmarks/bench_ocr.py                     # 3 pages at 150 dpi
    .venv/bin/python benchmarks/bench_ocr.py --pages 5 --dpi 200 --path /tmp/rov

Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import os
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PLAN = ROOT / "corpus" / "linan-2022-education-14th-fyp.raw.txt"
SCANNED = ROOT / "tests" / "data" / "formats" / "linan-2022-education-14th-fyp.scanned.pdf"
FONT = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
"""Song-style type, as government documents are set (Debian's fonts-noto-cjk); index 2 is SC."""


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one row at a time (numpy over the row)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    prev = np.arange(len(b) + 1, dtype=np.int32)
    for i, ch in enumerate(a, start=1):
        cost = (bb != ord(ch)).astype(np.int32)
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        # insertions run along the row: a running minimum of (cur[j-1] + 1)
        cur = np.minimum.accumulate(cur - np.arange(len(cur))) + np.arange(len(cur))
        prev = cur.astype(np.int32)
    return int(prev[-1])


def accuracy(read: str, truth: str) -> float:
    r, t = "".join(read.split()), "".join(truth.split())
    return 1.0 - edit_distance(r, t) / max(len(t), 1)


def plan_pages(n: int, dpi: int) -> list[tuple[np.ndarray, str]]:
    """``n`` A4 pages of the plan's paragraphs drawn at ``dpi`` (12 pt type), with the text drawn."""
    from PIL import Image, ImageDraw, ImageFont

    paras = [p.strip() for p in PLAN.read_text(encoding="utf-8").splitlines() if len(p.strip()) > 8]
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    font = ImageFont.truetype(str(FONT), int(12 / 72 * dpi), index=2)
    step = int(12 / 72 * dpi * 1.6)
    per_line = int((width - 2 * dpi) / (12 / 72 * dpi))
    pages: list[tuple[np.ndarray, str]] = []
    lines = [ln for p in paras[6:] for ln in textwrap.wrap(p, per_line)]
    i = 0
    while len(pages) < n and i < len(lines):
        img = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(img)
        y, drawn = dpi, []
        while i < len(lines) and y < height - dpi:
            draw.text((dpi, y), lines[i], font=font, fill=0)
            drawn.append(lines[i])
            y += step
            i += 1
        pages.append((np.asarray(img.convert("RGB")), "\n".join(drawn)))
    return pages


def fixture_page(dpi: int) -> tuple[np.ndarray, str]:
    import pypdfium2 as pdfium

    sys.path.insert(0, str(ROOT / "scripts"))
    from make_format_fixtures import Heading, Para, load_plan  # type: ignore[import-not-found]

    plan = load_plan(PLAN)
    truth = [plan.title]
    for block in plan.blocks[:12]:
        truth.append(block.text if isinstance(block, (Para, Heading)) else block.title)
    doc = pdfium.PdfDocument(str(SCANNED))
    img = doc[0].render(scale=dpi / 72).to_numpy()
    return img, _visible(truth)


def _visible(blocks: list[str]) -> str:
    """What the fixture draws: wrapped lines until the page is full (as the script does)."""
    out, y = [blocks[0]], 160
    for text in blocks[1:]:
        for line in textwrap.wrap(text, 36):
            if y + 16 <= 1169:  # drawn inside the 827 x 1169 image
                out.append(line)
            y += 24
        if y > 1080:
            break
    return "\n".join(out)


def engines(threads: int) -> dict[str, Callable[[np.ndarray], str]]:
    found: dict[str, Callable[[np.ndarray], str]] = {}
    try:
        from rapidocr import RapidOCR

        eng = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "warning",
                               "EngineConfig.onnxruntime.intra_op_num_threads": threads})
        found["rapidocr 3 (PP-OCRv6 small)"] = lambda img: "\n".join(eng(img).txts or ())
    except ImportError:
        pass
    try:
        from rapidocr_onnxruntime import RapidOCR as RapidOCR14  # type: ignore[import-not-found]

        eng14 = RapidOCR14(intra_op_num_threads=threads)

        def run14(img: np.ndarray) -> str:
            result, _ = eng14(img, use_cls=False)
            return "\n".join(r[1] for r in result or ())
        found["rapidocr_onnxruntime 1.4 (PP-OCRv4 mobile)"] = run14
    except ImportError:
        pass
    return found


DEPS = {"rapidocr 3 (PP-OCRv6 small)": ("rapidocr", "onnxruntime", "opencv-python-headless", "shapely",
                                        "pyclipper", "omegaconf", "colorlog", "flatbuffers"),
        "rapidocr_onnxruntime 1.4 (PP-OCRv4 mobile)": ("rapidocr-onnxruntime", "onnxruntime",
                                                       "opencv-python-headless", "shapely", "pyclipper")}


def installed_mb(dist: str) -> float | None:
    try:
        d = md.distribution(dist)
    except md.PackageNotFoundError:
        return None
    total = 0
    for f in d.files or ():
        p = Path(str(d.locate_file(f)))
        if p.is_file():
            total += p.stat().st_size
    return total / 1e6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=3, help="rendered plan pages per engine")
    ap.add_argument("--dpi", type=int, default=150)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--path", action="append", default=[], help="folder to add to sys.path")
    args = ap.parse_args()
    sys.path[1:1] = args.path
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    pages = plan_pages(args.pages, args.dpi)
    fixture = fixture_page(args.dpi)
    found = engines(args.threads)
    if not found:
        raise SystemExit("no OCR engine importable: pip install 'plangraph[ocr]'")
    print(f"{len(pages)} plan page(s) at {args.dpi} dpi ({sum(len(t) for _, t in pages)} characters) "
          f"+ the scanned fixture; {args.threads} thread(s); load average {os.getloadavg()[0]:.1f}")
    print(f"{'engine':44} {'accuracy':>9} {'fixture':>8} {'s/page':>7} {'CPU s/page':>10} {'engine MB':>10} "
          f"{'with deps MB':>13}")
    for name, run in found.items():
        run(pages[0][0])  # warm-up: sessions, arenas
        accs, secs, cpu = [], [], []
        for img, truth in pages:
            t, c = time.perf_counter(), time.process_time()
            read = run(img)
            secs.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            accs.append(accuracy(read, truth))
        fx = accuracy(run(fixture[0]), fixture[1])
        sizes = [installed_mb(d) for d in DEPS[name]]
        own = sizes[0]
        total = sum(s for s in sizes if s is not None)
        print(f"{name:44} {sum(accs) / len(accs):9.4f} {fx:8.4f} {sum(secs) / len(secs):7.1f} "
              f"{sum(cpu) / len(cpu):10.1f} "
              f"{own if own is not None else float('nan'):10.1f} {total:13.1f}")


if __name__ == "__main__":
    main()
