"""Add one plan to a built index, timed by stage: versions of the code side by side.

Each run copies the index (the plan and search shards, which no change rewrites, as
hard links; the store, the search generations and the manifest as files), then runs
``plangraph.workspace.add`` on the copy in a child process with the package of one
``--src`` folder, and prints the build's own stage timers (plans, views, index, store),
the time that no timer covers (opening the writer, reading the registry, the checks
before the stages), a cProfile of the child's calls (``--profile``: the functions of
the most cumulative time), and the load average beside each figure. With several
``--src`` the versions take turns (A B B A …), so a change in the machine's load falls on
every version alike::

    git -C /work/main archive c640ee4 src ontology | tar -x -C /tmp/before
    python benchmarks/bench_add_one.py --index /tmp/ix500 --plan extra/synth-extra.txt \\
        --src /tmp/before/src --src src --rounds 2

``--plan`` defaults to a district plan of ``benchmarks/synth.py`` (``synth-extra``, as
``bench_scale.py`` adds). ``--first-add`` has each version add another plan first,
untimed: the timed add then changes an index written by that version (an index built by
older code lacks what newer code records for the next change). The copies go to ``--work`` and are removed after each run.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

CHILD = r"""
import cProfile, io, json, pstats, sys, time
t0 = time.perf_counter()
from plangraph.workspace import add
imported = time.perf_counter() - t0
profile = cProfile.Profile() if sys.argv[3] == "1" else None
t0 = time.perf_counter()
if profile:
    profile.enable()
s = add([sys.argv[2]], sys.argv[1], progress=False, workers=1)
if profile:
    profile.disable()
total = time.perf_counter() - t0
top = ""
if profile:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
    top = out.getvalue()
print(json.dumps({"seconds": total, "import_s": imported, "parts": s.seconds, "plans": len(s.plans),
                  "added": list(s.added), "replaced": list(s.replaced), "profile": top}))
"""


def _extra_plan(folder: Path, plan_id: str = "synth-extra", seed: int = 99) -> Path:
    """One more district plan (id ``synth-extra``), as ``bench_scale.py`` adds it."""
    from synth import generate

    folder.mkdir(parents=True, exist_ok=True)
    plan = dataclasses.replace(next(generate(1, seed=seed)), plan_id=plan_id)
    path = folder / f"{plan_id}.txt"
    path.write_text(plan.text, "utf-8")
    path.with_suffix(".meta.toml").write_text(plan.meta_toml(), "utf-8")
    return path


def copy_index(src: Path, dst: Path) -> None:
    """``src`` copied to ``dst``: the plan and search shards (never written in place) as hard
    links, the store, the search generations and the manifest as files (``cp -a`` keeps the
    snapshots' hard links to the store's table files as links)."""
    subprocess.run(["cp", "-al", str(src), str(dst)], check=True)
    for part in [dst / "store", *(p for p in (dst / "search").iterdir() if p.name != "shards")]:
        shutil.rmtree(part) if part.is_dir() else part.unlink()
        subprocess.run(["cp", "-a", str(src / part.relative_to(dst)), str(part)], check=True)
    (dst / "manifest.json").unlink()
    shutil.copy2(src / "manifest.json", dst / "manifest.json")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run_one(index: Path, plan: Path, src: Path, work: Path, profile: bool,
            first: Path | None = None) -> dict:  # type: ignore[type-arg]
    copy = work / "ix"
    if copy.exists():
        shutil.rmtree(copy)
    copy_index(index, copy)
    load = _load()
    env = {**os.environ, "PYTHONPATH": str(src.resolve())}
    if first is not None:  # a first change by this version, untimed, in a process of its own
        subprocess.run([sys.executable, "-c", "import sys; from plangraph.workspace import add; "
                        "add([sys.argv[2]], sys.argv[1], progress=False, workers=1)", str(copy), str(first)],
                       check=True, capture_output=True, env=env, cwd=str(src.resolve().parent))
        load = _load()
    out = subprocess.run([sys.executable, "-c", CHILD, str(copy), str(plan), "1" if profile else "0"],
                         capture_output=True, text=True, env=env, cwd=str(src.resolve().parent))
    shutil.rmtree(copy)
    if out.returncode:
        raise SystemExit(f"add with {src} failed:\n{out.stderr[-3000:]}")
    result = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    result["load"] = load
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="a built index (not changed: copied per run)")
    parser.add_argument("--plan", type=Path, help="the plan file to add (default: synth-extra)")
    parser.add_argument("--src", type=Path, action="append", help="a package's src folder (repeatable)")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each version (A B B A …)")
    parser.add_argument("--profile", action="store_true", help="print each version's first cProfile")
    parser.add_argument("--work", type=Path, default=None, help="where the copies go (default: a temp folder)")
    parser.add_argument("--first-add", action="store_true",
                        help="have each version add another plan first, untimed, so that the timed add "
                             "changes an index that version wrote (what it records for the next change)")
    args = parser.parse_args()
    srcs = args.src or [Path(__file__).resolve().parents[1] / "src"]
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        plan = args.plan or _extra_plan(Path(tmp) / "extra")
        first = _extra_plan(Path(tmp) / "first", "synth-first", 98) if args.first_add else None
        order = [s for r in range(args.rounds) for s in (srcs if r % 2 == 0 else srcs[::-1])]
        results: dict[str, list[dict]] = {str(s): [] for s in srcs}  # type: ignore[type-arg]
        for src in order:
            r = run_one(args.index, plan, src, Path(tmp), args.profile and not results[str(src)], first)
            results[str(src)].append(r)
            parts = r["parts"]
            rest = r["seconds"] - sum(parts.values())
            print(f"{src}: add {r['seconds']:.2f} s ({', '.join(f'{k} {v:.2f}' for k, v in parts.items())}, "
                  f"outside the stages {rest:.2f}); {r['plans']} plans; load {r['load']}", flush=True)
            if r["profile"]:
                print(r["profile"], flush=True)
        print("\n| version | add 1 plan s (each run) | p50 s | plans s | views s | index s | store s | "
              "outside the stages s | load at each start |\n|---|---|---|---|---|---|---|---|---|")
        for src, rs in results.items():
            def med(key: str, rs: list[dict] = rs) -> str:  # type: ignore[type-arg]
                return f"{statistics.median(r['parts'].get(key, 0.0) for r in rs):.2f}"
            rest = statistics.median(r["seconds"] - sum(r["parts"].values()) for r in rs)
            each = " / ".join(f"{r['seconds']:.2f}" for r in rs)
            print(f"| {src} | {each} | "
                  f"{statistics.median(r['seconds'] for r in rs):.2f} | {med('plans')} | {med('views')} | "
                  f"{med('index')} | {med('store')} | {rest:.2f} | {', '.join(r['load'] for r in rs)} |")


if __name__ == "__main__":
    main()
