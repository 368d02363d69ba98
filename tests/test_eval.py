"""Evaluation metrics on hand-made rankings, question loading and language detection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plangraph.analysis.evaluate import evaluate, is_relevant, load_questions
from plangraph.errors import UsageError
from plangraph.model import Hit
from plangraph.search.lexical import detect_language, tokenize
from plangraph.text import fold_compact as fold

DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev_questions.json"


def _hit(rank: int, text: str, plan: str = "p") -> Hit:
    return Hit(rank, 1.0 / rank, plan, f"id{rank}", f"urn:{rank}", "", text, text, 0, len(text))


class ScriptedSearcher:
    """Returns a fixed ranking per query."""

    def __init__(self, rankings: dict[str, list[str]]) -> None:
        self.rankings = rankings
        self.plans: list[str | None] = []

    def search(self, query: str, top_k: int = 10, plan: str | None = None) -> list[Hit]:
        self.plans.append(plan)
        return [_hit(i, t) for i, t in enumerate(self.rankings[query][:top_k], 1)]


@pytest.fixture()
def questions(tmp_path: Path) -> Path:
    path = tmp_path / "q.json"
    path.write_text(json.dumps({"questions": [
        {"q": "生师比", "evidence": ["生师比达到3:1", "特教"], "plan": "a"},
        {"q": "数据中心", "evidence": ["数据中心"], "plan": "a"},
        {"q": "Which schools?", "evidence": ["外籍教师，比例"], "plan": "b"},
        {"q": "没有答案", "evidence": ["不存在"], "plan": "b"},
    ]}, ensure_ascii=False), "utf-8")
    return path


def test_metrics(questions: Path) -> None:
    searcher = ScriptedSearcher({
        "生师比": ["无关"] * 2 + ["特殊学校生师比达到3:1"] + ["无关"] * 7,  # rank 3
        "数据中心": ["无关"] * 6 + ["建立教育大数据中心"] + ["无关"] * 3,  # rank 7
        "Which schools?": ["拥有外籍教师,比例 15%"],  # full-width evidence, half-width text: rank 1
        "没有答案": ["无关"] * 10,
    })
    report = evaluate(questions, searcher)
    assert [r.first for r in report.rows] == [3, 7, 1, None]
    assert report.overall.n == 4
    assert report.overall.recall_at_5 == pytest.approx(2 / 4)
    assert report.overall.recall_at_10 == pytest.approx(3 / 4)
    assert report.overall.mrr_at_10 == pytest.approx((1 / 3 + 1 / 7 + 1) / 4)
    assert report.by_language["en"].n == 1 and report.by_language["en"].mrr_at_10 == 1.0
    assert report.by_language["zh"].recall_at_10 == pytest.approx(2 / 3)
    table = report.table()
    assert table.splitlines()[0] == "all  n=4   R@5=0.500 R@10=0.750 MRR@10=0.369"
    assert " miss  zh  b              没有答案" in table


def test_questions_can_be_scoped_to_their_plan(questions: Path) -> None:
    searcher = ScriptedSearcher({q: ["无关"] for q in ("生师比", "数据中心", "Which schools?", "没有答案")})
    evaluate(questions, searcher, plan_ids={"a": "plan-a", "b": "plan-b"})
    assert searcher.plans == ["plan-a", "plan-a", "plan-b", "plan-b"]
    with pytest.raises(UsageError, match="question plan 'b' in .*q.json has no plan id; known: a"):
        evaluate(questions, searcher, plan_ids={"a": "plan-a"})


def test_relevance_folds_width_and_space() -> None:
    assert fold("全职外籍教师，比例 ３") == "全职外籍教师,比例3"
    assert is_relevant(_hit(1, "15%以上的学校 拥有全职外籍教师"), ["15%以上的学校拥有全职外籍教师"])
    assert not is_relevant(_hit(1, "外籍教师"), ["全职外籍教师"])


def test_bad_question_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="question file .*missing.json not found"):
        load_questions(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"questions": [{"question": "x"}]}', "utf-8")
    with pytest.raises(UsageError, match="bad.json is not valid"):
        load_questions(bad)


def test_dev_questions_load_with_detected_languages() -> None:
    if not DEV.exists():
        pytest.skip(f"{DEV} not available")
    qs = load_questions(DEV)
    assert len(qs) >= 29
    assert {q.language for q in qs} == {"zh", "en"}
    assert sum(q.language == "en" for q in qs) == 4


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("特殊学校的生师比", "zh"),
        ("What is the 2020 target?", "en"),
        ("What is the target for 学前三年毛入园率?", "zh"),
        ("the 十四五 plan for teacher training abroad and foreign staff", "en"),
        ("2035", "en"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_tokenize_modes() -> None:
    assert tokenize("生师比3:1", "bigram") == ["3", "1", "生师", "师比"]
    assert {"j:特殊", "j:学校"} <= set(tokenize("特殊学校生师比", "jieba"))
    assert tokenize("课程", "bigram+jieba") == ["课程", "j:课程"]
    with pytest.raises(UsageError, match="choose one of: bigram, jieba, bigram\\+jieba"):
        tokenize("x", "words")
