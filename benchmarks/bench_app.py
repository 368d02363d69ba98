"""The app as people meet it: served by Streamlit, driven by headless Chromium.

Measures
  * start-up: launching ``streamlit run app.py`` until ``/_stcore/health`` answers, and
    loading the page until the question box takes input (an interactive page);
  * search: typing a question and pressing Enter until the cards of that question's
    top hit are on the page and the script has finished, cold (the first question
    loads the encoders) and warm; beside it, the same search through the façade in
    this process, so the page's own share shows.

    .venv/bin/python benchmarks/bench_app.py                   # index from $PLANGRAPH_INDEX / indexes/default
    .venv/bin/python benchmarks/bench_app.py --index /tmp/ix   # any built index
    .venv/bin/python benchmarks/bench_app.py --build e5,use    # build one from corpus/ first (temp dir)
    .venv/bin/python benchmarks/bench_app.py --think 3         # first question 3 s after the page is ready

Needs Debian's chromium (``/usr/bin/chromium``) and playwright (the dev extra).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # tests.serve, the harness the browser test uses too

from tests.serve import CHROMIUM, CHROMIUM_ARGS, served_app  # noqa: E402

from plangraph.workspace import Workspace, build, default_index  # noqa: E402

QUESTIONS = ["乡村教师", "学前教育 毛入园率", "校园安全", "职业教育 产教融合", "教师培训基地",
             "义务教育 优质均衡", "特殊教育 随班就读", "rural teachers"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=None)
    ap.add_argument("--build", metavar="ENCODERS", help="build an index from corpus/ first, e.g. e5,use or fake")
    ap.add_argument("--chromium", default=str(CHROMIUM))
    ap.add_argument("--think", type=float, default=0.0, metavar="S",
                    help="seconds between the page becoming interactive and the first question "
                         "(a person reading it and typing; 0 asks at once, the worst case)")
    args = ap.parse_args()

    from playwright.sync_api import expect, sync_playwright

    tmp = tempfile.TemporaryDirectory(prefix="bench-app-")
    index = args.index or default_index()
    if args.build:
        index = Path(tmp.name) / "ix"
        t0 = time.perf_counter()
        build([ROOT / "corpus"], index, encoders=tuple(args.build.split(",")), progress=False)
        print(f"build ({args.build}): {time.perf_counter() - t0:.1f} s")
    ws = Workspace(index)
    print(f"index: {index} · encoders {', '.join(ws.manifest['encoders'])} · plans {', '.join(ws.plan_ids)}")
    expected = {}
    core: list[float] = []
    for i, q in enumerate(QUESTIONS):
        t0 = time.perf_counter()
        hits = ws.search(q, 10)
        if i:  # the first loads the encoders
            core.append(time.perf_counter() - t0)
        expected[q] = hits[0].passage_iri

    t_launch = time.perf_counter()
    with served_app(ROOT / "app.py", index) as url:
        t_healthy = time.perf_counter()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=list(CHROMIUM_ARGS))
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            expect.set_options(timeout=120_000)
            t_goto = time.perf_counter()
            page.goto(url)
            box = page.get_by_label("问题或关键词 Question or keywords")
            expect(box).to_be_editable()
            t_ready = time.perf_counter()
            page.wait_for_timeout(args.think * 1000)
            app = page.get_by_test_id("stApp")
            timings = []
            for q in QUESTIONS:
                t0 = time.perf_counter()
                box.fill(q)
                box.press("Enter")
                expect(page.get_by_role("link", name=expected[q]).first).to_be_visible()
                expect(app).to_have_attribute("data-test-script-state", "notRunning")
                timings.append(time.perf_counter() - t0)
            browser.close()
    tmp.cleanup()

    warm = timings[1:]
    print(f"start-up: server healthy {t_healthy - t_launch:.2f} s, page interactive "
          f"{t_ready - t_goto:.2f} s after the browser asks for it, "
          f"{t_ready - t_launch:.2f} s from launch (browser start included)")
    print(f"search in the browser: first {timings[0]:.2f} s ({args.think:g} s after the page was interactive); "
          f"then median "
          f"{statistics.median(warm):.2f} s, max {max(warm):.2f} s over {len(warm)} questions")
    print(f"search through the façade (same questions, warm): median {statistics.median(core) * 1000:.0f} ms, "
          f"max {max(core) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
