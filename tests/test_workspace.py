"""The façade and the CLI end to end on the real district plans, with the fake
encoder (the real encoders have their own tests)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from plangraph.errors import IndexStoreError, UsageError
from plangraph.interfaces.cli import build_parser, main
from plangraph.interfaces.writers import write_export
from plangraph.workspace import Workspace, build
from plangraph.workspace import builder as build_module

from .conftest import LINPING, ROOT


@pytest.fixture(scope="module")
def built(district_index: Path) -> Path:
    return district_index


@pytest.fixture(scope="module")
def ws(built: Path) -> Workspace:
    return Workspace(built)


def test_build_writes_a_self_describing_index(built: Path, tmp_path: Path) -> None:
    manifest = json.loads((built / "manifest.json").read_text("utf-8"))
    assert set(manifest["plans"]) == {"linan", "linping"}
    assert manifest["encoders"] == ["fake"]
    assert manifest["shacl"]["conforms"]
    assert manifest["counts"]["linan"]["projects"] == 39
    assert main(["export", "graph", "--format", "trig", "--index", str(built), "-o", str(tmp_path / "g.trig")]) == 0
    assert (tmp_path / "g.trig").stat().st_size > 100_000
    plans = json.loads((built / "plans" / manifest["plans"]["linan"]["shard"] / "plan.json").read_text("utf-8"))
    assert plans["meta"]["issued"] == "2022-07-11"


def test_search_cites_passages_with_entities(ws: Workspace) -> None:
    hits = ws.search("马溪幼儿园 锦北街道", top_k=5)
    top = hits[0]
    assert top.plan == "linan" and "马溪幼儿园" in top.text
    assert top.quote.startswith("1\n\n马溪幼儿园")
    assert top.section.endswith("学前教育计划建设项目")
    assert any(e.kind == "Project" and e.label == "马溪幼儿园" for e in top.entities)
    assert top.passage_iri.endswith(f"/linan/{top.passage_id}")
    only = ws.search("教师", top_k=5, plan="linping")
    assert only and all(h.plan == "linping" for h in only)
    with pytest.raises(UsageError, match="unknown plan 'nope'; choose one of: linan, linping"):
        ws.search("教师", plan="nope")


def test_sparql_and_export_through_the_facade(ws: Workspace, tmp_path: Path) -> None:
    result = ws.sparql(name="projects-by-place", params={"plan": "linan"})
    totals = {row[result.columns.index("place")]: row[result.columns.index("investmentWan")] for row in result.rows}
    assert float(totals["锦北街道"]) == 107664
    rows = ws.export_rows("indicators", plan="linan")
    assert len(rows) == 30
    out = write_export(ws, "projects", "csv", tmp_path / "projects.csv", plan="linan")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(table) == 39 and table[0]["名称"] == "马溪幼儿园"


def test_broken_plan_is_skipped_and_reported(tmp_path: Path) -> None:
    src = tmp_path / "plans"
    src.mkdir()
    shutil.copy(LINPING, src / "linping.txt")
    (src / "broken.txt").write_bytes(b"\x00\x00binary")
    summary = build([src], tmp_path / "ix", encoders=("fake",), progress=False)
    assert summary.plans == ("linping",)
    assert summary.failures and "broken.txt" in summary.failures[0][1]


def test_interrupted_build_leaves_the_last_good_index(built: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ix"
    shutil.copytree(built, out)
    before = (out / "manifest.json").read_text("utf-8")

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module.IndexWriter, "apply", crash)
    with pytest.raises(KeyboardInterrupt):
        build([LINPING], out, encoders=("fake",), progress=False)
    assert (out / "manifest.json").read_text("utf-8") == before
    assert Workspace(out).search("教师", top_k=1)
    assert sorted(p.name.split("-")[0] for p in (out / "plans").iterdir()) == ["linan", "linping"]


def test_a_build_that_died_between_its_renames_is_read_and_a_writer_puts_it_back(built: Path,
                                                                                tmp_path: Path) -> None:
    from plangraph.workspace import repair

    out = tmp_path / "ix"
    shutil.copytree(built, tmp_path / ".ix.previous")  # old index moved aside, new one not yet in
    assert Workspace(out).plan_ids == ("linan", "linping")
    assert not out.exists() and (tmp_path / ".ix.previous").is_dir()  # readers never write
    repair(out)
    assert out.is_dir() and not (tmp_path / ".ix.previous").exists()


def test_missing_and_corrupt_index_errors(tmp_path: Path) -> None:
    with pytest.raises(IndexStoreError, match="no index at .*nothing") as err:
        Workspace(tmp_path / "nothing")
    assert "plangraph build corpus" in (err.value.hint or "")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text("{not json", "utf-8")
    with pytest.raises(IndexStoreError, match="manifest.json is not valid JSON"):
        Workspace(tmp_path / "bad")


def test_cli_commands(built: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["search", "普惠性幼儿园覆盖面", "--index", str(built), "--format", "json", "--top", "3"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert {"rank", "score", "plan", "section", "text", "start", "end", "passage_iri", "entities"} <= set(hits[0])
    assert main(["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--index", str(built), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["n"] > 1000
    assert main(["sparql", "DELETE WHERE { ?s ?p ?o }", "--index", str(built)]) == 1
    assert capsys.readouterr().err.startswith("Error: ")
    with pytest.raises(SystemExit) as bad:  # a bad argument: exit 2 before the index opens
        main(["export", "projects", "--index", str(built), "--format", "ttl2", "-o", str(tmp_path / "x")])
    assert bad.value.code == 2
    assert "unknown format 'ttl2'; choose one of: csv, xlsx, json, jsonld, ttl" in capsys.readouterr().err
    assert main(["search", "教师", "--index", str(tmp_path / "none")]) == 1
    assert "no index at" in capsys.readouterr().err


def test_cli_search_table_names_the_best_sentence(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "全面推进清廉学校建设", "--index", str(built), "--top", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    best = next(line for line in lines if line.startswith("   best sentence: "))
    assert "清廉学校" in best and len(best) - len("   best sentence: ") < len(lines[1].strip())


def test_cli_build_without_sentence_vectors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ix"
    assert main(["build", str(LINPING), "--index", str(out), "--encoder", "fake", "--sentence-level", "none",
                 "--quiet"]) == 0
    assert "sentences embedded" not in capsys.readouterr().out
    search = json.loads((out / "manifest.json").read_text("utf-8"))["search"]
    spec = json.loads((out / search / "manifest.json").read_text("utf-8"))["encoders"][0]
    assert "sentences" not in spec
    assert main(["search", "教师", "--index", str(out), "--format", "json", "--top", "1"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["matched"] == ""


def test_every_command_has_help_and_is_in_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    names = list(sub.choices)  # type: ignore[union-attr]
    assert {"ingest", "build", "search", "sparql", "export", "eval"} <= set(names)
    for name in names:
        assert f"plangraph {name}" in readme, f"README does not show 'plangraph {name}'"
        with pytest.raises(SystemExit) as done:
            main([name, "--help"])
        assert done.value.code == 0
        assert "usage: plangraph " + name in capsys.readouterr().out


def test_search_reads_entities_without_parsing_the_graph(built: Path) -> None:
    fresh = Workspace(built)
    hit = fresh.search("马溪幼儿园 锦北街道", top_k=5)[0]
    assert any(e.kind == "Project" for e in hit.entities)
    assert fresh._dataset is None  # the graph (seconds to parse) is not needed for search


def test_unknown_encoder_fails_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown encoder 'nope'; choose one of: e5, use, fake"):
        build([LINPING], tmp_path / "ix", encoders=("nope",), progress=False)
    assert not (tmp_path / "ix").exists()


def test_cli_search_filters_by_target_group_and_kind(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "教师待遇", "--index", str(built), "--format", "json",
                 "--group", "rural-teachers"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits, "Lin'an commits to rural teachers' pay"
    # every hit states a commitment for rural teachers (乡村教师 or its alias 农村教师)
    assert all("乡村教师" in h["text"] or "农村教师" in h["text"] for h in hits)
    assert main(["search", "教师待遇", "--index", str(built), "--format", "json", "--kind", "indicators"]) == 0
    assert all(any(e["kind"] == "Indicator" for e in h["entities"]) for h in json.loads(capsys.readouterr().out))
    assert main(["search", "教师待遇", "--index", str(built), "--theme", "nope"]) == 1
    assert "unknown theme 'nope'; choose one of: preschool," in capsys.readouterr().err


def test_a_group_filter_reads_the_plans_concept_files_not_the_graph(built: Path, tmp_path: Path) -> None:
    import shutil

    from plangraph.graph.browse import passage_concepts

    fresh = Workspace(built)
    hits = fresh.search("教师待遇", top_k=5, predicate=fresh.passage_filter(groups=["rural-teachers"]))
    assert hits and fresh._dataset is None  # no graph walk over every commitment
    # the files written at build time say what the graph says, passage by passage
    every = passage_concepts(fresh.dataset)
    assert len(every) > 20
    assert all(fresh.concepts_for(pid) == keys for pid, keys in every.items())
    # an index whose shards predate concepts.json asks the graph instead
    old = tmp_path / "old"
    shutil.copytree(built, old)
    for f in (old / "plans").glob("*/concepts.json"):
        f.unlink()
    older = Workspace(old)
    assert all(older.concepts_for(pid) == keys for pid, keys in every.items())
    assert [h.passage_id for h in older.search("教师待遇", top_k=5,
                                               predicate=older.passage_filter(groups=["rural-teachers"]))] \
        == [h.passage_id for h in hits]


def test_cli_search_shows_what_an_english_query_was_looked_up_as(built: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "teacher salary compared with civil servants", "--index", str(built),
                 "--plan", "linan", "--top", "10"]) == 0
    assert "(lexical search for: 教师 老师 工资 待遇 公务员)" in capsys.readouterr().out
    searcher = Workspace(built).searcher
    best = searcher.rankings("teacher salary compared with civil servants", retrievers=["bm25"])["bm25"][0]
    assert "教师平均工资收入水平高于" in searcher.index.passages[best].content


def test_bad_counts_are_refused_before_anything_loads(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # no index at all: the argument is refused first, not "no index"
    with pytest.raises(SystemExit) as exit_:
        main(["search", "教师", "--index", str(tmp_path / "none"), "--per-plan", "0"])
    assert exit_.value.code == 2
    assert "argument --per-plan: must be at least 1, got 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["search", "教师", "--top", "ten"])
    assert "argument --top: 'ten' is not a whole number" in capsys.readouterr().err


def test_sessions_asking_for_the_graph_at_once_share_one_parse(built: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    ws = Workspace(built)
    parses: list[int] = []
    real = ws._parse_graph

    def counting() -> object:
        parses.append(1)
        return real()

    monkeypatch.setattr(ws, "_parse_graph", counting)
    seen: list[object] = []
    threads = [threading.Thread(target=lambda: seen.append(ws.dataset)) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(parses) == 1 and len(seen) == 3 and all(d is seen[0] for d in seen)
