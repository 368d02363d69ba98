"""Plans picked by place on a large index: province → city → county boxes above every
plan picker, each listing the places of the index's plans with their counts, a province's
or city's own documents, the national documents and the plans whose place is not known.
Checked on the places index (the district plans and the fragments of other places' plans
in tests/data/plans: a province's plan, cities' plans, a municipality's district, a report
of no place) with the size above which pickers narrow (``pickers.SMALL_INDEX``) lowered."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from plangraph.interfaces.webapp import pickers
from plangraph.interfaces.webapp.pickers import NATIONAL, OWN, UNKNOWN, PlanChoice, place_options

from .conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def app(places_index: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(places_index))
    monkeypatch.setattr(pickers, "SMALL_INDEX", 1)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    at.sidebar.radio(key="page").set_value("plans").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_provinces_with_counts_in_division_order_and_place_not_known_last(app: AppTest) -> None:
    box = app.selectbox(key="plan_pick_province")
    assert box.options == ["全部地区 All places (15)", "浙江省 (3)", "安徽省 (2)", "福建省 (1)", "山东省 (5)",
                           "重庆市 (1)", "甘肃省 (1)", "青海省 (1)", "地点不详 Place not known (1)"]
    assert app.selectbox(key="plan_pick_city").disabled  # nothing to narrow before a province
    assert len(app.selectbox(key="plan_pick").options) == 15


def test_a_plan_picked_by_province_city_and_county_is_shown(app: AppTest) -> None:
    app.selectbox(key="plan_pick_province").set_value("山东省").run()
    city = app.selectbox(key="plan_pick_city")
    assert city.options == ["全部地区 All places (5)", "青岛市 (1)", "烟台市 (1)", "临沂市 (3)"]
    assert [o.rsplit("(", 1)[1] for o in app.selectbox(key="plan_pick").options] == [
        "laishan-14th-fyp-explainer)", "lanling-14th-fyp-education)", "linyi-14th-fyp-explainer)",
        "linyi-14th-fyp-traditional)", "shinan-13th-fyp)"]
    assert app.selectbox(key="plan_pick").value is None  # five plans: none picked for the reader
    city.set_value("临沂市").run()
    county = app.selectbox(key="plan_pick_county")
    assert county.options == ["全部地区 All places (3)", "本级文件 Its own documents (2)", "兰陵县 (1)"]
    county.set_value("兰陵县").run()
    assert not app.exception
    assert app.selectbox(key="plan_pick").value == "lanling-14th-fyp-education"
    assert app.subheader[0].value.endswith("(lanling-14th-fyp-education)")
    # the city's own documents, without its counties' plans
    app.selectbox(key="plan_pick_county").set_value(OWN).run()
    assert [o.rsplit("(", 1)[1] for o in app.selectbox(key="plan_pick").options] == [
        "linyi-14th-fyp-explainer)", "linyi-14th-fyp-traditional)"]
    # another province clears the city and county chosen under the first
    app.selectbox(key="plan_pick_province").set_value("浙江省").run()
    assert app.selectbox(key="plan_pick_city").value is None
    assert app.selectbox(key="plan_pick_county").value is None
    assert app.selectbox(key="plan_pick_county").disabled
    # a place of several plans: none drawn until one is picked
    assert app.selectbox(key="plan_pick").value is None
    assert not app.subheader and app.info[0].value.startswith("此地有多个规划")
    app.selectbox(key="plan_pick").set_value("linping").run()
    assert app.subheader[0].value.endswith("(linping)")


def test_a_province_level_document_a_municipality_and_a_plan_of_no_place_are_reachable(app: AppTest) -> None:
    app.selectbox(key="plan_pick_province").set_value("甘肃省").run()
    assert app.selectbox(key="plan_pick_city").options == ["全部地区 All places (1)", "本级文件 Its own documents (1)"]
    assert app.selectbox(key="plan_pick_city").disabled  # the province's own document only
    assert app.selectbox(key="plan_pick").value == "gansu-11th-fyp"
    app.selectbox(key="plan_pick_province").set_value("重庆市").run()
    assert app.selectbox(key="plan_pick_city").options == ["全部地区 All places (1)", "开州区 (1)"]
    assert app.selectbox(key="plan_pick").value == "kaizhou-14th-fyp-explainer"
    app.selectbox(key="plan_pick_province").set_value(UNKNOWN).run()
    assert [o.rsplit("(", 1)[1] for o in app.selectbox(key="plan_pick").options] == ["report-midterm)"]
    assert app.subheader[0].value.endswith("(report-midterm)")


def test_several_plans_picked_in_several_places_stay_picked(app: AppTest) -> None:
    app.sidebar.radio(key="page").set_value("entities").run()
    app.selectbox(key="entity_plans_province").set_value("安徽省").run()
    plans = app.multiselect(key="entity_plans")
    assert [o.rsplit("(", 1)[1] for o in plans.options] == ["huaibei-progress)", "wuhe-14th-fyp)"]
    plans.select("wuhe-14th-fyp").run()
    app.selectbox(key="entity_plans_province").set_value("福建省").run()
    app.multiselect(key="entity_plans").select("xiapu-14th-fyp").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.multiselect(key="entity_plans").value == ["wuhe-14th-fyp", "xiapu-14th-fyp"]
    assert app.dataframe, "the entities of the two plans picked"


def test_national_documents_come_first_and_own_documents_before_the_places_under_them() -> None:
    plans = {
        "a": PlanChoice("a", "A", "", "district", "", ("浙江省", "杭州市", "临安区"), "330112"),
        "b": PlanChoice("b", "B", "", "national", "", (NATIONAL,)),
        "c": PlanChoice("c", "C", "", "provincial", "", ("浙江省",), "330000"),
        "d": PlanChoice("d", "D", "", "district", "", ("北京市", "朝阳区"), "110105"),
        "e": PlanChoice("e", "E", "", "", "", (UNKNOWN,)),
        "f": PlanChoice("f", "F", "", "district", "", ("浙江省", "宁波市", "象山县"), "330225"),
    }
    assert place_options(plans, ()).counts == {NATIONAL: 1, "北京市": 1, "浙江省": 3, UNKNOWN: 1}
    assert place_options(plans, ("浙江省",)).counts == {OWN: 1, "杭州市": 1, "宁波市": 1}
    assert place_options(plans, ("浙江省", "宁波市")).counts == {"象山县": 1}
    assert place_options(plans, (NATIONAL,)).counts == {OWN: 1}


def test_a_search_narrowed_to_a_place_answers_from_its_plans_only(app: AppTest) -> None:
    app.sidebar.radio(key="page").set_value("search").run()
    app.selectbox(key="search_plan_province").set_value("山东省").run()
    assert app.selectbox(key="search_plan").value is None  # no plan picked: every plan of the place
    app.text_input(key="q").input("学前教育 毛入园率").run()
    assert not app.exception, [e.value for e in app.exception]
    shandong = {"laishan-14th-fyp-explainer", "lanling-14th-fyp-education", "linyi-14th-fyp-explainer",
                "linyi-14th-fyp-traditional", "shinan-13th-fyp"}
    cited = {m.value.split("**")[1].split(". ", 1)[1].replace("\\", "") for m in app.markdown
             if m.value.startswith("**") and ". " in m.value.split("**")[1]}
    assert cited and cited <= shandong, cited
    app.selectbox(key="search_plan_province").set_value(None).run()  # all places again: any plan
    cited = {m.value.split("**")[1].split(". ", 1)[1].replace("\\", "") for m in app.markdown
             if m.value.startswith("**") and ". " in m.value.split("**")[1]}
    assert cited - shandong, cited


def test_the_open_tab_stays_open_while_the_plans_are_narrowed(app: AppTest) -> None:
    app.session_state["plan_tab"] = "核查 Audit"
    app.run()
    app.selectbox(key="plan_pick_province").set_value("山东省").run()  # five plans: none drawn
    assert not app.subheader
    app.selectbox(key="plan_pick_city").set_value("青岛市").run()  # one plan: drawn, on the audit tab
    assert not app.exception, [e.value for e in app.exception]
    assert app.subheader[0].value.endswith("(shinan-13th-fyp)")
    assert [i.value for i in app.info] == ["没有可核查的内容。 Nothing to check."]  # its audit (nothing to check)
    assert not app.metric  # the overview is not drawn
