"""Search on Milvus (milvus-lite files here): pushing an index plan by plan, the same hits
and citations as the index's own search, and the errors a user meets."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from plangraph.errors import IndexStoreError, UsageError
from plangraph.interfaces.cli import main
from plangraph.workspace import Workspace, add, remove

from .conftest import LINPING

pytest.importorskip("pymilvus", reason="the Milvus backend needs pymilvus: pip install 'plangraph[milvus]'")
pytest.importorskip("milvus_lite", reason="local Milvus files need milvus-lite: pip install 'plangraph[milvus]'")

from plangraph.search.milvus import MilvusStore  # noqa: E402 - after the skip
from plangraph.workspace.searchbackend import push_search  # noqa: E402

QUESTION = "哪些承诺涉及乡村教师?"


@pytest.fixture(scope="module")
def pushed(district_index: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The district index (fake encoder, sentence vectors) pushed to a milvus-lite file."""
    db = str(tmp_path_factory.mktemp("milvus") / "district.db")
    report = push_search(district_index, f"milvus:{db}")
    assert report.written == ("linan", "linping") and report.passages == 206
    return db


@pytest.fixture(scope="module")
def both(district_index: Path, pushed: str) -> tuple[Workspace, Workspace]:
    return Workspace(district_index, search_backend="local"), Workspace(district_index,
                                                                         search_backend=f"milvus:{pushed}")


def test_milvus_holds_every_passage_and_sentence_by_plan(pushed: str) -> None:
    store = MilvusStore(pushed)
    assert store.count() == 206 and store.count("linan") == 190 and store.count("linping") == 16
    assert store.count(sentences=True) > store.count()  # e5-like sentence vectors of the fake encoder
    assert set(store.synced()) == {"linan", "linping"}


def test_same_hits_and_citations_as_the_local_search(both: tuple[Workspace, Workspace]) -> None:
    local, milvus = both
    for query in (QUESTION, "马溪幼儿园 锦北街道", "学前三年毛入园率"):
        want, got = local.search(query, top_k=5), milvus.search(query, top_k=5)
        assert [h.passage_id for h in got][:3] == [h.passage_id for h in want][:3], query
        for w, g in zip(want, got):
            if w.passage_id == g.passage_id:  # the citation is the passage's, whichever search found it
                assert (g.plan, g.start, g.end, g.section, g.quote, g.text, g.page, g.matched, g.entities,
                        g.passage_iri) == (w.plan, w.start, w.end, w.section, w.quote, w.text, w.page,
                                           w.matched, w.entities, w.passage_iri)
    top = milvus.search(QUESTION, top_k=3)[0]
    assert top.plan == "linan" and "乡村教师" in top.text
    assert milvus.plan_text("linan")[top.start:top.end] == top.quote
    assert dict(top.sources)  # which retrievers found it, as locally


def test_strength_and_context_read_from_milvus(both: tuple[Workspace, Workspace]) -> None:
    local, milvus = both
    hits = local.search(QUESTION, top_k=4)
    for want, got in zip(local.cosines(QUESTION, hits), milvus.cosines(QUESTION, hits)):
        assert got.keys() == want.keys()
        assert all(abs(got[k] - want[k]) < 1e-4 for k in want)
    assert milvus.strengths(QUESTION, hits) == local.strengths(QUESTION, hits)
    for h in hits:
        assert milvus.passage_context(h.passage_id) == local.passage_context(h.passage_id)


def test_filters_go_to_milvus(both: tuple[Workspace, Workspace]) -> None:
    local, milvus = both
    only = milvus.search("教师", top_k=5, plan="linping")
    assert only and all(h.plan == "linping" for h in only)
    assert only[0].passage_id == local.search("教师", top_k=5, plan="linping")[0].passage_id
    section = local.search(QUESTION, top_k=1)[0].section
    under = milvus.search("教师", top_k=5, section=section)
    assert under and all(h.section.startswith(section) for h in under)
    projects = milvus.passage_filter(kinds=["projects"])
    got = milvus.search("幼儿园", top_k=5, predicate=projects)
    assert got and all(any(e.kind == "Project" for e in h.entities) for h in got)
    assert [h.passage_id for h in got] == [h.passage_id for h in local.search("幼儿园", top_k=5, predicate=projects)]
    per_plan = milvus.search("教师", top_k=4, per_plan=1)
    assert sorted(h.plan for h in per_plan) == ["linan", "linping"]
    with pytest.raises(UsageError, match="unknown plan 'nope'; choose one of: linan, linping"):
        milvus.searcher.search("教师", plan="nope")


