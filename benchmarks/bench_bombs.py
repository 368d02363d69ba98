"""What each kind of hostile file costs to read: input size, the limit it meets, peak
memory and seconds, and the outcome.

Each bomb is built in memory (``tests/bombs.py``), written to a temporary folder and
read by a child process of its own that runs ``ingest_file`` on it (the format reader,
then the text pipeline: tables, sections, passages); ``--through extract`` also runs
extraction and the plan's graph, as a build does. Peak memory is the child's maximum
resident set (``VmHWM`` as the child reports it; ``os.wait4``'s ``ru_maxrss``, which
also counts the parent's size at the fork, when it dies first), seconds are its CPU
time (``os.wait4``) and the wall time. The child's
address space is capped (``--cap-gb``, 3 GB by default) so that a reader without
limits fails there with ``MemoryError`` instead of taking the machine.

    .venv/bin/python benchmarks/bench_bombs.py [--only pdf-stream html-table]
        [--through ingest|extract] [--cap-gb 3] [--timeout 300] [--src OTHER_CHECKOUT/src]

``--src`` measures another checkout's code (e.g. before the limits) on the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests import bombs  # noqa: E402

GiB, MiB = 1 << 30, 1 << 20
KINDS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    # name: (file name, builder, the limit it is meant to meet)
    "docx-inflate": ("inflate.docx", lambda: bombs.docx_file(4 * GiB - 64 * MiB), "MAX_ZIP_XML_BYTES"),
    "docx-media": ("media.docx", lambda: bombs.docx_file(0, media=2 * GiB), "MAX_ZIP_MEMBER_BYTES"),
    "docx-ratio": ("ratio.docx", lambda: bombs.docx_file(24 * MiB), "MAX_ZIP_RATIO"),
    "docx-lying": ("lying.docx", lambda: bombs.docx_file(2 * GiB, claimed=1024), "(zip reader: stated size)"),
    "docx-table": ("spans.docx", lambda: bombs.docx_table_bomb(), "MAX_TABLE_CELLS"),
    "pdf-stream": ("stream.pdf", lambda: bombs.pdf_stream_bomb(3 * GiB), "MAX_PDF_STREAM_BYTES"),
    "pdf-lzw": ("lzw.pdf", lambda: bombs.pdf_lzw_bomb(300), "MAX_PDF_STREAM_BYTES"),
    "pdf-busy-page": ("busy.pdf", lambda: bombs.pdf_busy_page(1_000_000), "MAX_PDF_PAGE_OBJECTS"),
    "pdf-forms": ("forms.pdf", lambda: bombs.pdf_form_bomb(9, 10), "MAX_PDF_PAGE_OBJECTS"),
    "pdf-page-content": ("content.pdf", lambda: bombs.pdf_stream_bomb(60 * MiB), "MAX_PDF_PAGE_CONTENT_BYTES"),
    "pdf-deep-tree": ("deep-tree.pdf", lambda: bombs.pdf_deep_page_tree(1000), "MAX_PDF_TREE_DEPTH"),
    "pdf-nesting": ("nested.pdf", lambda: bombs.pdf_nested_arrays(100_000), "MAX_PDF_NESTING"),
    "pdf-pages": ("pages.pdf", lambda: bombs.pdf_many_pages(20_000), "MAX_PDF_PAGES"),
    "html-table": ("table.html", lambda: bombs.html_big_table(50_000), "MAX_TABLE_ROWS"),
    "html-deep": ("deep.html", lambda: bombs.html_deep_nesting(100_000), "MAX_HTML_DEPTH"),
    "text-table": ("table.txt", lambda: bombs.text_big_table(50_000), "MAX_TABLE_ROWS"),
}

CHILD = """
import json, resource, sys
cap = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from plangraph.ingest.pipeline import ingest_file
out = {}
try:
    doc = ingest_file(sys.argv[1])
    rows = sum(len(t.rows) for t in doc.tables)
    out = {"outcome": f"read: {len(doc.original):,} chars, {len(doc.passages):,} passages, {rows:,} table rows",
           "findings": [f.message for f in doc.findings if "MAX_" in f.message]}
    if sys.argv[2] == "extract":
        from plangraph.extract.pipeline import extract
        from plangraph.graph.build import add_plan, new_dataset
        ex = extract(doc)
        g = add_plan(new_dataset(), doc, ex)
        out["outcome"] += f", {len(g):,} triples"
except Exception as exc:
    out = {"outcome": f"{type(exc).__name__}: {str(exc)[:160]}"}
with open("/proc/self/status") as f:  # this process's own high-water mark
    out["hwm_mb"] = int(f.read().split("VmHWM:")[1].split()[0]) // 1024
print(json.dumps(out, ensure_ascii=False))
"""


def limit_value(name: str, src: Path) -> str:
    try:
        from plangraph.ingest import limits
    except ImportError:
        return name
    value = getattr(limits, name, None)
    return f"{name}={value:,}" if isinstance(value, int) else name


def run(path: Path, src: Path, through: str, cap: int, timeout: float) -> dict[str, object]:
    """Ingest ``path`` in a child; its outcome, peak RSS (``os.wait4``: this child's alone) and times."""
    import threading

    env = {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), through, str(cap)], env=env,
                                 stdout=out, stderr=err, text=True)
        timer = threading.Timer(timeout, child.kill)
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        text, errors = out.read(), err.read()
    try:
        result = json.loads(text.strip().splitlines()[-1])
    except (ValueError, IndexError):
        last = (errors.strip().splitlines() or [f"killed after {timeout:g} s" if wall >= timeout else "no output"])
        result = {"outcome": f"exit {child.returncode}: {last[-1][:160]}"}
    # VmHWM from the child itself where it got to print it; ru_maxrss carries the parent's
    # resident size at the fork over the exec, so it is only a fallback (an upper bound)
    result.update(peak_mb=result.pop("hwm_mb", None) or usage.ru_maxrss // 1024,
                  cpu_s=usage.ru_utime + usage.ru_stime, wall_s=wall)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", choices=sorted(KINDS), help="bomb kinds to run (default: all)")
    ap.add_argument("--through", choices=("ingest", "extract"), default="ingest")
    ap.add_argument("--cap-gb", type=float, default=3.0, help="address-space cap of each child (GB)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds a child may take")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the checkout's src folder to measure")
    args = ap.parse_args()
    cap = int(args.cap_gb * GiB)
    print(f"# bombs read through {args.through} by {args.src} (child address space capped at {args.cap_gb:g} GB)")
    print(f"{'kind':<17} {'file':>11} {'limit':<34} {'peak MB':>8} {'cpu s':>6} {'wall s':>6}  outcome")
    with tempfile.TemporaryDirectory(prefix="bombs-") as tmp:
        for kind in args.only or KINDS:
            name, make, limit = KINDS[kind]
            path = Path(tmp) / name
            path.write_bytes(make())
            r = run(path, args.src, args.through, cap, args.timeout)
            print(f"{kind:<17} {path.stat().st_size:>11,} {limit_value(limit, args.src):<34} {r['peak_mb']:>8} "
                  f"{r['cpu_s']:>6.1f} {r['wall_s']:>6.1f}  {r['outcome']}", flush=True)
            for finding in r.get("findings", [])[:2]:  # type: ignore[attr-defined]
                print(f"{'':<17} {'':>11} {'':<34} {'':>8} {'':>6} {'':>6}    finding: {finding[:150]}")
            path.unlink()


if __name__ == "__main__":
    main()
