"""Every page of the app, timed in headless Chromium on a large index.

Serves ``app.py`` over an index (``--src`` picks which source tree serves it, so that
two versions can be timed on the same index) and times, as a person would meet them:

  * start: the first page (search) interactive after the browser asks for it;
  * each page opened from the sidebar until its script has finished;
  * the interactions that were slow at 500 plans: a plan picked by typing part of its
    name, the plans narrowed by place (province, city, county typed into their boxes),
    an entity kind and plans on the entities page and the next page of the table,
    two plans compared, a search cold and warm, a named query, an export of one kind
    of every plan (until the file is downloaded).

Build a synthetic index first (a few minutes for 200 plans with the fake encoder)::

    python benchmarks/synth.py /tmp/p200 --plans 200
    plangraph build /tmp/p200 --index /tmp/ix200 --encoder fake --quiet
    python benchmarks/bench_app_pages.py --index /tmp/ix200 [--src OTHER/src]

``--only PAGE`` (repeatable: search, entities, plans, compare, sparql, export) times the
start and those pages alone, so that one page is not timed while an earlier one still
computes on the server (a compare of two plans at 500 plans goes on past ``--limit``).

Needs Debian's chromium (``/usr/bin/chromium``) and playwright (the dev extra).
Prints one line per step (seconds); asserts nothing. A step that does not finish
within ``--limit`` seconds prints ``>LIMIT`` and the run goes on with the next page.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.serve, the harness the browser test uses too

from tests.serve import CHROMIUM, CHROMIUM_ARGS, served_app  # noqa: E402

SIDEBAR = {"entities": "实体 Entities", "plans": "规划 Plans", "compare": "比较 Compare",
           "sparql": "SPARQL", "export": "导出 Export", "search": "检索 Search"}


def settle(page: Any, limit_s: float) -> None:
    """Wait until the app's script has run (a rerun that started is waited for)."""
    from playwright.sync_api import TimeoutError as Timeout

    app = page.get_by_test_id("stApp")
    try:  # a rerun that starts at once
        app.and_(page.locator("[data-test-script-state=running]")).wait_for(timeout=400)
    except Timeout:
        pass
    page.locator("[data-test-script-state=notRunning]").wait_for(timeout=limit_s * 1000)
    page.wait_for_timeout(50)


def pick(page: Any, test_id: str, label: str, text: str) -> None:
    """Type ``text`` into the select box labelled ``label`` and take the first match."""
    box = page.get_by_test_id(test_id).filter(has_text=label).first.locator("input")
    box.click()
    box.fill(text)
    page.wait_for_timeout(300)  # the browser filters the options as one types
    box.press("Enter")
    if test_id == "stMultiSelect":
        box.press("Escape")


