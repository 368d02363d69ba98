"""One indicator across plans and the review of a tie, in headless Chromium, over an index of
its own (a review rewrites the plan's ``indicator-ties.tsv`` and rebuilds the plan, so the
shared index of ``test_browser.py`` is left alone): the page opened by a link, the level
filter, the plans with and without a target, the tie's status, a reviewer confirming it,
the decision in the review file, and the XLSX download.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from plangraph.workspace import build

from .conftest import LINAN, ROOT
from .serve import CHROMIUM, served_app
from .test_browser import SHOTS, TIMEOUT_MS, _need, chromium  # noqa: F401  (chromium is a fixture)

pytestmark = pytest.mark.browser

CONCEPT = "working-age-years-of-schooling"


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app served over an index of a copy of Lin'an's plan; yields its URL and the copy's folder."""
    if not CHROMIUM.exists():
        _need(str(CHROMIUM))
    root = tmp_path_factory.mktemp("review")
    corpus = root / "corpus"
    corpus.mkdir()
    for f in (LINAN, LINAN.with_suffix(".meta.toml")):
        shutil.copy(f, corpus / f.name)
    index = root / "ix"
    build([corpus], index, encoders=("fake",), progress=False)
    try:
        with served_app(ROOT / "app.py", index, log=root / "streamlit.log", timeout_s=60) as url:
            yield url, corpus
    except RuntimeError as exc:
        pytest.fail(str(exc))


def test_a_reviewer_confirms_a_tie_on_the_across_page(reviewed: tuple[str, Path], chromium: Any,  # noqa: F811
                                                      tmp_path: Path) -> None:
    from playwright.sync_api import expect

    url, corpus = reviewed
    expect.set_options(timeout=TIMEOUT_MS)
    context = chromium.new_context(viewport={"width": 1400, "height": 1400}, accept_downloads=True, locale="zh-CN")
    try:
        context.set_default_timeout(TIMEOUT_MS)
        pg = context.new_page()
        pg.goto(f"{url}/?page=across&concept={CONCEPT}")
        expect(pg.get_by_role("heading", name="劳动年龄人口平均受教育年限")).to_be_visible()
        expect(pg.get_by_test_id("stMultiSelect").filter(has_text="规划层级 Plan levels")).to_be_visible()
        expect(pg.get_by_test_id("stMetric").filter(has_text="设定目标的规划 Plans with a target")).to_contain_text("1")
        expect(pg.get_by_test_id("stMetric").filter(has_text="未设定目标的规划 Plans without a target")).to_contain_text("0")
        expect(pg.get_by_test_id("stVegaLiteChart").first).to_be_visible()

        with pg.expect_download() as info:
            pg.get_by_role("button", name="下载 XLSX Download XLSX").click()
        saved = tmp_path / "across.xlsx"
        info.value.save_as(saved)
        assert saved.read_bytes()[:2] == b"PK"  # a workbook (zip), not an error page

        pg.get_by_text("审核指标关联 Review the ties").click()
        row = pg.get_by_role("combobox", name="指标 Indicator")
        expect(row).to_have_value("linan · 劳动年龄人口平均受教育年限")
        status = pg.get_by_test_id("stCaptionContainer").filter(has_text="当前关联状态 Status now")
        expect(status).to_contain_text("自动关联")  # the tie's status, beside the picker
        pg.get_by_test_id("stRadio").get_by_text("确认 Confirm").click()
        pg.get_by_role("button", name="保存并重建该规划 Save and rebuild the plan").click()
        expect(pg.get_by_test_id("stAlert").filter(has_text="已保存 Saved")).to_contain_text(
            "linan · 劳动年龄人口平均受教育年限 → 已确认")
        expect(status).to_contain_text("已确认")  # at once, no reload needed
        # the table shows the new status (read through its CSV: the grid is drawn on a canvas)
        with pg.expect_download() as info:
            pg.get_by_role("button", name="下载 CSV Download CSV").click()
        table = tmp_path / "across.csv"
        info.value.save_as(table)
        assert "已确认" in table.read_text("utf-8-sig") and "自动关联" not in table.read_text("utf-8-sig")
        pg.screenshot(path=str(SHOTS / "across-review.png"))
        pg.reload()  # and the decision holds when the page is opened again
        pg.get_by_text("审核指标关联 Review the ties").click()
        expect(pg.get_by_test_id("stCaptionContainer").filter(has_text="当前关联状态 Status now")).to_contain_text(
            "已确认")
    finally:
        context.close()
    review = (corpus / "indicator-ties.tsv").read_text("utf-8")
    line = next(x for x in review.splitlines() if x.startswith("linan\t劳动年龄人口平均受教育年限\t"))
    assert "\tconfirmed\t" in line and CONCEPT in line
