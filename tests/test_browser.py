"""The served app in headless Chromium: ask a question, see a cited result, download
the result list, open an entity, visit every page (a plan's audit, one indicator across
plans picked by typing its name, and the comparison of the two plans included). Screenshots of each page go to
``screenshots/`` at the repository root (or ``$PLANGRAPH_SCREENSHOTS``).

Chromium is Debian's (``/usr/bin/chromium``, installed by ``scripts/test.sh``):
``playwright install`` cannot download browsers on these machines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plangraph.workspace import build

from .conftest import ROOT
from .serve import CHROMIUM, CHROMIUM_ARGS, browser_page, served_app

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PLANGRAPH_SCREENSHOTS", ROOT / "screenshots"))
TIMEOUT_MS = 30_000


def _need(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: scripts/test.sh installs it in CI")
    pytest.skip(f"{what} is not installed (bash scripts/test.sh installs it)")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, district_index: Path) -> Iterator[str]:
    """The app served on a free localhost port over a fake-encoder index."""
    if not CHROMIUM.exists():
        _need(str(CHROMIUM))
    index = district_index
    log = tmp_path_factory.mktemp("browser-log") / "streamlit.log"
    try:
        with served_app(ROOT / "app.py", index, log=log, timeout_s=60) as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser for the module (Playwright's sync API runs once per thread)."""
    if not CHROMIUM.exists():
        _need(str(CHROMIUM))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("playwright (the dev extra)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def page(served: str, chromium: Any) -> Iterator[Any]:
    with browser_page(chromium, served, timeout_ms=TIMEOUT_MS) as pg:
        yield pg


def _go(page: Any, label: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()


# What a reader of the Chinese page must not meet: Streamlit's English placeholders,
# the data's raw keys and codes, English chips and empty-cell words.
RAW = re.compile(r"Choose an? option|period_start|period_end|top_level_sections|table_rows|flagged-cell|"
                 r"glued-cell|only in [AB]\b|rows say|\(no section\)|^None$|^Commitment · |^Project · |"
                 r"^Indicator · ", re.MULTILINE)


def _no_raw_words(page: Any, where: str) -> None:
    """The visible text of the page in Chinese mode has no raw key or English placeholder."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
    text = page.get_by_test_id("stApp").inner_text()
    found = sorted({m.group(0) for m in RAW.finditer(text)})
    assert not found, f"{where}: {found}"


def test_question_cited_result_download_and_entity(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    pg = page
    expect(pg.get_by_role("heading", name="教育规划知识图谱 Education plan graph")).to_be_visible()
    box = pg.get_by_label("问题或关键词 Question or keywords")
    box.fill("马溪幼儿园")
    box.press("Enter")
    # A cited result: the plan and section of the card and the quote with the term marked.
    header = pg.get_by_test_id("stMarkdownContainer").filter(has_text="1. linan").first
    expect(header).to_contain_text("学前教育")
    expect(pg.get_by_test_id("stMarkdownContainer").filter(has_text="马溪幼儿园").first).to_be_visible()
    chip = pg.get_by_role("radio", name="建设项目 · 马溪幼儿园").first
    expect(chip).to_be_visible()
    expect(pg.get_by_text("相关程度 strength · 中").first).to_be_visible()  # fake encoder: unknown strength
    _no_raw_words(pg, "search")
    pg.screenshot(path=str(SHOTS / "search.png"))

    with pg.expect_download() as info:
        pg.get_by_role("button", name="下载 CSV Download CSV").click()
    saved = tmp_path / "search.csv"
    info.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith("\ufeffrank,strength,looks_back,score,scope_weight,plan,section,start,end,quote,"
                           "best_sentence,entities,passage_iri".encode())
    assert "Project: 马溪幼儿园" in data.decode("utf-8-sig")
    assert data.decode("utf-8-sig").count("\r\n") == 11  # header and ten hits

    chip.click()
    expect(pg.get_by_role("heading", name="建设项目 · 马溪幼儿园")).to_be_visible()
    expect(pg.get_by_text("原文出处 Source text · 字符 chars 18007–18046")).to_be_visible()
    graph = pg.get_by_test_id("stGraphVizChart").locator("svg")
    expect(graph).to_be_visible()
    expect(graph).to_contain_text("锦北街道")
    _no_raw_words(pg, "entity")
    pg.screenshot(path=str(SHOTS / "entity.png"))


def test_every_page_in_the_browser(page: Any) -> None:
    from playwright.sync_api import expect

    pg = page
    _go(pg, "规划 Plans")
    expect(pg.get_by_role("heading", name="临安区教育事业发展“十四五”规划 (linan)")).to_be_visible()
    _no_raw_words(pg, "plans")
    pg.screenshot(path=str(SHOTS / "plans.png"))
    pg.get_by_role("tab", name="建设项目 Projects").click()
    expect(pg.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    expect(pg.locator("canvas, svg.marks").first).to_be_visible()
    pg.screenshot(path=str(SHOTS / "plan-projects.png"))
    pg.get_by_role("tab", name="核查 Audit").click()
    expect(pg.get_by_text("一致 consistent").first).to_be_visible()
    expect(pg.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
    expect(pg.get_by_role("tabpanel", name="核查 Audit").get_by_test_id("stDataFrame")).to_be_visible()
    _no_raw_words(pg, "audit")
    pg.screenshot(path=str(SHOTS / "plan-audit.png"))

    _go(pg, "指标横向对比 One indicator across plans")
    picker = pg.get_by_test_id("stSelectbox").filter(has_text="统一指标（可输入筛选）")
    picker.click()
    pg.keyboard.type("儿童预期受教育年限")  # type to filter, then take the first match
    pg.keyboard.press("Enter")
    expect(pg.get_by_role("heading", name="儿童预期受教育年限")).to_be_visible()
    expect(pg.get_by_test_id("stMetric").filter(has_text="设定目标的规划 Plans with a target")).to_contain_text("1")
    expect(pg.get_by_test_id("stDataFrame").first).to_be_visible()
    expect(pg.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    expect(pg.get_by_role("button", name="下载 XLSX Download XLSX")).to_be_visible()
    _no_raw_words(pg, "across")
    pg.screenshot(path=str(SHOTS / "across.png"))

    _go(pg, "比较 Compare")
    expect(pg.get_by_test_id("stMetric").filter(has_text="仅见于 Only in linping")).to_be_visible()
    expect(pg.get_by_role("tab", name="承诺 Commitments")).to_be_visible()
    expect(pg.get_by_test_id("stDataFrame").first).to_be_visible()
    expect(pg.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
    _no_raw_words(pg, "compare")
    pg.screenshot(path=str(SHOTS / "compare.png"))

    _go(pg, "SPARQL")
    pg.get_by_role("button", name="运行 Run").click()
    expect(pg.get_by_text("行 rows").first).to_be_visible()
    expect(pg.get_by_test_id("stDataFrame").first).to_be_visible()
    from plangraph.graph.sparql import named_queries

    shown = next(iter(named_queries().values()))  # the query the page starts with
    expect(pg.get_by_text(shown.description_zh).first).to_be_visible()
    _no_raw_words(pg, "sparql")
    pg.screenshot(path=str(SHOTS / "sparql.png"))

    _go(pg, "导出 Export")
    expect(pg.get_by_role("button", name="下载 Download indicators-all.csv")).to_be_visible()
    button = pg.get_by_role("button", name="下载 Download indicators-all.csv")
    assert button.evaluate("b => b.scrollWidth <= b.clientWidth + 1"), "the download label is cut off"
    _no_raw_words(pg, "export")
    pg.screenshot(path=str(SHOTS / "export.png"))

    _go(pg, "实体 Entities")
    pg.get_by_role("button", name="关闭 Close").click()  # the entity opened earlier
    expect(pg.get_by_text("/ 30 行 rows").first).to_be_visible()
    _no_raw_words(pg, "entities")
    pg.screenshot(path=str(SHOTS / "entities.png"))


# -- a large index -------------------------------------------------------------------
# Sixty synthetic plans (benchmarks/synth.py, the fake encoder: about a minute to build on
# two free cores) served in Chromium: every page renders without an exception, a plan is
# picked by narrowing to its province, city and county, others by typing part of their
# name or place, the pages that computed over every
# plan on load (entities, export, compare) wait for a choice, and one indicator across
# plans counts every plan that sets it. Timings at 200 plans are
# benchmarks/bench_app_pages.py's; this test asserts behaviour only.
LARGE_PLANS = 60


@pytest.fixture(scope="module")
def large_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("large")
    plans = folder / "plans"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synth.py"), str(plans), "--plans",
                    str(LARGE_PLANS), "--seed", "0"], check=True, capture_output=True)
    build([plans], folder / "index", encoders=("fake",), progress=False)
    return folder / "index"


@pytest.fixture(scope="module")
def large_page(tmp_path_factory: pytest.TempPathFactory, large_index: Path, chromium: Any) -> Iterator[Any]:
    log = tmp_path_factory.mktemp("browser-large-log") / "streamlit.log"
    with served_app(ROOT / "app.py", large_index, log=log, timeout_s=60) as url:
        with browser_page(chromium, url, timeout_ms=60_000) as pg:
            yield pg


def _settled(page: Any, where: str) -> None:
    """The script has finished and the page shows no exception."""
    from playwright.sync_api import expect

    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
    exceptions = page.get_by_test_id("stException")
    assert exceptions.count() == 0, f"{where}: {exceptions.first.inner_text()}"


def _type_and_pick(page: Any, test_id: str, label: str, text: str) -> None:
    """Type ``text`` into the select box labelled ``label`` and take the first option left."""
    box = page.get_by_test_id(test_id).filter(has_text=label).first.locator("input")
    box.click()
    box.fill(text)
    page.get_by_role("option").first.wait_for()
    box.press("Enter")
    if test_id == "stMultiSelect":
        box.press("Escape")


COMPARED = re.compile(r"^[≥≤＞＜><]=?\s*\d")
"""A value shown with its comparator (``≥84``)."""


def _grid(page: Any, where: str) -> tuple[list[str], list[list[str]]]:
    """The headers and the rows on screen of the first data table (its accessible copy:
    the cells themselves are drawn on a canvas)."""
    grid = page.get_by_test_id("stDataFrame").first
    grid.locator("td").first.wait_for(state="attached")
    headers = [h.strip() for h in grid.locator("th").all_text_contents()]
    cells = grid.locator("td").all_text_contents()
    assert headers and len(cells) % len(headers) == 0, f"{where}: {len(cells)} cells under {headers}"
    return headers, [cells[i:i + len(headers)] for i in range(0, len(cells), len(headers))]


def test_large_index_every_page_and_plans_picked_by_name(large_page: Any, large_index: Path,
                                                        tmp_path: Path) -> None:
    from collections import Counter

    from playwright.sync_api import expect

    from plangraph.graph import planview
    from plangraph.interfaces import labels, present_plans
    from plangraph.workspace import Workspace

    pg = large_page
    ws = Workspace(large_index)
    meta = {p["plan"]: p["meta"] for p in ws.plans()}
    # A plan whose place no other plan has, to pick by typing the place, with a value
    # its table states with a comparator.
    regions = [m["region"] for m in meta.values()]
    wanted, indicators = next(
        (p, rows) for p, m in meta.items() if regions.count(m["region"]) == 1 and p != ws.plan_ids[0]
        for rows in [planview.indicator_table(ws.export_rows("indicators", p))]
        if any(COMPARED.match(str(v or "")) for r in rows for v in r.values()))
    place, title = meta[wanted]["region"], meta[wanted]["title"]
    other = next(p for p in ws.plan_ids if p not in (wanted, ws.plan_ids[0]))

    sidebar = pg.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"{LARGE_PLANS} 个规划", exact=False)).to_be_visible()
    caption = sidebar.get_by_text(f"{LARGE_PLANS} 个规划", exact=False).inner_text()
    for level, n in Counter(m["level"] for m in meta.values()).items():  # how many of which level
        assert f"{labels.value(level)} {n}" in caption, caption
    assert "synth-0001" not in sidebar.inner_text()  # a count, not the ids
    _settled(pg, "search")
    _no_raw_words(pg, "large: search")

    _go(pg, "规划 Plans")
    _settled(pg, "plans")
    # Picked by narrowing to its province, city and county (each box typed into, its
    # options counting the plans there), then the page shows the place's one plan.
    province, city, county = meta[wanted]["division"].split()
    in_province = sum(m["division"].split()[0] == province for m in meta.values())
    for box, name in (("省份 Province", province), ("市 City", city), ("区县 County", county)):
        _type_and_pick(pg, "stSelectbox", box, name)
        _settled(pg, f"plans: {box} {name}")
    expect(pg.get_by_role("combobox", name="省份 Province")).to_have_value(f"{province} ({in_province})")
    expect(pg.get_by_role("combobox", name="区县 County")).to_have_value(f"{county} (1)")
    expect(pg.get_by_role("heading", name=f"{title} ({wanted})")).to_be_visible()
    expect(pg.get_by_role("combobox", name="规划 Plan", exact=True)).to_have_value(re.compile(re.escape(f"({wanted})")))
    _settled(pg, "plans: picked by place")
    _no_raw_words(pg, "large: plans")
    pg.screenshot(path=str(SHOTS / "large-plans.png"))
    # Its table of indicators as stated (values with their comparators), headers in
    # Chinese, an empty cell empty: the rows on screen are the plan's first rows.
    pg.get_by_role("tab", name="指标 Indicators").click()
    _settled(pg, "plans: indicators")
    headers, shown = _grid(pg, "plans: indicators")
    assert headers == [labels.field(k) for k in indicators[0]]
    assert shown == [[str(v) for v in r.values()] for r in labels.display_rows(indicators)[:len(shown)]]
    assert any(COMPARED.match(c) for row in shown for c in row), shown
    # Its audit, drawn only when its tab is opened.
    pg.get_by_role("tab", name="核查 Audit").click()
    expect(pg.get_by_role("tabpanel", name="核查 Audit").get_by_test_id("stMarkdownContainer").first).to_be_visible()
    _settled(pg, "plans: audit")
    _no_raw_words(pg, "large: audit")

    _go(pg, "实体 Entities")
    expect(pg.get_by_text(f"索引有 {LARGE_PLANS} 个规划：请先选择要查看的规划").first).to_be_visible()
    _settled(pg, "entities")
    assert pg.get_by_test_id("stDataFrame").count() == 0  # nothing computed over every plan
    _type_and_pick(pg, "stMultiSelect", "规划（可多选）", place)
    expect(pg.get_by_test_id("stDataFrame").first).to_be_visible()
    _settled(pg, "entities: one plan")
    expect(pg.get_by_text("行 rows").first).to_be_visible()
    _no_raw_words(pg, "large: entities")
    # Indicators with their target and its comparator, in the plan's order.
    records = present_plans.entity_records(ws.entities("indicators", wanted))
    headers, shown = _grid(pg, "entities: indicators")
    assert headers == [labels.field(k) for k in records[0]]
    assert [row[headers.index("规划")] for row in shown] == [wanted] * len(shown)
    assert [row[headers.index("名称")] for row in shown] == [r["name"] for r in records[:len(shown)]]
    targets = [row[headers.index("目标值")] for row in shown]
    assert any(COMPARED.match(c) for c in targets), targets
    assert not {"None", "nan", "NaN"} & {c for row in shown for c in row}
    pg.screenshot(path=str(SHOTS / "large-entities.png"))

    _go(pg, "指标横向对比 One indicator across plans")  # one concept over every plan
    picker = pg.get_by_test_id("stSelectbox").filter(has_text="统一指标（可输入筛选）")
    picker.click()
    pg.keyboard.type("受教育年限")
    pg.keyboard.press("Enter")
    expect(pg.get_by_test_id("stMetric").filter(has_text="设定目标的规划 Plans with a target")).to_be_visible()
    expect(pg.get_by_test_id("stDataFrame").first).to_be_visible()
    _settled(pg, "across")
    with_target = pg.get_by_test_id("stMetric").filter(has_text="设定目标的规划 Plans with a target").inner_text()
    assert int(re.findall(r"\d+", with_target.replace("Plans with a target", ""))[-1]) > 1, with_target
    _no_raw_words(pg, "large: across")
    pg.screenshot(path=str(SHOTS / "large-across.png"))

    _go(pg, "比较 Compare")
    expect(pg.get_by_text("请选择两个规划").first).to_be_visible()
    _type_and_pick(pg, "stSelectbox", "规划 A", place)
    _type_and_pick(pg, "stSelectbox", "规划 B", other)
    expect(pg.get_by_test_id("stMetric").filter(has_text=f"仅见于 Only in {wanted}")).to_be_visible()
    _settled(pg, "compare")
    _no_raw_words(pg, "large: compare")
    pg.screenshot(path=str(SHOTS / "large-compare.png"))

    _go(pg, "SPARQL")
    pg.get_by_role("button", name="运行 Run").click()
    expect(pg.get_by_test_id("stDataFrame").first).to_be_visible()
    _settled(pg, "sparql")
    _no_raw_words(pg, "large: sparql")

    _go(pg, "导出 Export")
    expect(pg.get_by_text(f"未选规划时导出全部 {LARGE_PLANS} 个规划").first).to_be_visible()
    _settled(pg, "export")
    _no_raw_words(pg, "large: export")
    with pg.expect_download() as info:
        pg.get_by_role("button", name="下载 Download indicators-all.csv").click()
    saved = tmp_path / "indicators.csv"
    info.value.save_as(saved)
    body = saved.read_bytes().decode("utf-8-sig")
    assert sum(f",{p}," in body or f"\n{p}," in body for p in ws.plan_ids) > LARGE_PLANS // 2
    pg.screenshot(path=str(SHOTS / "large-export.png"))

    _go(pg, "检索 Search")
    box = pg.get_by_label("问题或关键词 Question or keywords")
    _type_and_pick(pg, "stSelectbox", "规划 Plan", place)
    box.fill("学前教育 毛入园率")
    box.press("Enter")
    expect(pg.get_by_text("相关程度 strength").first).to_be_visible()
    _settled(pg, "search: one plan")
    headers = pg.get_by_test_id("stMarkdownContainer").filter(has_text=re.compile(r"^\d+\. "))
    assert headers.count() > 0
    assert all(f". {wanted}" in h for h in headers.all_inner_texts())