def division(index: Path, plan: str) -> list[str]:
    """The names of the plan's division, province first (its facts in the index)."""
    manifest = json.loads((index / "manifest.json").read_text("utf-8"))
    record = json.loads((index / "plans" / manifest["plans"][plan]["shard"] / "plan.json").read_text("utf-8"))
    return str(record["meta"].get("division") or "").split()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the source tree that serves the app")
    ap.add_argument("--limit", type=float, default=240.0, help="seconds a step may take")
    ap.add_argument("--plan-a", default="synth-0150", help="typed to pick a plan (an id, a title or a place)")
    ap.add_argument("--plan-b", default="synth-0151")
    ap.add_argument("--only", action="append", choices=sorted(SIDEBAR), help="time only these pages (repeatable)")
    args = ap.parse_args()
    wanted = set(args.only or SIDEBAR)

    from playwright.sync_api import TimeoutError as Timeout
    from playwright.sync_api import sync_playwright

    os.environ["PYTHONPATH"] = str(args.src.resolve())
    new = (args.src.resolve() / "plangraph/interfaces/webapp/pickers.py").exists()
    narrows = new and "narrow_by_place" in (args.src.resolve() / "plangraph/interfaces/webapp/pickers.py").read_text()
    print(f"index {args.index} · app from {args.src} ({'pickers' if new else 'lists of ids'})")
    out = Path(os.environ.get("TMPDIR", "/tmp")) / "bench-app-pages"
    out.mkdir(exist_ok=True)
    with served_app(ROOT / "app.py", args.index, log=out / "streamlit.log", timeout_s=120) as url, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        page = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True,
                                   locale="zh-CN").new_page()
        page.set_default_timeout(args.limit * 1000)

        def step(name: str, action: Callable[[], None]) -> None:
            if name.split(":")[0] not in wanted | {"start"}:
                return
            t0 = time.perf_counter()
            try:
                action()
                settle(page, args.limit)
                shown = f"{time.perf_counter() - t0:7.2f}"
            except Timeout:
                shown = f">{args.limit:.0f}"
            errors = page.get_by_test_id("stException").count()
            print(f"  {name:<52} {shown} s{'  EXCEPTION on the page' if errors else ''}", flush=True)
            page.screenshot(path=str(out / f"{name.split(':')[0].replace(' ', '-')}.png"))

        def goto() -> None:
            page.goto(url)
            page.get_by_label("问题或关键词 Question or keywords").wait_for()

        def ask(q: str) -> Callable[[], None]:
            def run() -> None:
                box = page.get_by_label("问题或关键词 Question or keywords")
                box.fill(q)
                box.press("Enter")
                page.get_by_text("相关程度 strength").first.wait_for()
            return run

        def to(name: str) -> Callable[[], None]:
            return lambda: page.get_by_test_id("stSidebar").get_by_text(SIDEBAR[name], exact=True).click()

        step("start: search page interactive", goto)
        step("search: first question (cold)", ask("学前教育 毛入园率"))
        step("search: another question (warm)", ask("乡村教师 培训"))
        step("search: filter by plan, typed", lambda: pick(page, "stSelectbox", "规划 Plan", args.plan_a))
        step("entities: open page", to("entities"))
        step("entities: kind commitments", lambda: pick(page, "stSelectbox", "类型 Kind", "承诺"))
        if new:
            step("entities: one plan picked, typed", lambda: pick(page, "stMultiSelect", "规划（可多选）",
                                                                   args.plan_a))
            step("entities: a second plan added", lambda: pick(page, "stMultiSelect", "规划（可多选）",
                                                               args.plan_b))
            step("entities: next page of the table", lambda: page.get_by_test_id("stNumberInput")
                 .filter(has_text="页码").locator("button").last.click())
        step("plans: open page", to("plans"))
        step("plans: another plan picked, typed", lambda: pick(page, "stSelectbox", "规划 Plan", args.plan_b))
        step("plans: audit tab", lambda: page.get_by_role("tab", name="核查 Audit").click())
        place = division(args.index, args.plan_a) if narrows else []
        for box, name in zip(("省份 Province", "市 City", "区县 County"), place):
            step(f"plans: {box.split()[1].lower()} picked, typed ({name})",
                 lambda box=box, name=name: pick(page, "stSelectbox", box, name))
        if place:  # a place of several plans shows none until one is picked
            step("plans: the plan picked there, typed", lambda: pick(page, "stSelectbox", "规划 Plan", args.plan_a))
        step("compare: open page", to("compare"))
        if new:
            step("compare: plan A picked, typed", lambda: pick(page, "stSelectbox", "规划 A", args.plan_a))
            step("compare: plan B picked, typed (compares)", lambda: pick(page, "stSelectbox", "规划 B",
                                                                        args.plan_b))
        step("compare: method tfidf", lambda: pick(page, "stSelectbox", "相似度方法", "tfidf"))
        step("sparql: open page", to("sparql"))
        step("sparql: run the first named query", lambda: page.get_by_role("button", name="运行 Run").click())
        # answered from the rows each plan stored for it (the page asks by name)
        step("sparql: concept-across-plans picked, typed", lambda: pick(page, "stSelectbox", "预置查询",
                                                                      "concept-across-plans"))
        step("sparql: run it for all concepts", lambda: page.get_by_role("button", name="运行 Run").click())
        step("export: open page", to("export"))

        def download() -> None:
            with page.expect_download(timeout=args.limit * 1000) as info:
                page.get_by_role("button", name="下载 Download indicators-all.csv").click()
            info.value.path()

        step("export: indicators of every plan downloaded", download)
        browser.close()


if __name__ == "__main__":
    main()
