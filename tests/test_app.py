"""The Streamlit app, run headless with ``AppTest`` against an index of the district
plans built with the fake encoder."""

from __future__ import annotations

import re
import shutil
import threading
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from plangraph.errors import IndexStoreError, IndexWarning
from plangraph.graph import browse, planview
from plangraph.interfaces import present_compare, present_files, present_markdown, present_search, writers
from plangraph.interfaces.cli import main
from plangraph.model import EntityRef
from plangraph.workspace import Workspace

from .conftest import ROOT

APP = str(ROOT / "app.py")
CARD_HEADER = re.compile(r"^\*\*(\d+)\. (\S+)\*\*")


@pytest.fixture(scope="module")
def index(district_index: Path) -> Path:
    return district_index


@pytest.fixture
def app(index: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(index))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def served_files(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """File name → the bytes the app's download buttons serve (recorded as the app runs)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self: MemoryMediaFileStorage, data: str | bytes, mimetype: str, kind: object,
               filename: str | None = None) -> str:
        if filename and isinstance(data, bytes):
            files[filename] = data
        return original(self, data, mimetype, kind, filename)  # type: ignore[arg-type]

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def go(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cards(at: AppTest) -> list[tuple[int, str]]:
    """(rank, plan) of each result card on the page."""
    return [(int(m.group(1)), m.group(2)) for md in at.markdown if (m := CARD_HEADER.match(md.value))]


@pytest.mark.parametrize("page", ["search", "entities", "plans", "across", "compare", "sparql", "export"])
def test_every_page_renders(app: AppTest, page: str) -> None:
    go(app, page)
    assert not app.error
    assert app.title[0].value == "教育规划知识图谱 Education plan graph"


def quotes(at: AppTest) -> list[str]:
    return [md.value for md in at.markdown if md.value.startswith("> ")]


def test_search_shows_the_passage_with_its_quote_and_entities(app: AppTest) -> None:
    app.text_input(key="q").set_value("马溪幼儿园").run()
    assert not app.exception
    found = cards(app)
    assert [r for r, _ in found] == list(range(1, 11))
    assert len(quotes(app)) == 10
    # The query is marked inside the quote, the quote in bold between its neighbours in grey.
    assert any("**:orange[马溪幼儿园]" in q for q in quotes(app))
    assert all(q.startswith("> :gray[") or q.startswith("> **") for q in quotes(app))
    chips = [o for p in app.pills for o in p.options]
    assert "建设项目 · 马溪幼儿园" in chips
    assert app.get("download_button")


def test_a_card_names_the_sentence_that_matched(app: AppTest) -> None:
    app.text_input(key="q").set_value("全面推进清廉学校建设").run()
    best = [md.value for md in app.markdown if md.value.startswith("最相关的一句")]
    assert best and "清廉学校" in best[0]
    first_quote = quotes(app)[0]
    assert len(best[0]) < len(first_quote)  # one sentence of the cited passage, not all of it


def test_search_over_national_documents_puts_the_local_plans_first(
    four_plan_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(four_plan_index))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="q").set_value("中小学生减负").run()
    assert not at.exception, at.exception
    scope = [c.value for c in at.caption if c.value.startswith("优先显示区县级规划（linan、linping） · 其他规划得分")]
    assert scope and scope[0].endswith("×0.8")
    ranked = [plan.replace("\\", "") for _, plan in cards(at)]  # plan ids come markdown-escaped
    national = [m.value for m in at.markdown if "相关程度" in m.value and "×0.8)" in m.value]
    # every national passage that still shows says why it ranks lower
    assert len(national) == sum(p.startswith("national-") for p in ranked) > 0
    at.toggle(key="scoped").set_value(False).run()
    alike = [plan.replace("\\", "") for _, plan in cards(at)]
    assert alike.index("national-education-reform-outline-2010-2020") < ranked.index(
        "national-education-reform-outline-2010-2020")
    assert not any("优先显示" in c.value or "非优先规划" in c.value for c in at.caption)


def test_entity_chip_opens_the_entity_page(app: AppTest) -> None:
    app.text_input(key="q").set_value("马溪幼儿园").run()
    pill = next(p for p in app.pills if "建设项目 · 马溪幼儿园" in p.options)
    pill.set_value("建设项目 · 马溪幼儿园").run()
    assert not app.exception
    assert app.session_state["page"] == "entities"
    assert app.subheader[0].value == "建设项目 · 马溪幼儿园"
    assert any(md.value.startswith("**原文出处") and "18007–18046" in md.value for md in app.markdown)
    props = dict(zip(app.dataframe[0].value["property"], app.dataframe[0].value["value"]))
    assert props["建设地点"] == "锦北街道" and props["总投资(万元)"] == "2784.0"
    assert app.get("graphviz_chart")


def test_plan_filter_narrows_results_to_that_plan(app: AppTest) -> None:
    app.text_input(key="q").set_value("教师").run()
    assert {p for _, p in cards(app)} == {"linan", "linping"}
    app.selectbox(key="search_plan").set_value("linping").run()
    assert not app.exception
    found = cards(app)
    assert found and {p for _, p in found} == {"linping"}


def test_at_most_per_plan_brings_in_the_other_plan(app: AppTest) -> None:
    app.text_input(key="q").set_value("教师职称评审").run()
    before = [p for _, p in cards(app)]
    assert before.count("linan") > 2  # Lin'an says most about it
    app.number_input(key="per_plan").set_value(2).run()
    assert not app.exception
    after = [p for _, p in cards(app)]
    assert after.count("linan") == 2 and after.count("linping") == 2 and len(after) == 4


def test_section_filter_keeps_passages_under_that_section(app: AppTest) -> None:
    app.text_input(key="q").set_value("教师").run()
    app.selectbox(key="search_plan").set_value("linan").run()
    section = "实施五大工程:创造全面保障的教育发展新动能 > 教师队伍:建设高素质专业化创新型教育铁军"
    app.selectbox(key="search_section_linan").set_value(section).run()
    assert not app.exception
    headers = [md.value for md in app.markdown if CARD_HEADER.match(md.value)]
    assert headers and all(present_markdown.escape_markdown(section) in h for h in headers)


def test_entity_kind_and_target_group_filters_narrow_results(app: AppTest) -> None:
    app.text_input(key="q").set_value("教师").run()
    unfiltered = quotes(app)
    app.multiselect(key="search_kinds").set_value(["indicators"]).run()
    assert not app.exception
    chips = [p.options for p in app.pills]
    assert chips and all(any(o.startswith("指标 · ") for o in opts) for opts in chips)
    assert quotes(app) != unfiltered
    app.multiselect(key="search_kinds").set_value([]).run()
    app.multiselect(key="search_groups").set_value(["rural-teachers"]).run()
    narrowed = quotes(app)
    assert 0 < len(narrowed) < len(unfiltered)
    plain = [q.replace(":orange[", "") for q in narrowed]
    assert all("乡村教师" in q or "农村教师" in q for q in plain)
    app.multiselect(key="search_themes").set_value(["higher"]).run()
    assert app.info and app.info[0].value.startswith("没有匹配的段落")


def test_entities_page_filters_by_facet_and_opens_an_entity(app: AppTest) -> None:
    go(app, "entities")
    app.selectbox(key="entity_kind").set_value("indicators").run()
    assert len(app.dataframe[0].value) == 30
    app.multiselect(key="facet_indicators_binding").set_value(["约束性"]).run()
    table = app.dataframe[0].value
    assert 0 < len(table) < 30 and set(table["binding"]) == {"约束性"}
    assert "普惠性幼儿园覆盖面" in set(table["name"])
    iri = table[table["name"] == "普惠性幼儿园覆盖面"]["iri"].iloc[0]
    app.selectbox(key="entity_pick_indicators").set_value(iri).run()
    assert not app.exception
    assert app.subheader[0].value == "指标 · 普惠性幼儿园覆盖面"
    props = dict(zip(app.dataframe[0].value["property"], app.dataframe[0].value["value"]))
    # the ontology's labels, in the page's language: no vocabulary names on screen
    assert props["2025 目标"] == "90" and props["指标属性"] == "约束性" and props["名称"] == "普惠性幼儿园覆盖面"
    assert not any(":" in p or "target" in p for p in props)
    app.sidebar.toggle(key="english").set_value(True).run()
    props = dict(zip(app.dataframe[0].value["property"], app.dataframe[0].value["value"]))
    assert props["2025 target"] == "90" and props["binding type"] == "约束性"


def test_the_indicator_table_shows_baseline_and_target(app: AppTest) -> None:
    """Every indicator's target with its comparator as the plan writes it (≥65, 通过)."""
    go(app, "entities")
    app.selectbox(key="entity_kind").set_value("indicators").run()
    table = app.dataframe[0].value
    rows = {r["name"]: r for r in table.to_dict("records")}
    assert (rows["本科及以上学历教师比例"]["target"], rows["本科及以上学历教师比例"]["target_year"]) == ("≥65", 2025)
    assert rows["普惠性幼儿园覆盖面"]["target"] == "90"
    assert all(r["target"] for r in rows.values())


def test_the_investment_charts_speak_the_page_language(app: AppTest) -> None:
    import json

    go(app, "plans")
    app.selectbox(key="plan_pick").set_value("linan").run()
    titles = [(enc["x"]["title"], enc["y"]["title"], [t["field"] for t in enc["tooltip"]])
              for c in app.get("vega_lite_chart") for enc in [json.loads(c.proto.spec)["encoding"]]]
    assert titles == [("地点", "投资（万元）", ["地点", "投资（万元）"]), ("年份", "投资（万元）", ["年份", "投资（万元）"])]


def test_unknown_entity_link_is_a_friendly_message(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(index))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["entity"] = "https://w3id.org/plangraph/id/nothing"
    at.run()
    assert not at.exception and not at.error
    assert at.warning[0].value == "图谱中没有这个实体 No such entity in the graph: https://w3id.org/plangraph/id/nothing"


def test_plans_page_shows_metadata_counts_and_findings(app: AppTest) -> None:
    go(app, "plans")
    assert [s.value for s in app.subheader] == ["临安区教育事业发展“十四五”规划 (linan)"]
    metrics = {(m.label, m.value) for m in app.metric}
    assert ("建设项目", "39") in metrics and ("段落", "190") in metrics
    findings = app.dataframe[0].value
    assert "重复全文" in set(findings["code"])  # duplicate-copy, in words
    app.selectbox(key="plan_pick").set_value("linping").run()
    assert [s.value for s in app.subheader] == ["临平区教育事业发展“十四五”规划（节选） (linping)"]
    assert ("段落", "16") in {(m.label, m.value) for m in app.metric}
    assert app.info[0].value == "本规划没有这类内容。 This plan has none."  # no indicators in the excerpt


def test_plan_page_rebuilds_sections_indicators_and_projects(app: AppTest) -> None:
    go(app, "plans")
    frames = [d.value for d in app.dataframe]
    sections = next(f for f in frames if "section" in f.columns)
    assert list(sections["section"][:2]) == ["一 现实基础", "\u3000一 十三五期间取得的成效"]
    assert int(sections["passages"].iloc[0]) == 21
    indicators = next(f for f in frames if "indicator" in f.columns)
    row = indicators[indicators["indicator"] == "普惠性幼儿园覆盖面"].iloc[0]
    assert (row["2025"], row["unit"], row["binding"]) == ("90", "%", "约束性")
    projects = next(f for f in frames if "investment_wan" in f.columns and "name" in f.columns)
    assert len(projects) == 39 and projects["name"].iloc[0] == "马溪幼儿园"
    assert len(app.get("vega_lite_chart")) == 2


def test_unknown_plan_link_is_a_friendly_message(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(index))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["plan"] = "beijing"
    at.run()
    assert not at.exception
    assert at.warning[0].value == "没有这个规划 No such plan: beijing · linan, linping"


def test_investment_sums_by_place_and_year(index: Path) -> None:
    rows = Workspace(index).export_rows("projects", "linan")
    by_place = {r["place"]: r for r in planview.investment_by_place(rows)}
    assert by_place["锦北街道"] == {"place": "锦北街道", "projects": 7, "investment_wan": 107664.0}
    by_year = planview.investment_by_year(rows)
    assert by_year[0] == {"year": "2018", "projects": 1, "investment_wan": 73400.0}
    total = sum(float(r["investment_wan"] or 0) for r in rows)
    assert sum(r["investment_wan"] for r in planview.investment_by_place(rows)) == total


def test_context_of_a_table_row_is_its_neighbouring_rows_without_the_table_title(index: Path) -> None:
    ws = Workspace(index)
    passages = ws.searcher.index.passages
    row = next(p for p in passages if p.table_id and "马溪幼儿园" in p.content)
    title = row.content.split(" | ")[0]
    before, after = ws.passage_context(row.passage_id)
    assert before and after and title not in before and title not in after
    i = passages.index(row)
    assert after.rstrip("…") in passages[i + 1].content and before.lstrip("…") in passages[i - 1].content
    # a paragraph's context is its neighbours' text as it is
    para = next(p for i, p in enumerate(passages) if p.table_id is None and 0 < i and passages[i - 1].table_id is None
                and passages[i - 1].plan_id == p.plan_id)
    before, _ = ws.passage_context(para.passage_id)
    assert passages[passages.index(para) - 1].content.endswith(before.lstrip("…"))


def test_neighbourhood_dot_links_a_project_to_its_place(index: Path) -> None:
    ws = Workspace(index)
    project = next(r for r in ws.entities("projects") if r.label == "马溪幼儿园")
    detail = ws.entity(project.iri)
    assert ("Place", "锦北街道") in detail.nodes.values()
    dot = browse.neighbourhood_dot(detail)
    assert dot.startswith("digraph neighbourhood {") and dot.rstrip().endswith("}")
    assert '[label="Place\\n锦北街道"' in dot and '[label="pg:location"]' in dot


def test_the_sidebar_counts_the_plans_by_level(app: AppTest, index: Path) -> None:
    assert [c.value for c in app.sidebar.caption] == [f"索引 Index: {index} · 2 个规划 2 plans: 区县级 2 · 规划 2"]


def test_sparql_named_query_gives_a_table(app: AppTest) -> None:
    go(app, "sparql")
    app.selectbox(key="sparql_name").set_value("projects-by-place").run()
    assert str(app.caption[0].value) == "按地点统计建设项目的数量和投资合计（万元）。"
    assert "# name: projects-by-place" in str(app.text_area[0].value)
    app.text_input(key="sparql_param_projects-by-place_plan").set_value("linan")
    app.button(key="sparql_run").click().run()
    assert not app.exception and not app.error
    table = app.dataframe[0].value
    assert list(table.columns)[:2] == ["plan", "place"]
    assert set(table["plan"]) == {"linan"} and "锦北街道" in set(table["place"])


def test_sparql_page_answers_a_named_query_from_the_plans_stored_rows(
        app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Left as it is, a named query with stored rows never reaches the store; once its
    text is edited it runs as written."""
    from plangraph.graph import sparql

    def no_store(*args: object, **kwargs: object) -> None:
        raise IndexStoreError("the store was asked")

    monkeypatch.setattr(sparql, "run_named", no_store)
    monkeypatch.setattr(sparql, "run_query", no_store)
    go(app, "sparql")
    app.selectbox(key="sparql_name").set_value("indicators-by-category").run()
    app.text_input(key="sparql_param_indicators-by-category_plan").set_value("linan")
    app.button(key="sparql_run").click().run()
    assert not app.exception and not app.error
    table = app.dataframe[0].value
    assert set(table["plan"]) == {"linan"} and "初中毕业生升入高中段比例" in set(table["indicator"])
    text = str(app.text_area[0].value)
    app.text_area(key="sparql_text_indicators-by-category").set_value(text + "\n").run()
    app.button(key="sparql_run").click().run()
    assert "the store was asked" in str(app.error[0].value)


def test_sparql_broken_query_is_an_error_message_not_a_traceback(app: AppTest) -> None:
    go(app, "sparql")
    app.selectbox(key="sparql_name").set_value("").run()
    app.text_area(key="sparql_text_custom").set_value("SELECT WHERE {").run()
    app.button(key="sparql_run").click().run()
    assert not app.exception
    assert app.error and app.error[0].value.startswith("malformed SPARQL")
    assert not app.dataframe
    app.text_area(key="sparql_text_custom").set_value("DELETE WHERE { ?s ?p ?o }").run()
    app.button(key="sparql_run").click().run()
    assert "not allowed" in app.error[0].value


def test_export_page_offers_the_file(app: AppTest) -> None:
    go(app, "export")
    app.multiselect(key="export_kinds").set_value(["projects"])
    app.multiselect(key="export_plans").set_value(["linan"]).run()
    assert not app.exception and not app.error
    assert [b.label for b in app.download_button] == ["下载 Download projects-linan.csv"]
    assert len(app.dataframe[0].value) == 39


def test_export_two_kinds_of_two_plans_are_the_cli_files(served_files: dict[str, bytes], app: AppTest,
                                                          index: Path, tmp_path: Path) -> None:
    go(app, "export")
    app.multiselect(key="export_kinds").set_value(["projects", "commitments"])
    app.selectbox(key="export_format").set_value("csv").run()
    assert not app.exception and not app.error
    # Both plans are every plan of the index: the files are those of --plan linan --plan linping.
    names = ["projects-all.csv", "commitments-all.csv"]
    assert [b.label for b in app.download_button] == ["全部下载 ZIP Download all as ZIP plangraph-all.zip",
                                                      *(f"下载 Download {n}" for n in names)]
    for kind, name in zip(["projects", "commitments"], names):
        out = tmp_path / name
        argv = ["export", kind, "--index", str(index), "--plan", "linan", "--plan", "linping", "-o", str(out)]
        assert main(argv) == 0
        assert served_files[name] == out.read_bytes()
        assert main(["export", kind, "--index", str(index), "-o", str(tmp_path / "every.csv")]) == 0
        assert (tmp_path / "every.csv").read_bytes() == out.read_bytes()
    with zipfile.ZipFile(BytesIO(served_files["plangraph-all.zip"])) as z:
        assert z.namelist() == names and z.read(names[1]) == served_files[names[1]]
    # One plan of the two: only its rows, as the CLI's --plan linping writes them.
    app.multiselect(key="export_plans").set_value(["linping"])
    app.selectbox(key="export_format").set_value("ttl").run()
    assert main(["export", "commitments", "--index", str(index), "--plan", "linping", "--format", "ttl",
                 "-o", str(tmp_path / "c.ttl")]) == 0
    ttl = served_files["commitments-linping.ttl"]
    assert ttl == (tmp_path / "c.ttl").read_bytes() and "linping" in ttl.decode() and "/linan/" not in ttl.decode()


def test_export_of_several_plans_keeps_only_theirs(index: Path) -> None:
    ws = Workspace(index)
    both = ws.export_rows("projects", ["linan", "linping"])
    assert both == ws.export_rows("projects")
    assert {r["plan"] for r in ws.export_rows("commitments", ["linping"])} == {"linping"}
    assert present_files.plan_selection(["linping", "linan"], ws.plan_ids) is None
    assert present_files.plan_selection(["linping"], ws.plan_ids) == ("linping",)
    assert present_files.export_file_name("projects", "xlsx", ("linan", "linping")) == "projects-linan+linping.xlsx"
    with pytest.raises(Exception, match="unknown plan 'x'; choose one of: linan, linping"):
        ws.export_rows("projects", ["linan", "x"])


def test_export_bytes_are_the_cli_file(index: Path, tmp_path: Path) -> None:
    ws = Workspace(index)
    for fmt in ("csv", "json"):
        out = tmp_path / f"cli.{fmt}"
        assert main(["export", "projects", "--index", str(index), "--format", fmt, "-o", str(out)]) == 0
        assert writers.export_bytes(ws, "projects", fmt, None) == out.read_bytes()
    assert writers.export_bytes(ws, "projects", "csv", "linan").startswith("\ufeff".encode())


def test_english_toggle_keeps_the_page(app: AppTest) -> None:
    go(app, "sparql")
    app.sidebar.toggle(key="english").set_value(True).run()
    assert not app.exception
    assert app.title[0].value == "Education plan graph"
    assert app.sidebar.radio(key="page").options == ["Search", "Entities", "Plans", "One indicator across plans", "Compare",
                                                         "Commitments by theme", "SPARQL", "Export"]
    assert app.button(key="sparql_run").label == "Run"


def test_missing_index_tells_how_to_build_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(tmp_path / "nothing"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.error[0].value == f"no index at {tmp_path / 'nothing'}"
    assert [c.value for c in at.code] == ["plangraph build corpus", "bash scripts/start.sh"]
    assert at.button(key="build_now").label == "现在构建索引 Build the index now"
    assert not at.sidebar.radio


def test_an_unfinished_change_is_said_and_the_published_index_answers(index: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "ix"
    shutil.copytree(index, copy)
    (copy / "store" / "WRITING").touch()  # a writer is at work, or was stopped
    monkeypatch.setenv("PLANGRAPH_INDEX", str(copy))
    primary = sorted(p.name for p in (copy / "store" / "primary").iterdir())
    with pytest.warns(IndexWarning):
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.sidebar.warning[0].value.startswith(f"index {copy}: a change to it is under way or was interrupted")
    assert at.sidebar.radio  # the pages answer, from the index as published
    assert (copy / "store" / "WRITING").exists()  # the app finished nothing: a writer will
    assert sorted(p.name for p in (copy / "store" / "primary").iterdir()) == primary


def test_markdown_of_quotes_and_chips_is_escaped() -> None:
    assert present_markdown.blockquote("1\n\n*粗体* $x$\n") == "> 1\n>\n> \\*粗体\\* \\$x\\$"
    assert present_markdown.quote_in_context("达到*95%*", "前[1]", "后", ["95%"]) == (
        "> :gray[前\\[1\\]]\n>\n> **达到\\*:orange[95%]\\***\n>\n> :gray[后]")
    assert present_search.chip_label(EntityRef("i", "Indicator", "毛入园率" * 10)) == "指标 · " + ("毛入园率" * 6) + "…"
    assert present_search.chip_label(EntityRef("i", "Indicator", "毛入园率"), english=True) == "Indicator · 毛入园率"
    assert present_search.query_terms("学前教育 毛入园率?") == ["学前教育", "毛入园率", "入园率", "学前", "教育"]
    # an English question is marked by the Chinese terms it was looked up as
    assert present_search.query_terms("teacher salary compared with civil servants") == ["公务员", "工资", "待遇", "教师", "老师"]
    rows = present_search.hit_rows([])
    assert present_files.dict_rows_csv(rows) == "\r\n".encode("utf-8-sig")
    assert writers.csv_bytes(["a"], [["=1+1"]]) == "a\r\n'=1+1\r\n".encode("utf-8-sig")


PAY_LINAN = "确保中小学教师平均工资收入水平高于当地公务员平均水平"
PAY_LINPING = "完善教师工资待遇保障制度"


def test_compare_page_aligns_teacher_pay_and_lists_eye_care_lighting_only_in_linping(
        served_files: dict[str, bytes], app: AppTest, index: Path, tmp_path: Path) -> None:
    go(app, "compare")
    app.selectbox(key="compare_method").set_value("tfidf").run()
    assert not app.exception and not app.error
    assert app.slider(key="compare_threshold_tfidf").value == 0.18  # the method's measured threshold
    cmp = Workspace(index).compare("linan", "linping", method="tfidf")
    counts = cmp.commitments.counts()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {"共有 Shared": str(counts["shared"]), "仅见于 Only in linan": str(counts["only in A"]),
                       "仅见于 Only in linping": str(counts["only in B"])}
    assert counts["shared"] > 0 and counts["only in B"] > 0

    app.radio(key="compare_side").set_value("shared").run()
    table = app.dataframe[0].value
    assert set(table["side"]) == {"共有"}
    pay = table[table["quote"].str.contains(PAY_LINAN)]
    assert len(pay) == 1 and PAY_LINAN in pay["quote"].iloc[0]
    assert PAY_LINPING in pay["other_quote"].iloc[0] and pay["score"].iloc[0] >= 0.18
    # The download is the CLI's file for that table and side.
    out = tmp_path / "cmp.csv"
    assert main(["compare", "linan", "linping", "--index", str(index), "--method", "tfidf", "--side", "shared",
                 "--format", "csv", "--out", str(out)]) == 0
    assert served_files["compare-linan-linping-commitments-shared.csv"] == (tmp_path / "cmp-commitments.csv").read_bytes()
    assert served_files["compare-linan-linping-indicators.csv"] == (tmp_path / "cmp-indicators.csv").read_bytes()
    assert served_files["compare-linan-linping-citations.csv"] == (tmp_path / "cmp-citations.csv").read_bytes()
    assert "compare-linan-linping-citations.xlsx" in served_files

    app.radio(key="compare_side").set_value("only in B").run()
    table = app.dataframe[0].value
    assert set(table["plan"]) == {"linping"}
    assert table["quote"].str.contains("教室护眼灯光改造").any()

    # A higher threshold shares fewer commitments.
    app.slider(key="compare_threshold_tfidf").set_value(0.6).run()
    assert int(next(m.value for m in app.metric if m.label == "共有 Shared")) < counts["shared"]


def test_compare_page_asks_for_two_different_plans(app: AppTest) -> None:
    go(app, "compare")
    app.selectbox(key="compare_b").set_value("linan").run()
    assert not app.exception and not app.error
    assert app.info[0].value == "请选择两个不同的规划。 Pick two different plans."
    assert not app.dataframe


def test_compare_at_another_threshold_encodes_nothing_again(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(index)
    first = ws.compare("linan", "linping", method="blend")
    store = ws._comparisons
    assert store is not None

    def refuse(texts: list[str]) -> None:
        raise AssertionError(f"encoded again: {texts[:1]}")

    monkeypatch.setattr(store._encoder, "encode_passages", refuse)  # one encoder per process: undo after
    lower = ws.compare("linan", "linping", method="blend", threshold=first.commitments.threshold - 0.1)
    assert lower.commitments.counts()["shared"] > first.commitments.counts()["shared"]
    assert lower.indicators is first.indicators and lower.citations == first.citations


def test_citation_links_open_the_plan_page() -> None:
    rows = [{"plan": "linan", "title": "中国教育现代化2035", "mentions": 1, "corpus_plan": "national-2035"},
            {"plan": "linan", "title": "浙江省家庭教育促进条例", "mentions": 1, "corpus_plan": None}]
    assert [r["open"] for r in present_compare.citation_records(rows)] == ["?plan=national-2035", None]


def test_plan_page_audit_tab_lists_findings_mismatches_first(served_files: dict[str, bytes], app: AppTest,
                                                            index: Path, tmp_path: Path) -> None:
    go(app, "plans")
    assert not app.exception and not app.error
    audit = next(d.value for d in app.dataframe if "check" in d.value.columns)
    order = [s for (s,) in audit["status"]]
    assert order == sorted(order, key=["mismatch", "needs review", "consistent"].index)
    totals = audit[audit["check"].isin(["项目总数", "投资总额"])]
    assert len(totals) == 4 and {s for (s,) in totals["status"]} == {"consistent"}
    assert "约5亿元" in set(totals["stated"]) and "50145万元 = 5.0145亿元（21行合计）" in set(totals["computed"])
    assert "2行写明新建" in set(audit["computed"])
    glued = audit[audit["subject"] == "单元格粘连"]
    assert len(glued) == 1 and list(glued["status"].iloc[0]) == ["needs review"] and glued["quote"].iloc[0].strip()
    report = Workspace(index).audit("linan")
    (badges,) = [md.value for md in app.markdown if "-badge[" in md.value]
    for status, n in audit_counts(report).items():
        assert f"{status} · {n}]" in badges
    out = tmp_path / "audit.csv"
    assert main(["audit", "linan", "--index", str(index), "--format", "csv", "--out", str(out)]) == 0
    assert served_files["audit-linan.csv"] == out.read_bytes()


def audit_counts(report: object) -> dict[str, int]:
    from plangraph.analysis.audit import summary

    return summary(report)  # type: ignore[arg-type]


def test_warm_up_opens_the_searcher_once_and_the_first_search_loads_nothing(
        index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import plangraph.search.encoders
    import plangraph.search.index

    opened: list[Path] = []
    real_open = plangraph.search.index.open_index

    def counting_open(path: Path, encoders: object = None) -> object:
        opened.append(path)
        return real_open(path, encoders)  # type: ignore[arg-type]

    monkeypatch.setattr(plangraph.search.index, "open_index", counting_open)
    ws = Workspace(index)
    warming = ws.warm_in_background(delay_s=0.2)
    assert ws.warm_in_background() is warming  # every page run asks; one warm-up
    racing = threading.Thread(target=lambda: ws.searcher)  # a search arriving meanwhile waits
    racing.start()
    warming.join()
    racing.join()
    assert len(opened) == 1 and ws.warm_error is None

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("loaded after the warm-up")

    monkeypatch.setattr(plangraph.search.index, "open_index", refuse)
    monkeypatch.setattr(plangraph.search.encoders, "get_encoder", refuse)
    hits = ws.search("马溪幼儿园", 10)
    assert any("马溪幼儿园" in h.quote for h in hits)


def test_a_failed_warm_up_is_the_usual_error_on_first_search(index: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "ix"
    shutil.copytree(index, broken)
    shutil.rmtree(broken / "search")
    ws = Workspace(broken)
    ws.warm_in_background().join()
    assert isinstance(ws.warm_error, IndexStoreError)
    with pytest.raises(IndexStoreError):
        ws.search("教师")
    monkeypatch.setenv("PLANGRAPH_INDEX", str(broken))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="q").set_value("教师").run()
    assert not at.exception
    assert at.error and str(broken / "search") in at.error[0].value


def test_place_and_document_kind_pickers(places_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(places_index))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.text_input(key="q").set_value("临沂规划以什么为主题").run()
    assert not at.exception, at.exception
    scope = [c.value for c in at.caption if c.value.startswith("优先显示临沂市的规划（linyi-14th-fyp-traditional）")]
    assert scope and scope[0].endswith("×0.5")
    at.session_state["search_filters"] = True  # opened: above SMALL_INDEX plans it is drawn only while open
    at.run()
    picker = at.selectbox(key="search_place")
    assert picker.format_func("371324") == "山东省 › 临沂市 › 兰陵县"  # province, city, county
    picker.set_value("370000").run()  # 山东省 and everything under it
    assert {p.replace("\\", "") for _, p in cards(at)} <= {
        "linyi-14th-fyp-traditional", "linyi-14th-fyp-explainer", "lanling-14th-fyp-education",
        "laishan-14th-fyp-explainer", "shinan-13th-fyp"}
    at.selectbox(key="search_doc_kind").set_value("explainer").run()
    assert {p.replace("\\", "") for _, p in cards(at)} == {"linyi-14th-fyp-explainer", "laishan-14th-fyp-explainer"}
    go(at, "plans")
    assert not at.exception


def test_commitments_page_counts_a_theme_and_a_phrase(app: AppTest) -> None:
    go(app, "commitments_page")
    assert not app.caption or "图中为该类承诺最多的" not in app.caption[0].value  # two plans: all in the map
    app.selectbox(key="themes_theme").set_value("principals").run()
    assert not app.exception
    assert app.metric[0].value == "2 / 2"  # both districts commit to their principals (校长)
    app.text_input(key="themes_phrase").set_value("区管校聘").run()
    assert not app.exception
    (plans_table,) = [d for d in app.dataframe if "strength" in d.value.columns]
    assert "linping" in set(plans_table.value["plan"])
