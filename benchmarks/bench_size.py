"""Time and peak memory of each build stage for one big plan.

For plans of 1, 10 and 50 MB, in two shapes:

- ``normal``: the Lin'an plan body rewritten again and again by ``synth.py`` (places,
  numbers and sentences perturbed, so it is not one copy many times), line breaks kept;
- ``one-line``: the same text with every line break removed: one giant line.

each plan runs in a child process of its own (so that one hang cannot stop the table),
and the table gives each stage's CPU seconds (steadier than wall time on a shared
machine; the stages are single-threaded, and the notes under the table give wall time)
and peak resident memory:

    ingest    ingest_file (decode, chrome, tables, sections, passages)
    extract   extract (indicators, programmes, projects, commitments, bodies, places)
    graph     build_graph for that one plan
    search    sentence splitting of every passage and the lexical index (no embedding)
    shacl     SHACL validation of the plan's graph

Peak memory is the process's high-water mark over that stage alone (the mark is reset
through ``/proc/self/clear_refs`` before each stage), so it includes what earlier
stages still hold. A stage that passes ``--timeout`` seconds is shown as ``>T`` and the
later stages of that plan are skipped.

    .venv/bin/python benchmarks/bench_size.py [--mb 1 10 50] [--shape normal one-line]
        [--timeout 600] [--max-gb 12] [--src OTHER_CHECKOUT/src]

``--src`` measures another checkout's code (e.g. before a change) on the same input.
Plans larger than the ingest size limit are measured with the limit lifted.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("ingest", "extract", "graph", "search", "shacl")
SHAPES = ("normal", "one-line")
TEMPLATE = ROOT / "corpus" / "linan-2022-education-14th-fyp.raw.txt"


def make_plan(mb: float, shape: str) -> str:
    """A plan of about ``mb`` MB (UTF-8) in the given shape; deterministic."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import synth

    target = int(mb * 1024 * 1024)
    # a title line, then bodies without the page's chrome and its second copy
    parts = ["临安区教育事业发展“十四五”规划\n"]
    size = len(parts[0].encode("utf-8"))
    plans = synth.generate(10**6, seed=7, templates=[TEMPLATE])
    while size < target:
        text = next(plans).text
        body = text[text.index("一、") : text.index("分享:")]
        body = body[: target - size] if size + len(body.encode("utf-8")) > target else body
        parts.append(body)
        size += len(body.encode("utf-8"))
    text = "".join(parts)
    return text.replace("\n", "") if shape == "one-line" else text


def _peak_mb() -> float:
    status = Path("/proc/self/status").read_text()
    m = re.search(r"VmHWM:\s+(\d+)", status)
    return int(m.group(1)) / 1024 if m else float("nan")


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # not Linux: the peak then covers earlier stages too


def child(path: Path, max_gb: float) -> None:
    """Run every stage on ``path``, printing one JSON line per finished stage."""
    # a stage that would take the machine's memory fails here instead
    limit = int(max_gb * 1024**3)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.environ.setdefault("PLANGRAPH_MAX_PLAN_BYTES", str(path.stat().st_size + 1))
    from plangraph.extract.pipeline import extract
    from plangraph.graph.build import build_graph
    from plangraph.graph.ontology import validate
    from plangraph.ingest.pipeline import ingest_file
    from plangraph.search.lexical_index import LexicalIndex
    from plangraph.text import sentence_spans

    state: dict[str, object] = {}

    def run(stage: str) -> str:
        if stage == "ingest":
            doc = state["doc"] = ingest_file(path)
            return f"{len(doc.passages)} passages, {len(doc.sections)} sections, {len(doc.tables)} tables"
        if stage == "extract":
            ex = state["ex"] = extract(state["doc"])  # type: ignore[arg-type]
            return f"{sum(ex.counts().values())} mentions"
        if stage == "graph":
            ds = state["ds"] = build_graph([(state["doc"], state["ex"])])  # type: ignore[list-item]
            return f"{len(ds)} triples"
        if stage == "search":
            contents = [p.content for p in state["doc"].passages]  # type: ignore[attr-defined]
            n = sum(len(sentence_spans(c)) for c in contents)
            longest = max((len(c) for c in contents), default=0)
            with tempfile.TemporaryDirectory() as tmp:
                LexicalIndex.create(Path(tmp) / "lexical").add_shards([("big", "big", contents)])
            return f"{n} sentences, longest passage {longest} chars"
        report = validate(state["ds"])  # type: ignore[arg-type]
        return f"conforms={report.conforms}"

    for stage in STAGES:
        _reset_peak()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            note = run(stage)
        except MemoryError:
            print(json.dumps({"stage": stage, "s": None, "mb": None,
                              "note": f"out of memory after {time.perf_counter() - t0:.0f} s (limit {max_gb:g} GB)"}),
                  flush=True)
            return
        print(json.dumps({"stage": stage, "s": time.process_time() - c0, "wall": time.perf_counter() - t0,
                          "mb": _peak_mb(), "note": note}), flush=True)


def measure(path: Path, src: Path, timeout: float, max_gb: float) -> dict[str, dict[str, object]]:
    """Stage → {"s", "mb", "note"} for one plan file; a stage over ``timeout`` (or out of
    memory) gets s=None."""
    env = dict(os.environ, PYTHONPATH=str(src))
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(path), "--max-gb", str(max_gb)], env=env,
                            stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    out: dict[str, dict[str, object]] = {}
    while True:
        started = time.monotonic()
        try:
            line = lines.get(timeout=timeout)  # the limit is per stage
        except queue.Empty:
            proc.kill()
            proc.wait()
            pending = next(s for s in STAGES if s not in out)
            out[pending] = {"s": None, "mb": None, "note": f"stopped after {time.monotonic() - started:.0f} s"}
            break
        if line is None:
            break
        row = json.loads(line)
        out[row["stage"]] = row
    proc.wait()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, nargs="+", default=[1, 10, 50])
    ap.add_argument("--shape", choices=SHAPES, nargs="+", default=list(SHAPES))
    ap.add_argument("--timeout", type=float, default=600, help="seconds per stage before it is stopped")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the plangraph source to measure")
    ap.add_argument("--max-gb", type=float, default=12, help="address-space limit of each measuring process")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.max_gb)
        return

    print(f"{'plan':>14} " + " ".join(f"{s + ' s':>9} {s + ' MB':>10}" for s in STAGES))
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shape:
            for mb in args.mb:
                path = Path(tmp) / f"big-{shape}-{mb:g}mb.txt"
                path.write_text(make_plan(mb, shape), encoding="utf-8")
                res = measure(path, args.src, args.timeout, args.max_gb)
                cells = []
                for s in STAGES:
                    row = res.get(s)
                    if row is None:
                        cells.append(f"{'-':>9} {'-':>10}")
                    elif row["s"] is None:
                        over = "oom" if "memory" in str(row["note"]) else ">" + format(args.timeout, "g")
                        cells.append(f"{over:>9} {'-':>10}")
                    else:
                        cells.append(f"{row['s']:9.1f} {row['mb']:10.0f}")
                label = f"{mb:g} MB {shape}"
                print(f"{label:>14} " + " ".join(cells), flush=True)
                notes.append(f"{label}: " + "; ".join(
                    f"{s}: {res[s]['note']}" + (f" ({res[s]['wall']:.1f} s wall)" if res[s].get("wall") else "")
                    for s in STAGES if s in res))
                path.unlink()
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
