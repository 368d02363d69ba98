"""The app's behaviour on a large index, checked on the two district plans with the
size above which pages wait for a choice (``pickers.SMALL_INDEX``) lowered to one plan:
plans are picked by title and place, the entities table waits for plans and pages its
rows, export makes its files only on a click, compare computes nothing before two plans
are picked. ``tests/test_browser.py`` serves a real index of 60 plans in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from plangraph.interfaces.webapp import entities_page, pickers
from plangraph.workspace import Workspace

from .conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def large(district_index: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(district_index))
    monkeypatch.setattr(pickers, "SMALL_INDEX", 1)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_pickers_show_title_and_place_not_ids(large: AppTest) -> None:
    go(large, "plans")
    picker = large.selectbox(key="plan_pick")
    assert picker.options == ["临安区教育事业发展“十四五”规划 · 浙江省 杭州市 临安区 (linan)",
                              "临平区教育事业发展“十四五”规划（节选） · 浙江省 杭州市 临平区 (linping)"]
    picker.set_value("linping").run()
    assert large.subheader[0].value == "临平区教育事业发展“十四五”规划（节选） (linping)"
    go(large, "search")
    assert large.selectbox(key="search_plan").options[0] == "全部规划 All plans"
    assert "(linan)" in large.selectbox(key="search_plan").options[1]


def test_entities_wait_for_plans_then_show_only_theirs_a_page_at_a_time(
        large: AppTest, district_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    go(large, "entities")
    assert large.info[0].value.startswith("索引有 2 个规划：请先选择要查看的规划")
    assert not large.dataframe
    large.selectbox(key="entity_kind").set_value("commitments")
    monkeypatch.setattr(entities_page, "PAGE_ROWS", 25)
    large.multiselect(key="entity_plans").set_value(["linping"]).run()
    assert not large.exception
    every = [r for r in Workspace(district_index).entities("commitments") if "linping" in r.facets["plan"]]
    assert len(every) > 25
    caption = next(c.value for c in large.caption if "/" in c.value)
    assert caption == f"{len(every)} / {len(every)} 行 rows"
    shown = large.dataframe[0].value
    assert len(shown) == 25 and set(shown.iloc[:, 0]) == {"linping"}
    large.number_input(key=f"entity_page_commitments_{-(-len(every) // 25)}").set_value(2).run()
    second = large.dataframe[0].value
    assert list(second["iri"]) == [r.iri for r in every[25:50]]


def test_export_makes_every_plan_only_on_a_click(large: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[str, tuple[str, ...] | None]] = []
    from plangraph.interfaces import writers

    real = writers.export_bytes

    def counted(ws: Workspace, kind: str, fmt: str, plans: tuple[str, ...] | None) -> bytes:
        made.append((kind, plans))
        return real(ws, kind, fmt, plans)

    monkeypatch.setattr(writers, "export_bytes", counted)
    go(large, "export")
    assert large.main.caption[0].value.startswith("未选规划时导出全部 2 个规划")
    assert made == []  # the button is there, the file is not made yet
    assert "indicators-all.csv" in large.get("download_button")[0].proto.label
    assert large.markdown[-1].value.startswith("**预览（linan） Preview (linan)**")


def test_compare_computes_nothing_before_two_plans_are_picked(large: AppTest,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, str]] = []
    real = Workspace.compare

    def counted(self: Workspace, a: str, b: str, **kw: object) -> object:
        asked.append((a, b))
        return real(self, a, b, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Workspace, "compare", counted)
    go(large, "compare")
    assert large.info[0].value == "请选择两个规划（输入名称或地名查找）。 Pick two plans (type a name or place)."
    assert asked == []
    large.selectbox(key="compare_a").set_value("linan")
    large.selectbox(key="compare_b").set_value("linping").run()
    assert not large.exception
    assert asked[-1] == ("linan", "linping")
    assert [m.label for m in large.metric][0] == "共有 Shared"


def test_plan_page_draws_only_the_open_tab_and_audits_when_asked(large: AppTest, district_index: Path) -> None:
    go(large, "plans")
    frames = [d.value for d in large.dataframe]
    assert not any("check" in f.columns for f in frames)  # the audit waits for its tab
    assert not any("section" in f.columns for f in frames)
    assert large.subheader[0].value == "临安区教育事业发展“十四五”规划 (linan)"
    assert ("建设项目", "39") in {(m.label, m.value) for m in large.metric}  # the overview tab, open first
    large.session_state["plan_tab"] = "核查 Audit"
    large.run()
    assert not large.exception
    (audit,) = [d.value for d in large.dataframe if "check" in d.value.columns]
    assert len(audit) == len(Workspace(district_index).audit("linan").rows())
    assert not large.metric  # the overview is not drawn meanwhile


def test_search_filters_are_drawn_only_while_open_and_kept_while_closed(large: AppTest,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from plangraph.interfaces import present_search

    drawn: list[int] = []
    real = present_search.place_choices
    monkeypatch.setattr(present_search, "place_choices", lambda plans: drawn.append(1) or real(plans))
    large.text_input(key="q").set_value("教师").run()
    assert not large.exception and drawn == []  # the closed panel is not drawn: no places read
    assert not [w for w in large.multiselect if w.key == "search_groups"]
    unfiltered = [md.value for md in large.markdown if md.value.startswith(">")]
    large.session_state["search_filters"] = True  # the reader opens the panel
    large.run()
    assert drawn and large.selectbox(key="search_place").options[0] == "全部地区 All places"
    large.multiselect(key="search_groups").set_value(["rural-teachers"]).run()
    narrowed = [md.value for md in large.markdown if md.value.startswith(">")]
    assert narrowed and narrowed != unfiltered
    large.session_state["search_filters"] = False  # closed again: the filter still applies
    large.run()
    assert not large.exception and not [w for w in large.multiselect if w.key == "search_groups"]
    assert [md.value for md in large.markdown if md.value.startswith(">")] == narrowed
    large.session_state["search_filters"] = True
    large.run()
    assert large.multiselect(key="search_groups").value == ["rural-teachers"]


def test_the_app_loads_what_pages_need_in_the_background_once_per_index(district_index: Path) -> None:
    import sys

    from plangraph.interfaces.webapp import common

    ws = Workspace(district_index)
    assert ws._dataset is None
    key = common.index_key(district_index)
    thread = common.preload_in_background(key, ws, 0.0)
    assert common.preload_in_background(key, ws, 0.0) is thread  # once per index
    thread.join(60)
    assert ws._dataset is not None and "pandas" in sys.modules
    assert ws._searcher is not None  # after the search index, which the first question needs
    from plangraph.search import lexical

    assert lexical._JIEBA._tok is not None and "streamlit.emojis" in sys.modules  # the cards' words, pills
    common.preload_in_background.clear()


def test_a_plans_sections_are_read_once_while_it_is_picked(large: AppTest, district_index: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from plangraph.interfaces import present_search
    from plangraph.interfaces.webapp import common

    asked: list[str] = []
    real = Workspace.sections
    monkeypatch.setattr(Workspace, "sections", lambda self, plan: asked.append(plan) or real(self, plan))
    common._sections.clear()
    large.selectbox(key="search_plan").set_value("linping").run()
    for question in ("教师", "学前教育", "校长"):
        large.text_input(key="q").set_value(question).run()
        assert not large.exception
    assert asked == ["linping"]
    sections = present_search.section_choices(Workspace(district_index).sections("linping"))
    assert large.selectbox(key="search_section_linping").options == ["全部章节 All sections", *sections.values()]


def test_a_column_of_numbers_with_empty_cells_is_shown_as_text() -> None:
    import pandas as pd
    import pyarrow as pa

    from plangraph.interfaces.webapp.common import one_type

    rows = [{"start": 5, "end": 9, "ok": True, "n": 1.5}, {"start": "", "end": 12, "ok": False, "n": 2}]
    shown = one_type(rows)
    assert shown == [{"start": "5", "end": 9, "ok": True, "n": 1.5}, {"start": "", "end": 12, "ok": False, "n": 2}]
    pa.Table.from_pandas(pd.DataFrame(shown))  # what Streamlit sends: no conversion error
    with pytest.raises((pa.ArrowTypeError, pa.ArrowInvalid)):  # what Streamlit met before
        pa.Table.from_pandas(pd.DataFrame(rows))
    assert one_type(rows[:1]) == rows[:1]  # no empty cell: numbers stay numbers
