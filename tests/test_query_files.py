"""SPARQL the workspace runs for itself lives in data files (``plangraph/data/queries``),
beside the named queries but not among them."""

from __future__ import annotations

from pathlib import Path

from plangraph.graph.iris import plan_graph_iri
from plangraph.graph.sparql import named_queries
from plangraph.model import PlanDoc
from plangraph.resources import data_text
from plangraph.workspace import Workspace
from plangraph.workspace.comparisons import AUDIT_PASSAGES


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
