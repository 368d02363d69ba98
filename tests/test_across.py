"""One indicator concept across plans (#24): the façade over ``concept-across-plans``,
the national bar a target is held against, the audit's "target below the superior
plan's", and the app page, on the four plans (district and national), fake encoder."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from plangraph.analysis.across import ConceptTarget, chart_data, national_reference, weaker
from plangraph.analysis.audit import AuditInput, check_superior
from plangraph.errors import UsageError
from plangraph.interfaces import labels
from plangraph.workspace import Workspace

from .conftest import ROOT

NATIONAL_2035 = "national-china-education-modernization-2035"
NATIONAL_2010 = "national-education-reform-outline-2010-2020"


@pytest.fixture(scope="module")
def ws(four_plan_index: Path) -> Workspace:
    return Workspace(four_plan_index)


def _rows(across: object) -> list[tuple[object, ...]]:
    return [(r.plan, r.indicator, r.comparator, r.target, r.year, r.unit, r.baseline, r.baseline_year)
            for r in across.rows]  # type: ignore[attr-defined]


def test_each_plan_s_baseline_and_targets_for_a_concept(ws: Workspace) -> None:
    across = ws.concept_across_plans("working-age-years-of-schooling")
    assert (across.concept.label_zh, across.concept.unit, across.concept.direction, across.concept.stage) == (
        "劳动年龄人口平均受教育年限", "年", "higher", "all-stages")
    assert _rows(across) == [
        ("linan", "劳动年龄人口平均受教育年限", "=", Decimal("12.5"), 2025, "年", None, None),
        (NATIONAL_2035, "劳动年龄人口平均受教育年限", "=", Decimal("10.8"), 2020, "年", Decimal("10.5"), 2017),
        (NATIONAL_2035, "劳动年龄人口平均受教育年限", "=", Decimal("12"), 2035, "年", Decimal("10.5"), 2017),
    ]
    assert [r.binding for r in across.rows] == ["约束性", None, None]
    assert {(r.tie_status, r.tie_score) for r in across.rows} == {("auto", 1.0)}  # the matcher's, unreviewed
    # the 2010 outline's 主要劳动年龄人口 is a near concept (closeMatch), not this one
    assert [(p.plan, p.level) for p in across.without_target] == [("linping", "district"), (NATIONAL_2010, "national")]
    assert {r.plan for r in across.national} == {NATIONAL_2035}
    # by its Chinese label, the same answer
    assert _rows(ws.concept_across_plans("劳动年龄人口平均受教育年限")) == _rows(across)


def test_the_level_filter_keeps_the_national_targets(ws: Workspace) -> None:
    district = ws.concept_across_plans("劳动年龄人口平均受教育年限", levels=["district"])
    assert [(r.plan, r.text, r.year) for r in district.rows] == [("linan", "12.5", 2025)]
    assert [p.plan for p in district.without_target] == ["linping"]
    assert {(n.plan, n.year, n.text) for n in district.national} == {(NATIONAL_2035, 2020, "10.8"),
                                                                     (NATIONAL_2035, 2035, "12")}
    national = ws.concept_across_plans("compulsory-retention", levels=["national"])
    assert {r.plan for r in national.rows} == {NATIONAL_2035, NATIONAL_2010} and not national.without_target


def test_the_national_bar_is_the_latest_target_not_after_the_year_of_the_most_recent_plan(ws: Workspace) -> None:
    across = ws.concept_across_plans("preschool-gross-enrolment")
    # both national plans set a 2020 target (85 and 70): the 2035 plan is the more recent
    bar = across.reference(2025)
    assert bar is not None and (bar.plan, bar.year, bar.text) == (NATIONAL_2035, 2020, "85")
    bar = across.reference(2016)
    assert bar is not None and (bar.plan, bar.year, bar.text) == (NATIONAL_2010, 2015, "60.0")
    assert across.reference(2014) is None  # no national target yet: nothing to hold it against
    assert national_reference(across.national, None) is None


def test_records_and_chart_hold_each_target_against_the_national_one(ws: Workspace) -> None:
    across = ws.concept_across_plans("working-age-years-of-schooling")
    linan = across.records()[0]
    assert (linan["plan"], linan["target_text"], linan["national target"], linan["below national"]) == (
        "linan", "12.5", "10.8年 (2020)", "not weaker")
    assert across.records()[1]["national target"] is None  # a national plan is the bar itself
    assert across.usual_year() == 2025
    chart = chart_data(across, 2025)
    assert [(p["plan"], p["target"]) for p in chart.points] == [("linan", 12.5)]
    assert [(line["target"], line["kind"]) for line in chart.lines] == [(10.8, "bar"), (12.0, "later")]


def test_unknown_concepts_and_levels_are_named(ws: Workspace) -> None:
    with pytest.raises(UsageError, match="unknown indicator concept '毛入园'") as err:
        ws.concept_across_plans("毛入园")
    assert "preschool-gross-enrolment" in (err.value.hint or "")
    with pytest.raises(UsageError, match="unknown indicator concept 'xyz'") as err:
        ws.concept_across_plans("xyz")
    assert err.value.hint == ("give a key or Chinese label of ontology/indicator-scheme.ttl "
                              "(preschool-gross-enrolment, 学前教育毛入园率)")
    with pytest.raises(UsageError, match="unknown plan level 'city'; choose one of: national, provincial"):
        ws.concept_across_plans("compulsory-retention", levels=["city"])


# -- weaker than the national target ------------------------------------------------

def _target(plan: str, value: str, year: int, unit: str = "%", level: str = "county",
            direction: str | None = "higher") -> ConceptTarget:
    return ConceptTarget(key="k", concept="c", plan=plan, level=level, title="", indicator="i", iri=f"urn:{plan}",
                         comparator="=", target=Decimal(value), text=value, year=year, unit=unit,
                         direction=direction)


def test_weaker_is_direction_aware() -> None:
    bar = _target("nation", "85", 2020, level="national")
    assert weaker(_target("a", "84.9", 2025), bar, "higher") is True
    assert weaker(_target("a", "85", 2025), bar, "higher") is False
    assert weaker(_target("a", "86", 2025), bar, "lower") is True  # 大班额比例: more is worse
    assert weaker(_target("a", "80", 2025), bar, "lower") is False
    assert weaker(_target("a", "80", 2025), bar, None) is None
    assert weaker(_target("a", "80", 2025, unit="个"), bar, "higher") is None
    assert weaker(_target("a", "90", 2025, unit="％"), bar, "higher") is False  # full-width % is %


def test_the_audit_names_a_target_below_the_national_one_with_both_quotes() -> None:
    national = (replace(_target(NATIONAL_2035, "85", 2020, level="national"), quote="学前教育毛入园率 79.6 85 >95"),
                replace(_target(NATIONAL_2035, "95", 2035, level="national"), quote="学前教育毛入园率 79.6 85 >95"))
    own = (replace(_target("county-a", "84", 2025), quote="学前三年毛入园率 84", start=10, end=20),
           replace(_target("county-a", "97", 2025, direction="lower"), key="other"),  # no national target
           replace(_target("county-a", "99", 2025), quote="学前三年毛入园率 99以上", start=30, end=40))
    inp = AuditInput("county-a", (), (), (), concept_targets=own, national_targets=national,
                     plan_order=(NATIONAL_2035,))
    findings = check_superior(inp)
    assert [(f.check, f.stated, f.computed, f.status, f.quote, f.start) for f in findings] == [
        ("below-superior", "i: 84% (2025)", f"{NATIONAL_2035}: 85% (2020)", "mismatch", "学前三年毛入园率 84", 10),
        ("below-superior", "i: 99% (2025)", f"{NATIONAL_2035}: 85% (2020)", "consistent", "学前三年毛入园率 99以上", 30),
    ]
    assert findings[0].note == "higher is better; superior quote: 学前教育毛入园率 79.6 85 >95"
    assert labels.value(findings[0].note) == "越高越好；上级规划原文：学前教育毛入园率 79.6 85 >95"
    assert labels.value("below-superior", True) == "target below the superior plan's"


def test_the_audit_holds_linan_against_the_national_plans(ws: Workspace) -> None:
    found = [f for f in ws.audit("linan").findings if f.check == "below-superior"]
    assert [(f.subject, f.stated, f.computed, f.status) for f in found] == [
        ("劳动年龄人口平均受教育年限", "劳动年龄人口平均受教育年限: 12.5年 (2025)", f"{NATIONAL_2035}: 10.8年 (2020)",
         "consistent")]
    assert found[0].quote == "劳动年龄人口平均受教育年限(年) 12.5 约束性"
    assert found[0].note == "higher is better; superior quote: 劳动年龄人口平均受教育年限（年） 10.5 10.8 12"
    assert not any(f.check == "below-superior" for f in ws.audit(NATIONAL_2035).findings)


# -- the page -------------------------------------------------------------------------

@pytest.fixture
def app(four_plan_index: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(four_plan_index))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.sidebar.radio(key="page").set_value("across").run()
    assert not at.exception, at.exception
    return at


def test_the_page_shows_a_concept_in_every_plan(app: AppTest) -> None:
    assert app.info[0].value == "请选择一个指标。 Pick an indicator."
    picker = app.selectbox(key="across_concept")
    assert any(o.endswith("· 学前教育毛入园率") for o in picker.options)
    assert any(o == "各级各类教育 · 劳动年龄人口平均受教育年限" for o in picker.options)  # grouped by stage
    picker.set_value("working-age-years-of-schooling").run()
    assert not app.exception, app.exception
    assert app.subheader[0].value == "劳动年龄人口平均受教育年限"
    assert [m.value for m in app.metric] == ["2", "2"]
    rows, without = (df.value for df in app.dataframe)
    assert list(rows["plan"]) == ["linan", NATIONAL_2035, NATIONAL_2035]
    assert list(rows["target_text"]) == ["12.5", "10.8", "12"]
    assert list(rows["baseline"]) == ["", "10.5", "10.5"]  # empty, not None
    assert list(rows["level"]) == ["区县级", "国家级", "国家级"]
    assert list(rows["national target"]) == ["10.8年 (2020)", "", ""]
    assert list(rows["below national"]) == ["不低于", "", ""]
    assert list(rows["tie_status"]) == ["自动关联"] * 3 and list(rows["tie_score"]) == ["1.00"] * 3
    assert list(without["plan"]) == ["linping", NATIONAL_2010]
    charts = [e for e in app.main if e.type == "vega_lite_chart"]
    assert len(charts) == 1 and '"target": 10.8' in charts[0].proto.spec  # the national line
    dots = json.loads(charts[0].proto.spec)["layer"][0]["data"]["values"]
    assert [(d["plan"], d["level"], d["target"]) for d in dots] == [("linan", "区县级", 12.5)]  # words, not codes
    # plan level: the district plans only, national targets still drawn
    app.multiselect(key="across_levels").set_value(["district"]).run()
    rows, without = (df.value for df in app.dataframe)
    assert list(rows["plan"]) == ["linan"] and list(without["plan"]) == ["linping"]


def test_the_page_downloads_the_table_as_shown(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self: MemoryMediaFileStorage, data: str | bytes, mimetype: str, kind: object,
               filename: str | None = None) -> str:
        if filename and isinstance(data, bytes):
            files[filename] = data
        return original(self, data, mimetype, kind, filename)  # type: ignore[arg-type]

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    app.selectbox(key="across_concept").set_value("working-age-years-of-schooling").run()
    assert set(files) == {"across-working-age-years-of-schooling.csv", "across-working-age-years-of-schooling.xlsx"}
    table = list(csv.DictReader(io.StringIO(files["across-working-age-years-of-schooling.csv"].decode("utf-8-sig"))))
    assert [(r["规划"], r["目标（原文）"], r["目标年份"], r["单位"]) for r in table][:2] == [
        ("linan", "12.5", "2025", "年"), (NATIONAL_2035, "10.8", "2020", "年")]
    assert table[0]["基期值"] == "" and table[0]["层级"] == "区县级"
    assert files["across-working-age-years-of-schooling.xlsx"][:2] == b"PK"


def test_the_page_in_english(four_plan_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(four_plan_index))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.sidebar.radio(key="page").set_value("across").run()
    at.selectbox(key="across_concept").set_value("expected-years-of-schooling").run()
    # (AppTest formats the widgets of the run before in the words of the run after: the toggle goes last)
    at.sidebar.toggle(key="english").set_value(True).run()
    assert not at.exception, at.exception
    assert at.subheader[0].value == "Expected years of schooling"
    assert at.selectbox(key="across_concept").label == "Indicator concept (type to filter)"
    assert list(at.dataframe[0].value["level"]) == ["district"]


def test_a_reviewer_s_decision_goes_to_the_facade(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, ...]] = []

    def review_tie(self: Workspace, plan: str, indicator: str, category: str, status: str, concept: str = "",
                   note: str = "") -> None:
        calls.append((plan, indicator, category, status, concept, note))

    monkeypatch.setattr(Workspace, "review_tie", review_tie)
    app.selectbox(key="across_concept").set_value("working-age-years-of-schooling").run()
    rows = app.selectbox(key="across_review_row")
    assert rows.options == ["linan · 劳动年龄人口平均受教育年限", f"{NATIONAL_2035} · 劳动年龄人口平均受教育年限"]
    assert any(c.value == "当前关联状态 Status now: 自动关联" for c in app.caption)  # beside the picker
    app.radio(key="across_decision").set_value("retie").run()
    app.selectbox(key="across_retie").set_value("main-working-age-years-of-schooling").run()
    app.text_input(key="across_note").set_value("表中为劳动年龄人口").run()
    app.button(key="across_save").click().run()
    assert not app.exception, app.exception
    assert calls == [("linan", "劳动年龄人口平均受教育年限", "综合发展", "manual", "main-working-age-years-of-schooling",
                      "表中为劳动年龄人口")]
    assert app.success[0].value == "已保存 Saved: linan · 劳动年龄人口平均受教育年限 → 人工关联"


def test_a_rejected_tie_takes_the_plan_off_the_concept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from plangraph.workspace import build

    from .conftest import LINAN

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in (LINAN, LINAN.with_suffix(".meta.toml")):
        shutil.copy(f, corpus / f.name)
    index = tmp_path / "ix"
    build([corpus], index, encoders=("fake",), progress=False)
    monkeypatch.setenv("PLANGRAPH_INDEX", str(index))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.sidebar.radio(key="page").set_value("across").run()
    at.selectbox(key="across_concept").set_value("working-age-years-of-schooling").run()
    assert [m.value for m in at.metric] == ["1", "0"]
    at.radio(key="across_decision").set_value("reject").run()
    at.button(key="across_save").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "已保存 Saved: linan · 劳动年龄人口平均受教育年限 → 已否决"
    assert [m.value for m in at.metric] == ["0", "1"]  # the rebuilt plan no longer measures it
    assert list(at.dataframe[0].value["plan"]) == ["linan"]  # listed among the plans without a target
    review = (corpus / "indicator-ties.tsv").read_text("utf-8")
    assert "linan\t劳动年龄人口平均受教育年限\t" in review and "\trejected\t" in review
