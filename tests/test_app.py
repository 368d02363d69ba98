"""The Streamlit app, run headless with ``AppTest`` against an index of the district
plans built with the fake encoder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from plangraph import present
from plangraph.cli import main
from plangraph.model import EntityRef
from plangraph.workspace import Workspace, build

from .conftest import CORPUS, ROOT

APP = str(ROOT / "app.py")
CARD_HEADER = re.compile(r"^\*\*(\d+)\. (\S+)\*\*")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("app") / "ix"
    build([CORPUS], out, encoders=("fake",), progress=False)
    return out


@pytest.fixture
def app(index: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(index))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cards(at: AppTest) -> list[tuple[int, str]]:
    """(rank, plan) of each result card on the page."""
    return [(int(m.group(1)), m.group(2)) for md in at.markdown if (m := CARD_HEADER.match(md.value))]


@pytest.mark.parametrize("page", ["search", "plans", "sparql", "export"])
def test_every_page_renders(app: AppTest, page: str) -> None:
    go(app, page)
    assert not app.error
    assert app.title[0].value == "教育规划知识图谱 Education plan graph"


def test_search_shows_the_passage_with_its_quote_and_entities(app: AppTest) -> None:
    app.text_input(key="q").set_value("马溪幼儿园").run()
    assert not app.exception
    found = cards(app)
    assert [r for r, _ in found] == list(range(1, 11))
    quotes = [md.value for md in app.markdown if md.value.startswith("> ")]
    assert len(quotes) == 10
    assert any("马溪幼儿园" in q for q in quotes)
    assert any("badge[Project · 马溪幼儿园]" in md.value for md in app.markdown)
    assert app.get("download_button")


def test_plan_filter_narrows_results_to_that_plan(app: AppTest) -> None:
    app.text_input(key="q").set_value("教师").run()
    assert {p for _, p in cards(app)} == {"linan", "linping"}
    app.selectbox(key="search_plan").set_value("linping").run()
    assert not app.exception
    found = cards(app)
    assert found and {p for _, p in found} == {"linping"}


def test_plans_page_shows_metadata_counts_and_findings(app: AppTest) -> None:
    go(app, "plans")
    assert [s.value for s in app.subheader] == ["临安区教育事业发展“十四五”规划 (linan)",
                                               "临平区教育事业发展“十四五”规划（节选） (linping)"]
    metrics = {(m.label, m.value) for m in app.metric}
    assert ("projects", "39") in metrics and ("passages", "16") in metrics
    findings = app.dataframe[0].value
    assert "duplicate-copy" in set(findings["code"])


def test_sparql_named_query_gives_a_table(app: AppTest) -> None:
    go(app, "sparql")
    app.selectbox(key="sparql_name").set_value("projects-by-place").run()
    assert "Construction projects" in str(app.caption[0].value)
    assert "# name: projects-by-place" in str(app.text_area[0].value)
    app.text_input(key="sparql_param_projects-by-place_plan").set_value("linan")
    app.button(key="sparql_run").click().run()
    assert not app.exception and not app.error
    table = app.dataframe[0].value
    assert list(table.columns)[:2] == ["plan", "place"]
    assert set(table["plan"]) == {"linan"} and "锦北街道" in set(table["place"])


def test_sparql_broken_query_is_an_error_message_not_a_traceback(app: AppTest) -> None:
    go(app, "sparql")
    app.selectbox(key="sparql_name").set_value("").run()
    app.text_area(key="sparql_text_custom").set_value("SELECT WHERE {").run()
    app.button(key="sparql_run").click().run()
    assert not app.exception
    assert app.error and app.error[0].value.startswith("malformed query")
    assert not app.dataframe
    app.text_area(key="sparql_text_custom").set_value("DELETE WHERE { ?s ?p ?o }").run()
    app.button(key="sparql_run").click().run()
    assert "not allowed" in app.error[0].value


def test_export_page_offers_the_file(app: AppTest) -> None:
    go(app, "export")
    app.selectbox(key="export_kind").set_value("projects")
    app.selectbox(key="export_plan").set_value("linan").run()
    assert not app.exception and not app.error
    assert app.get("download_button")
    assert len(app.dataframe[0].value) == 39


def test_export_bytes_are_the_cli_file(index: Path, tmp_path: Path) -> None:
    ws = Workspace(index)
    for fmt in ("csv", "json"):
        out = tmp_path / f"cli.{fmt}"
        assert main(["export", "projects", "--index", str(index), "--format", fmt, "-o", str(out)]) == 0
        assert present.export_bytes(ws, "projects", fmt, None) == out.read_bytes()
    assert present.export_bytes(ws, "projects", "csv", "linan").startswith("\ufeff".encode())


def test_english_toggle_keeps_the_page(app: AppTest) -> None:
    go(app, "sparql")
    app.sidebar.toggle(key="english").set_value(True).run()
    assert not app.exception
    assert app.title[0].value == "Education plan graph"
    assert app.sidebar.radio(key="page").options == ["Search", "Plans", "SPARQL", "Export"]
    assert app.button(key="sparql_run").label == "Run"


def test_missing_index_tells_how_to_build_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANGRAPH_INDEX", str(tmp_path / "nothing"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.error[0].value == f"no index at {tmp_path / 'nothing'}"
    assert [c.value for c in at.code] == ["plangraph build corpus", "bash scripts/start.sh"]
    assert not at.sidebar.radio


def test_markdown_of_quotes_and_chips_is_escaped() -> None:
    assert present.blockquote("1\n\n*粗体* $x$\n") == "> 1\n>\n> \\*粗体\\* \\$x\\$"
    chips = present.entity_chips([EntityRef("i", "Indicator", "毛入园率[1]")])
    assert chips == ":blue-badge[Indicator · 毛入园率\\[1\\]]"
    rows = present.hit_rows([])
    assert present.dict_rows_csv(rows) == "\r\n".encode("utf-8-sig")
    assert present.csv_bytes(["a"], [["=1+1"]]) == "a\r\n'=1+1\r\n".encode("utf-8-sig")
