"""Commitment alignment on the real plans: the issue's shared and only-in-one examples,
and the labelled pairs read back with the measured thresholds."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from plangraph.analysis.compare import (
    THRESHOLDS,
    CommitmentComparison,
    Statement,
    compare_commitments,
    score_matrix,
)
from plangraph.errors import UsageError
from plangraph.extract.pipeline import extract
from plangraph.model import PlanDoc

from .conftest import NATIONAL_2035, ROOT, shared_file

PAIRS = ROOT / "tests" / "data" / "commitment_pairs.tsv"


def _statements(doc: PlanDoc) -> list[Statement]:
    return [Statement(doc.plan_id, c.text, c.evidence.start, c.evidence.end) for c in extract(doc).commitments]


@pytest.fixture(scope="module")
def embed():  # type: ignore[no-untyped-def]
    from plangraph.search.encoders import get_encoder

    return get_encoder("use").encode_passages


@pytest.fixture(scope="module", params=["tfidf", "blend", "atomic"])
def linan_linping(request: pytest.FixtureRequest, linan: PlanDoc, linping: PlanDoc) -> CommitmentComparison:
    embed = request.getfixturevalue("embed") if request.param != "tfidf" else None
    return compare_commitments(_statements(linan), _statements(linping), method=request.param, embed=embed)


def test_teacher_pay_is_shared(linan_linping: CommitmentComparison, linan: PlanDoc) -> None:
    pay = [a for a in linan_linping.alignments if "公务员" in a.statement.text and a.side != "only in B"]
    assert pay and all(a.side == "shared" for a in pay)
    for a in pay:
        assert a.best is not None and "公务员" in a.best.statement.text
        assert a.best.score >= linan_linping.threshold
        assert linan.original[a.statement.start:a.statement.end] == a.statement.text


def test_eye_care_lighting_is_only_in_linping(linan_linping: CommitmentComparison) -> None:
    (only,) = [a for a in linan_linping.alignments if "护眼灯光" in a.statement.text]
    assert only.side == "only in B" and only.statement.plan == "linping"
    assert only.best is not None and only.best.score < linan_linping.threshold


def test_rows_carry_both_quotes(linan_linping: CommitmentComparison) -> None:
    rows = linan_linping.rows()
    counts = linan_linping.counts()
    assert len(rows) == sum(counts.values()) and counts["shared"] > 0
    shared = next(r for r in rows if r["side"] == "shared")
    assert shared["plan"] == "linan" and shared["other_plan"] == "linping"
    assert shared["quote"] and shared["other_quote"] and shared["score"] >= linan_linping.threshold


def test_shared_pairs_come_closest_first_and_only_rows_say_they_are_below(
        linan_linping: CommitmentComparison) -> None:
    rows = linan_linping.rows()
    sides = [r["side"] for r in rows]
    assert sides == sorted(sides, key=["shared", "only in A", "only in B"].index)
    scores = [r["score"] for r in rows if r["side"] == "shared"]
    assert len(scores) > 2 and scores == sorted(scores, reverse=True)
    only_a = [r for r in rows if r["side"] == "only in A"]
    assert [r["start"] for r in only_a] == sorted(r["start"] for r in only_a)
    assert all(r["note"] is None for r in rows if r["side"] == "shared")
    below = [r for r in rows if r["side"] != "shared" and r["other_quote"]]
    assert below and all(r["score"] < linan_linping.threshold for r in below)
    assert {r["note"] for r in below} == {f"nearest only: below the threshold {linan_linping.threshold:.2f}"}


def test_labelled_pairs_with_the_chosen_threshold(linan: PlanDoc, linping: PlanDoc) -> None:
    with PAIRS.open(encoding="utf-8") as f:
        pairs = list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))
    assert len(pairs) >= 60
    assert {p["label"] for p in pairs} == {"0", "1"}
    texts = {d.plan_id: [c.text for c in extract(d).commitments] for d in (linan, linping)}
    local = [p for p in pairs if p["plan_a"] == "linping" and p["plan_b"] == "linan"]
    sim = score_matrix(texts["linping"], texts["linan"], "tfidf")
    pred = np.array([sim[texts["linping"].index(p["quote_a"]), texts["linan"].index(p["quote_b"])]
                     >= THRESHOLDS["tfidf"] for p in local])
    gold = np.array([p["label"] == "1" for p in local])
    # every quote is a commitment the extractor finds, and the threshold separates better than chance
    assert (pred & gold).sum() / gold.sum() > 0.6
    assert (pred & gold).sum() / pred.sum() > gold.mean()


def test_unknown_method_names_the_choices(linan: PlanDoc, linping: PlanDoc) -> None:
    with pytest.raises(ValueError, match="unknown method 'bert'; choose one of: tfidf, use, blend"):
        compare_commitments(_statements(linping), _statements(linping), method="bert")
    with pytest.raises(ValueError, match="needs an embed function"):
        compare_commitments(_statements(linping), _statements(linping), method="blend")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from plangraph.workspace import build

    from .conftest import CORPUS

    out = tmp_path_factory.mktemp("ix") / "default"
    build([CORPUS, shared_file(NATIONAL_2035)], out, encoders=("fake",), progress=False)
    return out


def test_workspace_compare_and_audit_through_the_cli(built, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from plangraph.interfaces.cli import main
    from plangraph.workspace import Workspace

    ws = Workspace(built)
    cmp = ws.compare("linan", "linping", method="tfidf")
    assert cmp.commitments.counts()["shared"] > 0
    cited = {c.title: c.corpus_plan for c in cmp.citations}
    assert cited["中国教育现代化2035"] == "national-china-education-modernization-2035"
    ind = {r["key"]: r for r in cmp.indicators.rows()}
    assert ind["inclusive-kindergarten-coverage"]["linan indicator"] == "普惠性幼儿园覆盖面"
    # Lin'an's 教师学历 小学本科 is the primary-school concept; the national target is for
    # all compulsory-education teachers, another concept
    assert ind["primary-teacher-bachelor"]["linan indicator"] == "教师学历 小学本科"
    assert "compulsory-teacher-degree" not in ind
    assert ind["working-age-years-of-schooling"]["national target"].startswith("12")
    report = ws.audit("linan")
    assert [f.status for f in report.findings if f.check.startswith("total-")] == ["consistent"] * 4
    with pytest.raises(UsageError, match="unknown plan 'nope'; choose one of: linan, linping"):
        ws.compare("linan", "nope")
    assert main(["compare", "linan", "linping", "--index", str(built), "--method", "tfidf",
                 "--format", "json", "--side", "shared"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"commitments", "indicators", "citations"}
    assert {r["side"] for r in data["commitments"]} == {"shared"}
    out = tmp_path / "audit.xlsx"
    assert main(["audit", "linan", "--index", str(built), "--format", "xlsx", "--out", str(out)]) == 0
    assert out.stat().st_size > 0
    assert main(["audit", "nope", "--index", str(built)]) == 1
    assert "unknown plan 'nope'" in capsys.readouterr().err
    assert main(["compare", "linan", "linan", "--index", str(built)]) == 1
    err = capsys.readouterr().err
    assert "compare needs two different plans, got 'linan' twice" in err and "hint: compare it with one of:" in err


def test_atomic_aligns_qu_guan_xiao_pin_with_xian_guan_xiao_pin_and_says_why(
        linan: PlanDoc, linping: PlanDoc, embed) -> None:  # type: ignore[no-untyped-def]
    cmp = compare_commitments(_statements(linping), _statements(linan), method="atomic", embed=embed)
    (local,) = [a for a in cmp.alignments if "区管校聘" in a.statement.text]
    # the clause, not the whole sentence, with the sentence as context
    assert local.statement.text == "深化“区管校聘”教师管理制度改革"
    assert local.statement.context.startswith("深化“区管校聘”教师管理制度改革,完善推进教师、校长交流轮岗机制")
    assert linping.original[local.statement.start:local.statement.end] == local.statement.text
    assert local.side == "shared" and local.best is not None
    assert local.best.statement.text == "贯彻落实教师“县管校聘”和“校长职级制”改革"
    assert "synonym 区管校聘→县管校聘" in local.best.why and "tfidf" in local.best.why
    row = next(r for r in cmp.rows() if r["quote"] == local.statement.text)
    assert row["why"] == local.best.why and row["other_context"].startswith("实施教育行政部门")
    # the principal-rank clause of Linan's personnel sentence pairs with Linping's, not with 区管校聘
    (rank,) = [a for a in cmp.alignments if a.statement.text == "稳步推进中小学校长职级制改革"]
    assert rank.best is not None and rank.best.statement.text == "深入推进校长职级制改革"


def test_which_plans_commit_to_a_reform_through_the_workspace_and_the_cli(built, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from plangraph.interfaces.cli import main
    from plangraph.workspace import Workspace

    ws = Workspace(built)
    found = {r.plan: r for r in ws.commitments("县管校聘")}
    # Linping calls it 区管校聘: found through the synonym table, and quoted exactly
    linping = found["linping"]
    assert linping.quote == "深化“区管校聘”教师管理制度改革" and linping.strength in ("commits", "strong")
    assert "synonym 区管校聘→县管校聘" in linping.why
    assert ws.plan_text("linping")[linping.start:linping.end] == linping.quote
    assert found["linan"].quote == "贯彻落实教师“县管校聘”和“校长职级制”改革"
    assert found["national-china-education-modernization-2035"].quote == "推行教师“县管校聘”"
    assert main(["commitments", "教室护眼灯光改造", "--index", str(built), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["plan"] == "linping" and rows[0]["quote"] == "实施教室护眼灯光改造工程"
    assert rows[0]["strength"] == "strong" and all(r["strength"] == "weak" for r in rows[1:])
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert main(["commitments", "县管校聘", "--index", str(built), "--plan", "nope"]) == 1
    assert "unknown plan 'nope'" in capsys.readouterr().err


def test_a_plan_against_its_superior_plans(built, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from plangraph.interfaces.cli import main

    national = "national-china-education-modernization-2035"
    assert main(["compare", "linping", "linan", national, "--index", str(built), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["uptake"]
    assert {r["status"] for r in rows} == {"taken up", "not found", "local"}
    # the national 县管校聘 is taken up by Linping's 区管校聘, with Linping's quote
    (county,) = [r for r in rows if r["superior"] == national and r["superior_quote"] == "推行教师“县管校聘”"]
    assert county["status"] == "taken up" and county["local_quote"] == "深化“区管校聘”教师管理制度改革"
    atomic = THRESHOLDS["atomic"]
    assert "synonym 区管校聘→县管校聘" in county["why"] and county["score"] >= atomic
    # eye-care lighting is Linping's own
    (lighting,) = [r for r in rows if r["local_quote"] == "实施教室护眼灯光改造工程" and r["status"] == "local"]
    assert lighting["superior"] == "" and lighting["score"] < atomic
    taken = [r for r in rows if r["status"] == "taken up"]
    assert taken and all(r["score"] >= atomic for r in taken)
    assert all(r["score"] < atomic for r in rows if r["status"] == "not found")
    assert main(["compare", "linping", "linan", "linping", "--index", str(built)]) == 1
    assert "needs other, distinct plans" in capsys.readouterr().err
