"""Where a build's memory goes: the peak RSS of the building process in each stage.

Builds N synthetic plans (``benchmarks/synth.py``) with the fake encoder in this
process while a thread samples its RSS every 50 ms; each stage of the build is marked
by wrapping the function that does it. Worker processes (plans are built on them) are
not included: ``bench_scale.py`` shows their peak.

Usage::

    python benchmarks/bench_build_memory.py 150 [--work DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_corpus  # noqa: E402

STAGES = [  # (module, attribute, label): what each stage of a build is done by
    ("plangraph.search.build", "_write_chunk", "search: embed and write shards"),
    ("plangraph.search.build", "add_ann", "search: ANN update"),
    ("plangraph.search.build", "open_lexical", "search: lexical index"),
    ("plangraph.workspace.writer", "IndexWriter._roll_forward", "store: plans rolled in"),
    ("plangraph.workspace.writer", "IndexWriter._shared_change", "store: shared graph"),
    ("plangraph.workspace.writer", "IndexWriter._publish", "store: snapshot and manifest"),
]


def _rss_mb() -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def _mark(owner: Any, name: str, label: str, stage: list[str]) -> None:
    real: Callable[..., Any] = getattr(owner, name)

    def marked(*args: Any, **kwargs: Any) -> Any:
        before = stage[0]
        stage[0] = label
        try:
            return real(*args, **kwargs)
        finally:
            stage[0] = before

    setattr(owner, name, marked)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("plans", type=int, help="number of synthetic plans")
    parser.add_argument("--work", type=Path, default=Path("/tmp/plangraph-bench-memory"))
    args = parser.parse_args(argv)
    import importlib

    from plangraph.workspace import build

    inputs, index = args.work / f"n{args.plans}" / "in", args.work / f"n{args.plans}" / "ix"
    if len(list(inputs.glob("*.txt"))) != args.plans:
        shutil.rmtree(inputs, ignore_errors=True)
        write_corpus(inputs, args.plans)
    shutil.rmtree(index, ignore_errors=True)
    shutil.rmtree(index.parent / ".embedding-cache", ignore_errors=True)
    stage = ["other (ingest results, registry, start)"]
    peaks: dict[str, int] = {}
    for module, attr, label in STAGES:
        owner: Any = importlib.import_module(module)
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part)
        _mark(owner, name, label, stage)

    def sample() -> None:
        while True:
            peaks[stage[0]] = max(peaks.get(stage[0], 0), _rss_mb())
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    t0 = time.perf_counter()
    summary = build([inputs], index, encoders=("fake",), progress=False)
    time.sleep(0.2)
    print(f"{len(summary.plans)} plans built in {time.perf_counter() - t0:.1f} s "
          f"({', '.join(f'{k} {v:.1f} s' for k, v in summary.seconds.items())})")
    print("| stage | peak RSS MB of the building process |\n| --- | --- |")
    for label, mb in sorted(peaks.items(), key=lambda kv: -kv[1]):
        print(f"| {label} | {mb} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
