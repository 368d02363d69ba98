"""The named queries as rewritten for scale (issue #15) answer exactly as before, and
their results come in pages that add up to the whole.

"Before" is independent of what it checks: the query texts as they were
(``benchmarks/data/named-queries-before/``) evaluated by rdflib over the four plans'
graph exported as N-Quads; "after" is the library's text on the Oxigraph store, through
``Workspace.sparql`` as every client calls it.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from plangraph.graph.sparql import DEFAULT_PAGE, named_queries, run_query
from plangraph.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
BEFORE = REPO / "benchmarks" / "data" / "named-queries-before"
NATIONAL_2035 = "national-china-education-modernization-2035"
CASES = [
    ("bodies-responsibilities", {}),
    ("bodies-responsibilities", {"plan": "linan"}),
    ("bodies-responsibilities", {"body": "教育部门"}),
    ("cited-documents", {}),
    ("cited-documents", {"plan": "linan"}),
    ("cited-plans", {}),
    ("cited-plans", {"plan": "linping"}),
    ("commitment-themes", {}),
    ("commitment-themes", {"theme": "教师队伍"}),
    ("commitment-themes", {"theme": "rural-teachers", "plan": "linan"}),
    ("commitments-for-group", {}),
    ("commitments-for-group", {"group": "乡村教师"}),
    ("commitments-for-group", {"group": "rural-teachers", "plan": "linan"}),
    ("concept-across-plans", {}),
    ("concept-across-plans", {"concept": "compulsory-teacher-degree"}),
    ("concept-across-plans", {"concept": "劳动年龄人口平均受教育年限", "level": "national"}),
    ("concept-across-plans", {"level": "district"}),
    ("indicator-across-plans", {}),
    ("indicator-across-plans", {"name": "毛入园率"}),
    ("indicator-across-plans", {"name": "受教育年限"}),
    ("indicators-by-category", {}),
    ("indicators-by-category", {"plan": "linan"}),
    ("indicators-by-category", {"plan": NATIONAL_2035}),
    ("indicators-by-category", {"plan": "linan", "category": "义务教育"}),
    ("indicators-side-by-side", {}),
    ("indicators-side-by-side", {"concept": "working-age-years-of-schooling"}),
    ("indicators-side-by-side", {"plans": f"linan,{NATIONAL_2035}"}),
    ("projects-by-place", {}),
    ("projects-by-place", {"plan": "linan"}),
]


@pytest.fixture(scope="module")
def ws(four_plan_index: Path) -> Workspace:
    return Workspace(four_plan_index)


@pytest.fixture(scope="module")
def nquads(ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ws.write_graph(tmp_path_factory.mktemp("nq") / "graph.nq", "nq")


def _comparable(row: tuple[object, ...]) -> tuple[object, ...]:
    # rdflib and Oxigraph agree on values; a decimal may differ only in trailing zeros
    return tuple(v.normalize() if isinstance(v, Decimal) else v for v in row)


def test_every_named_query_is_checked() -> None:
    assert {name for name, _ in CASES} == set(named_queries())
    assert {p.stem for p in BEFORE.glob("*.rq")} == set(named_queries())


@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{'-'.join(p.values()) or 'all'}" for n, p in CASES])
def test_rows_are_those_of_the_query_before(ws: Workspace, nquads: Path, name: str, params: dict[str, str]) -> None:
    before = run_query(nquads, (BEFORE / f"{name}.rq").read_text("utf-8"), 120, params or None)
    after = ws.sparql(name=name, params=params or None, limit=0)
    assert after.columns == before.columns
    assert Counter(map(_comparable, after.rows)) == Counter(map(_comparable, before.rows))
    assert not after.is_partial and after.total_rows == len(before.rows)
    # the rewritten text means the same to rdflib (plangraph sparql on an exported graph)
    again = run_query(nquads, named_queries()[name].text, 120, params or None)
    assert Counter(map(_comparable, again.rows)) == Counter(map(_comparable, before.rows))


def test_pages_add_up_to_the_whole_result(ws: Workspace) -> None:
    whole = ws.sparql(name="indicators-by-category", limit=0)
    assert whole.total_rows > 100  # the four plans' indicator values, so that there are pages
    pages, offset = [], 0
    while offset < whole.total_rows:
        page = ws.sparql(name="indicators-by-category", limit=40, offset=offset)
        assert page.total_rows == whole.total_rows and page.offset == offset
        pages.extend(page.rows)
        offset += 40
    assert pages == list(whole.rows)
    assert ws.sparql(name="indicators-by-category", limit=40).page_note() == \
        f"showing rows 1–40 of {whole.total_rows:,}"
    # a named query answers with its first page unless asked for more; a query text with every row
    assert len(ws.sparql(name="indicators-by-category").rows) == min(DEFAULT_PAGE, whole.total_rows)
    text = ws.sparql(named_queries()["indicators-by-category"].text)
    assert text.rows == whole.rows and not text.is_partial


def test_cli_says_when_it_shows_a_page(four_plan_index: Path) -> None:
    cmd = [sys.executable, "-m", "plangraph.interfaces.cli", "sparql", "--index", str(four_plan_index),
           "--name", "indicator-across-plans", "--format", "csv", "--limit", "5", "--offset", "5"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert lines[0].startswith("indicator,plan,") and len(lines) == 6
    total = Workspace(four_plan_index).sparql(name="indicator-across-plans", limit=1).total_rows
    assert out.stderr.strip() == f"(showing rows 6–10 of {total:,}; --offset 10 for the next rows, --limit 0 for all)"
    every = subprocess.run([*cmd[:-4], "--limit", "0"], capture_output=True, text=True, check=True)
    assert len(every.stdout.strip().splitlines()) == total + 1 and every.stderr == ""


def test_app_shows_a_page_says_so_and_offers_every_row(four_plan_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    total = Workspace(four_plan_index).sparql(name="indicators-by-category", limit=1).total_rows
    monkeypatch.setenv("PLANGRAPH_INDEX", str(four_plan_index))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    at.sidebar.radio(key="page").set_value("sparql").run()
    at.selectbox(key="sparql_name").set_value("indicators-by-category").run()
    at.number_input(key="sparql_from_row").set_value(101).run()
    at.button(key="sparql_run").click().run()
    assert not at.exception and not at.error
    assert len(at.dataframe[0].value) == total - 100
    assert at.info[0].value.startswith(f"显示第 101–{total:,} 行，共 {total:,} 行")
    assert any(b.label.startswith(f"下载全部 {total:,} 行（CSV）") for b in at.get("download_button"))