def test_add_replace_remove_touch_only_that_plans_rows(district_index: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    index = tmp_path / "ix"
    shutil.copytree(district_index, index)
    db = str(tmp_path / "m.db")
    spec = f"milvus:{db}"
    push_search(index, spec)
    store = MilvusStore(db)
    linan_rows = {r["pk"] for r in store.client.query(store.passages, filter='plan_id == "linan"',
                                                      output_fields=["pk"], limit=1000)}
    assert push_search(index, spec).written == ()  # nothing changed, nothing written

    assert main(["remove", "linping", "--index", str(index), "--search-backend", spec, "--quiet"]) == 0
    assert store.count("linping") == 0 and store.count("linping", sentences=True) == 0
    assert store.count("linan") == 190 and set(store.synced()) == {"linan"}

    capsys.readouterr()
    assert main(["add", str(LINPING), "--index", str(index), "--search-backend", spec, "--quiet"]) == 0
    assert f"milvus {db}: 1 written, 1 unchanged; 16 passages written" in capsys.readouterr().out
    assert store.count("linping") == 16 and store.count() == 206

    changed = tmp_path / LINPING.name
    changed.write_text(LINPING.read_text("utf-8") + "\n全面加强学校体育工作,建设一批体育特色学校,确保学生每天校园"
                       "体育活动时间不少于2小时。\n", "utf-8")
    shutil.copy(LINPING.with_name(LINPING.name.replace(".txt", ".meta.toml")), tmp_path)
    add([changed], index, progress=False)
    report = push_search(index, spec)
    assert report.written == ("linping",) and report.unchanged == ("linan",)
    assert store.count("linping") == report.passages == 17
    assert {r["pk"] for r in store.client.query(store.passages, filter='plan_id == "linan"',
                                                 output_fields=["pk"], limit=1000)} == linan_rows
    hits = Workspace(index, search_backend=spec).search("建设一批体育特色学校", top_k=1)
    assert hits[0].plan == "linping" and "体育特色学校" in hits[0].text


def test_a_killed_push_is_finished_by_the_next(district_index: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    push_search(district_index, f"milvus:{db}")
    store = MilvusStore(db)
    store.client.delete(store.passages, filter='plan_id == "linping" and pos == 0')  # marker gone: half written
    report = push_search(district_index, f"milvus:{db}")
    assert report.written == ("linping",) and store.count("linping") == 16


def test_errors_name_the_backend_and_the_fix(district_index: Path, pushed: str, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "教师", "--index", str(district_index), "--search-backend", "milvus:x.sqlite"]) == 1
    assert ("unknown search backend 'milvus:x.sqlite'; choose one of: local, milvus:<file.db>, "
            "milvus:http://HOST:19530") in capsys.readouterr().err
    with pytest.raises(IndexStoreError, match="Milvus at http://127.0.0.1:9 is unreachable"):
        Workspace(district_index, search_backend="milvus:http://127.0.0.1:9").search("教师")
    with pytest.raises(IndexStoreError, match="has no collection plangraph_passages") as empty:
        Workspace(district_index, search_backend=f"milvus:{tmp_path / 'empty.db'}").search("教师")
    assert "push-search" in (empty.value.hint or "")
    with pytest.raises(UsageError, match="push-search needs a Milvus backend"):
        push_search(district_index, "local")


def test_other_encoders_or_plans_are_refused(district_index: Path, pushed: str, tmp_path: Path) -> None:
    from plangraph.search.encoders import FakeEncoder
    from plangraph.search.read.milvus_search import MilvusSearcher

    with pytest.raises(IndexStoreError, match=r"built with encoders fake/bigram-hash \(64, sentences\); "
                                              r"fake/bigram-hash \(32\) has dimension 64 there"):
        MilvusSearcher(MilvusStore(pushed), [FakeEncoder(dim=32)], {})
    db = str(tmp_path / "m.db")
    push_search(district_index, f"milvus:{db}")
    other = tmp_path / "other"
    from plangraph.workspace import build

    build([LINPING], other, encoders=("fake",), sentence_level="none", progress=False)
    with pytest.raises(IndexStoreError, match="holds encoders fake/bigram-hash \\(64, sentences\\)") as err:
        push_search(other, f"milvus:{db}")
    assert "--recreate" in (err.value.hint or "")
    fewer = tmp_path / "fewer"
    shutil.copytree(district_index, fewer)
    remove(["linping"], fewer, progress=False)
    with pytest.raises(IndexStoreError, match=r"does not hold the index .* as it is now \(plans that differ: linping\)"):
        Workspace(fewer, search_backend=f"milvus:{db}").search("教师")
    assert push_search(other, f"milvus:{db}", recreate=True).written == ("linping",)
    assert Workspace(other, search_backend=f"milvus:{db}").search("教师", top_k=1)[0].plan == "linping"


def test_without_pymilvus_the_error_names_the_extra(district_index: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pymilvus", None)
    with pytest.raises(UsageError, match="needs pymilvus, which is not installed") as err:
        push_search(district_index, f"milvus:{tmp_path / 'x.db'}")
    assert "plangraph[milvus]" in (err.value.hint or "")


def test_the_environment_chooses_the_backend(district_index: Path, pushed: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANGRAPH_SEARCH_BACKEND", f"milvus:{pushed}")
    ws = Workspace(district_index)
    assert type(ws.searcher).__name__ == "MilvusSearcher"
    assert type(Workspace(district_index, search_backend="local").searcher).__name__ == "Searcher"


def test_the_app_searches_on_milvus_when_the_operator_says_so(district_index: Path, pushed: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from plangraph.search.read.milvus_search import MilvusSearcher

    from .conftest import ROOT

    asked: list[str] = []
    original = MilvusSearcher.search_with_scope

    def counted(self: MilvusSearcher, query: str, *args: object, **kwargs: object) -> object:
        asked.append(query)
        return original(self, query, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MilvusSearcher, "search_with_scope", counted)
    monkeypatch.setenv("PLANGRAPH_INDEX", str(district_index))
    monkeypatch.setenv("PLANGRAPH_SEARCH_BACKEND", f"milvus:{pushed}")
    st.cache_resource.clear()  # a workspace another test opened on the index's own search
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
        at.text_input(key="q").set_value("马溪幼儿园").run()
        assert not at.exception, at.exception
        quotes = [md.value for md in at.markdown if md.value.startswith("> ")]
        assert len(quotes) == 10 and any("马溪幼儿园" in q for q in quotes)
        assert "马溪幼儿园" in asked
    finally:
        st.cache_resource.clear()
