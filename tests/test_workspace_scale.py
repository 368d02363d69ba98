"""What keeps a large index's reads to the plans asked about (issue #27), on the four real
plans: a plan's concept ties read in its own graph, an audit's targets from the stored rows
of the plan and the national plans, a result card's context from its plan's shard, and the
stored rows read in the background only while no search is in flight."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from plangraph.search.read.filters import passage_context
from plangraph.workspace import Workspace, comparisons, ties


def test_one_plans_ties_are_those_of_every_plan_for_it(four_plan_index: Path) -> None:
    ws = Workspace(four_plan_index)
    every = ws.concept_ties()
    assert every
    for plan in ws.plan_ids:
        assert ws.concept_ties(plan) == [t for t in every if t.plan == plan]
    assert any(t.measures for t in every)  # the concept's notation read from the scheme's graph


def test_the_plan_query_reads_only_the_plans_graph() -> None:
    assert "GRAPH $graph" in ties._PLAN_TIES and "GRAPH" not in ties._TIES


def test_audit_from_stored_rows_equals_audit_from_the_query(four_plan_index: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(four_plan_index)
    stored = {p: ws.audit(p).rows() for p in ws.plan_ids}
    assert comparisons._stored(ws, "concept-across-plans", ["linan"]) is not None
    monkeypatch.setattr(comparisons, "_stored", lambda *a: None)  # every plan's rows, by the query
    queried = {p: Workspace(four_plan_index).audit(p).rows() for p in ws.plan_ids}
    assert stored == queried
    assert any(r["check"] for rows in stored.values() for r in rows)


def test_an_audit_quotes_the_national_targets_without_reading_their_plans_rows(
        four_plan_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace(four_plan_index)
    national = [p["plan"] for p in ws.plans() if p["meta"].get("level") == "national"]
    rows = {r["iri"]: r for p in national for r in ws.export_rows("indicators", p)}
    own, targets = comparisons._concept_targets(ws, "linan", ws.plans(), ws.export_rows("indicators", "linan"))
    assert own and targets and {t.plan for t in targets} <= set(national)
    for t in targets:  # the quote and offsets of the national plan's indicator row
        r = rows[t.iri]
        assert (t.quote, t.start, t.end) == (" ".join(str(r["quote"] or "").split()), r["start"], r["end"])
        assert t.quote
    read: list[object] = []
    real = Workspace.export_rows
    monkeypatch.setattr(Workspace, "export_rows", lambda self, kind, plan=None: read.append(plan) or real(
        self, kind, plan))
    superior = [f for f in Workspace(four_plan_index).audit("linan").findings if f.check == "below-superior"]
    assert superior and all(f.note.split("superior quote: ")[1] in {t.quote for t in targets} for f in superior)
    assert read == ["linan", "linan"]  # its indicators and projects; no national plan's rows


def test_a_result_cards_context_is_that_of_the_whole_index(four_plan_index: Path) -> None:
    ws = Workspace(four_plan_index)
    passages = ws.searcher.index.passages
    ids = [p.passage_id for p in passages]
    picked = ids[:3] + ids[len(ids) // 2: len(ids) // 2 + 40] + ids[-3:]
    contexts = [ws.passage_context(pid) for pid in picked]
    assert contexts == [passage_context(passages, pid) for pid in picked]
    assert sum(1 for before, after in contexts if before and after) > 20
    assert ws.passage_context("linan-nothing") == ("", "")


def test_stored_rows_read_in_the_background_wait_for_a_search(four_plan_index: Path) -> None:
    ws = Workspace(four_plan_index)
    files = ws._plan_files
    with files.foreground.running():
        reader = threading.Thread(target=ws.stored_views, kwargs={"background": True})
        reader.start()
        reader.join(0.5)
        assert reader.is_alive() and files._views is None
    reader.join(60)
    assert not reader.is_alive() and files._views is not None
    assert ws.stored_answer("concept-across-plans", limit=0) is not None


def test_a_comparison_after_preparing_is_the_same(four_plan_index: Path) -> None:
    ws = Workspace(four_plan_index)
    thread = ws.prepare_comparisons()
    assert ws.prepare_comparisons() is thread  # started once
    thread.join(120)
    store = ws._store()
    national = store.national()
    assert national and set(national) <= set(store._indicators)  # read before two plans were picked
    prepared = ws.compare("linan", "linping", method="tfidf").tables()
    assert prepared == Workspace(four_plan_index).compare("linan", "linping", method="tfidf").tables()
