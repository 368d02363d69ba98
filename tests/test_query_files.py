"""SPARQL the workspace runs for itself lives in data files (``plangraph/data/queries``),
beside the named queries but not among them."""

from __future__ import annotations

from pathlib import Path

import pytest

from plangraph.graph.iris import plan_graph_iri
from plangraph.graph.sparql import named_queries
from plangraph.model import PlanDoc
from plangraph.resources import data_text
from plangraph.workspace import Workspace
from plangraph.workspace.comparisons import AUDIT_PASSAGES

from .test_views import _param_sets


def test_the_audit_query_is_a_file_and_not_a_named_query() -> None:
    text = data_text(AUDIT_PASSAGES)
    assert "GRAPH $graph" in text and "SELECT ?start ?end ?quote ?kind ?table ?section" in text
    assert "audit-passages" not in named_queries()


def test_the_audit_query_reads_the_same_passages_in_the_plans_graph_as_in_all(
        district_index: Path, linan: PlanDoc) -> None:
    """The file runs as written (every graph); the audit narrows it to the plan's own
    graph for speed, and both give the same rows."""
    ws = Workspace(district_index)
    everywhere = ws.sparql(data_text(AUDIT_PASSAGES), params={"id": "linan"}, limit=0).as_dicts()
    assert [r["start"] for r in everywhere] == sorted(p.start for p in linan.passages)
    assert {r["kind"] for r in everywhere} == {p.kind for p in linan.passages}
    own = ws.sparql(data_text(AUDIT_PASSAGES).replace("$graph", plan_graph_iri("linan").n3()),
                    params={"id": "linan"}, limit=0).as_dicts()
    assert own == everywhere


BEFORE = Path(__file__).resolve().parent / "data" / "queries_before"


@pytest.mark.parametrize("name", sorted(p.stem for p in BEFORE.glob("*.rq")))
def test_a_faster_text_gives_the_rows_of_the_text_it_replaced(four_plan_index: Path, name: str) -> None:
    """Named queries rewritten for Oxigraph's planner (500 plans: concept-across-plans
    1.2 s → 0.5 s) give the same rows in the same order as the text before, on the
    real plans, with every parameter the view tests use (``tests/data/queries_before``
    holds the earlier texts)."""
    ws = Workspace(four_plan_index)
    old = (BEFORE / f"{name}.rq").read_text("utf-8")
    assert old != named_queries()[name].text
    sets = _param_sets(ws, name)
    assert len(sets) > 10
    nonempty = 0
    for params in sets[:40] + sets[40::7]:
        new_rows = ws.sparql(name=name, params=params, limit=0, from_views=False).rows
        assert new_rows == ws.sparql(old, params=params, limit=0).rows, params
        nonempty += bool(new_rows)
    assert nonempty > 5
