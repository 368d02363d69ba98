"""The commitments pages in headless Chromium, over the four plans (two districts, two
national documents): the plan × theme heat map and its downloads, which plans commit to
a theme picked by typing it, and the compare page with more than two plans (a district
against the other district and a national document: taken up, not found, local). Screenshots go where
``tests/test_browser.py`` puts them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT
from .serve import CHROMIUM, browser_page, served_app
from .test_browser import SHOTS, TIMEOUT_MS, _go, _need, _no_raw_words, chromium  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser
NATIONAL_2035 = "national-china-education-modernization-2035"


@pytest.fixture(scope="module")
def four_page(tmp_path_factory: pytest.TempPathFactory, four_plan_index: Path, chromium: Any) -> Iterator[Any]:  # noqa: F811

    if not CHROMIUM.exists():
        _need(str(CHROMIUM))
    log = tmp_path_factory.mktemp("browser-commitments") / "streamlit.log"
    try:
        with served_app(ROOT / "app.py", four_plan_index, log=log, timeout_s=60) as url:
            with browser_page(chromium, url, timeout_ms=TIMEOUT_MS) as pg:
                yield pg
    except RuntimeError as exc:
        pytest.fail(str(exc))


def _settled(pg: Any, timeout_ms: int = TIMEOUT_MS) -> None:
    from playwright.sync_api import expect

    expect(pg.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout_ms)


def test_heat_map_downloads_and_which_plans_commit_to_a_theme(four_page: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    pg = four_page
    _go(pg, "承诺与主题 Commitments by theme")
    expect(pg.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    expect(pg.locator("canvas, svg.marks").first).to_be_visible()
    _settled(pg)
    _no_raw_words(pg, "commitments heat map")
    pg.screenshot(path=str(SHOTS / "commitment-themes.png"))
    with pg.expect_download() as info:
        pg.get_by_role("button", name="下载 XLSX Download XLSX").click()
    saved = tmp_path / "themes.xlsx"
    info.value.save_as(saved)
    book = load_workbook(saved)
    assert book.sheetnames == ["matrix", "cells"]
    header = [c.value for c in book["matrix"][1]]
    assert header[0] == "plan" and "rural-teachers" in header and book["matrix"].max_row == 5

    pg.get_by_role("tab", name="哪些规划承诺某一主题 Which plans commit to a theme").click()
    picker = pg.get_by_test_id("stSelectbox").filter(has_text="主题（可输入筛选）")
    picker.click()
    pg.keyboard.type("乡村教师")
    pg.keyboard.press("Enter")
    # linan and both national documents commit to rural teachers; linping's excerpt does not
    expect(pg.get_by_test_id("stMetric").filter(has_text="作出承诺的规划")).to_contain_text("3 / 4")
    expect(pg.get_by_role("tabpanel", name="哪些规划承诺某一主题 Which plans commit to a theme")
           .get_by_test_id("stDataFrame")).to_be_visible()
    _settled(pg)
    _no_raw_words(pg, "which plans commit")
    pg.screenshot(path=str(SHOTS / "commitment-theme-plans.png"))


def test_compare_a_district_plan_with_two_others(four_page: Any) -> None:
    from playwright.sync_api import expect

    pg = four_page
    _go(pg, "比较 Compare")
    # the first comparison of two plans (linan, linping) is computed on load
    expect(pg.get_by_role("tab", name="承诺 Commitments")).to_be_visible(timeout=180_000)
    more = pg.get_by_test_id("stMultiSelect").filter(has_text="上级规划")
    more.click()
    pg.keyboard.type(NATIONAL_2035)
    pg.keyboard.press("Enter")
    pg.keyboard.press("Escape")
    expect(pg.get_by_role("heading", name="linan 对照上级规划")).to_be_visible(timeout=180_000)
    expect(pg.get_by_test_id("stMetric").filter(has_text="linping")).to_be_visible()
    expect(pg.get_by_test_id("stMetric").filter(has_text=NATIONAL_2035)).to_be_visible()
    expect(pg.get_by_test_id("stMetric").filter(has_text="本规划特有")).to_be_visible()
    expect(pg.get_by_test_id("stDataFrame").first).to_be_visible()
    pg.get_by_text("未见 Not found").click()
    _settled(pg)
    expect(pg.get_by_test_id("stDataFrame").first).to_be_visible()
    expect(pg.get_by_role("button", name="下载 CSV Download CSV")).to_be_visible()
    _no_raw_words(pg, "compare several plans")
    pg.screenshot(path=str(SHOTS / "compare-uptake.png"))
