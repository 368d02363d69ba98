"""Named queries across plans answered from each plan's stored rows give what their
SPARQL text gives on the store: the same rows, in the same order, page for page.

The parameter values come from the four plans' own data (every indicator name and a
part of it, every target group and indicator concept by key and by label, lists of
plan ids) and from values no plan has, so that each FILTER is exercised both ways.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from plangraph.errors import IndexStoreError, QueryError
from plangraph.graph import sparql as sparql_module
from plangraph.graph.sparql import _parse_header, named_queries
from plangraph.graph.views import _spec, view_specs
from plangraph.interfaces.indexcmds import _print_summary
from plangraph.workspace import Workspace, add, build, freshviews, remove

from .conftest import CORPUS

NATIONAL_2035 = "national-china-education-modernization-2035"
NATIONAL_2010 = "national-education-reform-outline-2010-2020"
SCHEMES = {"commitments-for-group": "target-groups", "indicators-side-by-side": "indicator-concepts",
           "concept-across-plans": "indicator-concepts"}
LEVELS = ("national", "provincial", "municipal", "county", "district")


@pytest.fixture(scope="module")
def ws(four_plan_index: Path) -> Workspace:
    return Workspace(four_plan_index)


def _concepts(ws: Workspace, scheme: str) -> list[str]:
    """Keys and Chinese labels of a concept scheme, as the store has them."""
    result = ws.sparql(
        "SELECT ?key ?label WHERE { ?c skos:inScheme <https://w3id.org/plangraph/concept/%s> ; "
        "skos:notation ?key ; skos:prefLabel ?label FILTER (lang(?label) = 'zh') }" % scheme)
    return sorted({str(v) for row in result.rows for v in row})


def _param_sets(ws: Workspace, name: str) -> list[dict[str, str]]:
    whole = ws.sparql(name=name, limit=0, from_views=False).as_dicts()
    nothing = "没有这个值"
    if name == "indicator-across-plans":
        labels = sorted({r["indicator"] for r in whole})
        return [{}, {"name": ""}, {"name": nothing}, {"name": '"'}, {"name": "率"}] + \
            [{"name": label} for label in labels] + [{"name": label[1:3]} for label in labels]
    if name == "indicators-by-category":
        categories = sorted({r["cat"] for r in whole if r["cat"]})
        return [{}, {"plan": nothing}] + [{"plan": p} for p in ws.plan_ids] + \
            [{"category": c} for c in categories] + [{"plan": "linan", "category": c} for c in categories]
    if name == "commitment-themes":
        themes = sorted({v for scheme in ("stages", "themes", "target-groups") for v in _concepts(ws, scheme)})
        return [{}] + [{"theme": v} for v in [*themes, nothing]] + [{"plan": p} for p in (*ws.plan_ids, nothing)] + \
            [{"theme": r["themeLabel"], "plan": r["plan"]} for r in whole[::97]]
    values = _concepts(ws, SCHEMES[name]) + [nothing]
    if SCHEMES[name] == "indicator-concepts":
        # every concept some plan has rows of (key and label), and a few of the ~160 that none has
        used = {str(r[c]) for r in whole for c in ("key", "conceptLabel")}
        values = sorted(used) + [v for v in values if v not in used][:12] + [nothing]
    if name == "concept-across-plans":
        return [{}, {"concept": ""}] + [{"concept": v} for v in values] + [{"level": v} for v in (*LEVELS, nothing)] + \
            [{"concept": r["key"], "level": r["planLevel"]} for r in whole] + \
            [{"concept": r["conceptLabel"], "level": "county"} for r in whole[:3]]
    if name == "commitments-for-group":
        return [{}] + [{"group": v} for v in values] + \
            [{"group": r["groupLabel"], "plan": r["plan"]} for r in whole] + [{"plan": "linan"}, {"plan": nothing}]
    return [{}] + [{"concept": v} for v in values] + [
        {"plans": "linan"}, {"plans": f" linan , {NATIONAL_2035} "}, {"plans": f"linping,{nothing}"},
        {"plans": "linan,linping", "concept": whole[0]["key"]}]


@pytest.mark.parametrize("name", sorted(view_specs()))
def test_rows_and_order_are_those_of_the_sparql_text(ws: Workspace, name: str) -> None:
    sets = _param_sets(ws, name)
    assert len(sets) > 10
    answered = 0
    for params in sets:
        views = ws.sparql(name=name, params=params, limit=0)
        text = ws.sparql(name=name, params=params, limit=0, from_views=False)
        assert views.columns == text.columns, params
        assert views.rows == text.rows, params
        answered += bool(text.rows)
        page = ws.sparql(name=name, params=params, limit=7, offset=3)
        assert page.rows == text.rows[3:10] and page.total_rows == len(text.rows), params
    assert answered > len(sets) // 3  # most parameter values find rows, so the test compares something


def test_view_queries_are_answered_without_the_store(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_engine(*args: object, **kwargs: object) -> None:
        raise AssertionError("the store was asked")

    expected = ws.sparql(name="indicator-across-plans", params={"name": "毛入园率"}, limit=0, from_views=False)
    monkeypatch.setattr(sparql_module, "run_named", no_engine)
    got = ws.sparql(name="indicator-across-plans", params={"name": "毛入园率"}, limit=0)
    assert got.rows == expected.rows and len(got.rows) > 4
    with pytest.raises(AssertionError, match="store was asked"):  # places are shared between plans: no view
        ws.sparql(name="projects-by-place", params={"plan": "linan"})
    with pytest.raises(AssertionError, match="store was asked"):  # nor is an endpoint's answer
        ws.sparql(name="indicator-across-plans", endpoint="http://127.0.0.1:9/query")


def _copy(index: Path, tmp_path: Path) -> Path:
    out = tmp_path / "ix"
    shutil.copytree(index, out)
    return out


def _views_file(index: Path, plan: str) -> Path:
    manifest = json.loads((index / "manifest.json").read_text("utf-8"))
    return index / "plans" / manifest["plans"][plan]["shard"] / "views.json"


def test_a_plan_without_current_rows_sends_the_query_to_the_store(district_index: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ix = _copy(district_index, tmp_path)
    expected = Workspace(ix).sparql(name="indicator-across-plans", limit=0, from_views=False)
    calls: list[str] = []
    real = sparql_module.run_named

    def counted(where: object, name: str, *args: object, **kwargs: object) -> object:
        calls.append(name)
        return real(where, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sparql_module, "run_named", counted)
    # rows made by another text of the query (an older version) are not used
    path = _views_file(ix, "linping")
    views = json.loads(path.read_text("utf-8"))
    views["indicator-across-plans"]["query"] = "0" * 16
    path.write_text(json.dumps(views, ensure_ascii=False), "utf-8")
    assert Workspace(ix).sparql(name="indicator-across-plans", limit=0).rows == expected.rows
    assert calls == ["indicator-across-plans"]
    Workspace(ix).sparql(name="indicators-side-by-side", limit=0)  # its rows are current
    assert calls == ["indicator-across-plans"]
    path.unlink()  # an index built before views
    assert Workspace(ix).sparql(name="indicator-across-plans", limit=0).rows == expected.rows
    assert calls == ["indicator-across-plans"] * 2


def test_a_corrupt_views_file_is_named(district_index: Path, tmp_path: Path) -> None:
    ix = _copy(district_index, tmp_path)
    path = _views_file(ix, "linan")
    good = json.loads(path.read_text("utf-8"))
    path.write_text("{not json", "utf-8")
    with pytest.raises(IndexStoreError, match="views.json is corrupt"):
        Workspace(ix).sparql(name="commitments-for-group")
    # valid JSON, current stamp, but a row cut short: reported, never answered from
    damaged = json.loads(json.dumps(good))
    damaged["indicator-across-plans"]["rows"][0].pop()
    path.write_text(json.dumps(damaged, ensure_ascii=False), "utf-8")
    with pytest.raises(IndexStoreError, match=r"linan-\w+/views.json is corrupt \(the rows of indicator-across-plans"):
        Workspace(ix).sparql(name="indicator-across-plans")
    damaged = json.loads(json.dumps(good))
    damaged["indicator-across-plans"]["rows"][0][-1] = {"decimal": "not a number"}
    path.write_text(json.dumps(damaged, ensure_ascii=False), "utf-8")
    with pytest.raises(IndexStoreError, match="a cell of indicator-across-plans is not a value"):
        Workspace(ix).sparql(name="indicator-across-plans")


def test_a_build_refreshes_stale_rows_of_unchanged_plans(district_index: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    ix = _copy(district_index, tmp_path)
    good = {plan: _views_file(ix, plan).read_text("utf-8") for plan in ("linan", "linping")}
    # rows of an older text of one query (as after the query file changed), and a file with no rows at all
    views = json.loads(good["linping"])
    views["indicator-across-plans"]["query"] = "0" * 16
    _views_file(ix, "linping").write_text(json.dumps(views, ensure_ascii=False), "utf-8")
    _views_file(ix, "linan").unlink()

    def no_extract(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged plan was extracted again")

    monkeypatch.setattr("plangraph.extract.pipeline.extract", no_extract)
    # the files alone do not say so: the index records the query texts its rows are of
    assert build([CORPUS], ix, encoders=("fake",), progress=False, workers=1).views_refreshed == ()
    # a query file changed: the texts are not those the index recorded
    for module in ("builder", "freshviews"):
        monkeypatch.setattr(f"plangraph.workspace.{module}.views_digest", lambda: "changed-texts")
    summary = build([CORPUS], ix, encoders=("fake",), progress=False, workers=1)
    assert summary.views_refreshed == ("linan", "linping")
    _print_summary(summary, "built")
    assert "named-query rows refreshed for 2 plan(s): linan, linping" in capsys.readouterr().out
    assert set(summary.unchanged) == {"linan", "linping"} and not summary.replaced and not summary.added
    for plan, text in good.items():
        assert json.loads(_views_file(ix, plan).read_text("utf-8")) == json.loads(text), plan
    assert json.loads(_views_file(ix, "linping").read_text("utf-8"))["indicator-across-plans"]["query"] != "0" * 16
    monkeypatch.setattr(sparql_module, "run_named", _no_store)
    assert Workspace(ix).sparql(name="indicator-across-plans", limit=0).rows == \
        Workspace(district_index).sparql(name="indicator-across-plans", limit=0).rows
    again = build([CORPUS], ix, encoders=("fake",), progress=False, workers=1)
    assert again.views_refreshed == () and "views" not in again.seconds


def test_a_change_reads_no_other_plan_s_rows(four_plan_index: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """While the query texts are those the index recorded, adding or removing a plan reads
    no other plan's views.json (at 3,000 plans that read was seconds of every change)."""
    ix = _copy(four_plan_index, tmp_path)
    read: list[Path] = []
    real = freshviews.stale_views
    monkeypatch.setattr(freshviews, "stale_views", lambda shard: read.append(shard) or real(shard))
    remove([NATIONAL_2010], ix, progress=False)
    assert read == []
    # after a query file changed, the next change looks at every plan it keeps, once
    monkeypatch.setattr(freshviews, "views_digest", lambda: "changed-texts")
    monkeypatch.setattr("plangraph.workspace.builder.views_digest", lambda: "changed-texts")
    remove(["linping"], ix, progress=False)
    assert sorted(p.name.rsplit("-", 1)[0] for p in read) == sorted(Workspace(ix).manifest["plans"])
    read.clear()
    add([CORPUS / "linping-education-14th-fyp.excerpt.txt"], ix, progress=False, workers=1)
    assert read == []


def _no_store(*args: object, **kwargs: object) -> None:
    raise AssertionError("the store was asked")


def test_a_removed_plan_leaves_the_answer(four_plan_index: Path, tmp_path: Path) -> None:
    ix = _copy(four_plan_index, tmp_path)
    before = Workspace(ix).sparql(name="indicator-across-plans", limit=0)
    assert {r[1] for r in before.rows} == {"linan", NATIONAL_2010, NATIONAL_2035}
    remove([NATIONAL_2010], ix, progress=False)
    after = Workspace(ix).sparql(name="indicator-across-plans", limit=0)
    assert after.rows == tuple(r for r in before.rows if r[1] != NATIONAL_2010)
    assert after.rows == Workspace(ix).sparql(name="indicator-across-plans", limit=0, from_views=False).rows


def test_a_view_query_must_say_how_each_parameter_narrows_rows() -> None:
    nq = named_queries()["commitments-for-group"]
    without_plan = nq.text.replace("# view: plan equals ?plan\n", "")
    with pytest.raises(QueryError, match="commitments-for-group.rq: parameter.s. plan have no '# view:' line"):
        _spec(_parse_header(nq.name, without_plan))
    bad_op = nq.text.replace("# view: plan equals ?plan", "# view: plan matches ?plan")
    with pytest.raises(QueryError, match="OP one of: contains, equals, listed"):
        _spec(_parse_header(nq.name, bad_op))
    assert _spec(named_queries()["projects-by-place"]) is None  # a query without view lines runs as SPARQL
