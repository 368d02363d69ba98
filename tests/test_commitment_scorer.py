"""The learned clause-pair scorer: its features on real clauses, its fit, the shipped
coefficients, and a pair saying what made its score."""

from __future__ import annotations

import numpy as np
import pytest

from plangraph.analysis.align import normalised, score_clauses
from plangraph.analysis.compare import THRESHOLDS
from plangraph.analysis.scorer import FEATURES, MODEL_FILE, SIGNS, default_scorer, fit, pair_features, read_scorer


def _features(a: list[str], b: list[str]) -> dict[str, np.ndarray]:
    return pair_features(normalised(a), normalised(b), None)


def test_the_shipped_scorer_is_the_one_compare_uses() -> None:
    scorer = default_scorer()
    assert scorer.features == FEATURES
    assert scorer.threshold == THRESHOLDS["atomic"]
    for name, c in zip(scorer.features, scorer.coef):
        assert c * SIGNS[name] >= 0, name
    assert read_scorer(MODEL_FILE).to_json() == MODEL_FILE.read_text(encoding="utf-8")
    assert "tune" in scorer.note


def test_features_of_real_clauses() -> None:
    x = _features(["深化“区管校聘”教师管理制度改革", "到2025年普惠性幼儿园覆盖率达到90%"],
                  ["推行教师“县管校聘”", "到2025年普惠性幼儿园覆盖率达到85%", "完善教师考核办法"])
    # a local name of the reform the other clause names
    assert x["synonym"][0, 0] == 1 and x["synonym"][0, 2] == 0 and x["synonym"][1, 1] == 0
    # sharing 县管校聘 says more than sharing 教师
    assert x["distinct"][0, 0] > x["distinct"][0, 2] > 0
    # the same year, another quantity
    assert x["year"][1, 1] == 1 and x["quantity"][1, 1] == -1
    assert x["year"][0, 0] == 0 and x["quantity"][0, 2] == 0
    assert np.isnan(x["encoder"]).all()  # no encoder given


def test_a_pair_shows_what_made_it() -> None:
    s = score_clauses(["深化“区管校聘”教师管理制度改革"], ["推行教师“县管校聘”", "实施教室护眼灯光改造工程"], None)
    threshold = THRESHOLDS["atomic"]
    assert s.score[0, 0] >= threshold > s.score[0, 1]
    why = str(s.why(0, 0))
    assert why.startswith("made by ") and "synonym 区管校聘→县管校聘" in why
    assert "synonym" in dict(s.why(0, 0).made)


def test_fit_keeps_each_coefficient_to_its_sign() -> None:
    rng = np.random.default_rng(1)
    n = 400
    x = rng.normal(size=(n, 3))
    y = (x[:, 0] - 0.5 * x[:, 1] + rng.normal(scale=0.5, size=n) > 0).astype(float)
    # free, the second feature comes out negative; held to a positive sign it is left out
    free = fit(x, y, ["tfidf", "coverage", "encoder"], signs={})
    assert free.coef[0] > 1 and free.coef[1] < -0.5 and abs(free.coef[2]) < 0.3
    held = fit(x, y, ["tfidf", "coverage", "encoder"], signs={"tfidf": 1, "coverage": 1, "encoder": 1})
    assert held.coef[1] == 0 and held.coef[0] > 1
    probs = held.score({"tfidf": x[:, 0], "coverage": x[:, 1], "encoder": x[:, 2]})
    assert ((probs >= 0.5) == (y == 1)).mean() > 0.7


def test_a_bad_scorer_file_names_itself(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "scorer.json"
    bad.write_text('{"features": ["tfidf"], "mean": [0], "scale": [1], "coef": [1, 2], "intercept": 0,'
                   ' "threshold": 0.5}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"scorer.json: not a commitment scorer .*coefficients do not match"):
        read_scorer(bad)


def test_a_phrase_asked_about_is_not_held_to_facets_it_leaves_unsaid() -> None:
    # 县管校聘 names no population; Lin'an's clause names teachers and principals
    clause = "贯彻落实教师“县管校聘”和“校长职级制”改革"
    as_clauses = score_clauses(["推行县管校聘"], [clause], None)
    as_phrase = score_clauses(["推行县管校聘"], [clause], None, phrase=True)
    assert as_clauses.features["facets"][0, 0] >= 1 and as_phrase.features["facets"][0, 0] == 0
    assert as_phrase.score[0, 0] >= THRESHOLDS["atomic"] and as_phrase.score[0, 0] > as_clauses.score[0, 0] + 0.1
    assert "facets differ" not in str(as_phrase.why(0, 0)) and "facets differ" in str(as_clauses.why(0, 0))
    # a facet the phrase states still counts: 高等学校 against a district's clause on teachers
    stated = score_clauses(["推行高等学校县管校聘"], [clause], None, phrase=True)
    assert stated.features["facets"][0, 0] >= 1


def test_a_section_heading_is_not_a_measure() -> None:
    from plangraph.extract.clauses import is_heading

    # Linping's inline heading (its section title is 强化高素质师资队伍建设), then a clause of its body
    assert is_heading("2.强化高素质师资队伍建设", "强化高素质师资队伍建设")
    assert is_heading("2.强化高素质师资队伍建设。", "强化高素质师资队伍建设")
    assert not is_heading("加强“双师型”师资队伍建设", "强化高素质师资队伍建设")
    assert not is_heading("推进学校落实立德树人根本任务", "")


def test_a_heading_meets_headings_only() -> None:
    a = ["2.强化高素质师资队伍建设"]
    b = ["加强“双师型”师资队伍建设", "强化高素质师资队伍建设"]
    free = score_clauses(a, b, None)
    assert free.score[0, 0] > 0.2  # the words alone bring them close
    held = score_clauses(a, b, None, headings=([True], [False, True]))
    assert held.score[0, 0] == 0 and held.score[0, 1] == free.score[0, 1]
    assert "heading" in str(held.why(0, 0)) and "heading" not in str(held.why(0, 1))


def test_a_pair_counts_within_the_margin_of_either_clause_best() -> None:
    from plangraph.analysis.align import matches

    score = np.array([[0.80, 0.70, 0.30],
                      [0.60, 0.10, 0.70]], dtype=np.float32)
    # margin 0: one clause must be the other's closest
    assert matches(score, 0.38, 0.0).tolist() == [[True, True, False], [False, False, True]]
    # margin 0.2: (1, 0) is within 0.2 of its row's best (0.70) and its column's (0.80)
    assert matches(score, 0.38, 0.2).tolist() == [[True, True, False], [True, False, True]]
    # never below the threshold, whatever the margin
    assert not matches(score, 0.38, 1.0)[0, 2]
    assert matches(np.zeros((0, 3), dtype=np.float32), 0.38, 0.2).shape == (0, 3)


def test_the_shipped_margin_is_read_and_written() -> None:
    scorer = default_scorer()
    assert 0 <= scorer.margin <= 1 and "margin" in scorer.note
    assert f'"margin": {scorer.margin}' in scorer.to_json()


def test_compare_and_uptake_read_headings_from_the_statements_section() -> None:
    from plangraph.analysis.compare import Statement, compare_commitments
    from plangraph.analysis.uptake import uptake

    def embed(texts: list[str]) -> np.ndarray:  # every clause alike: the words decide
        return np.ones((len(texts), 4), dtype=np.float32) / 2

    heading = "2.强化高素质师资队伍建设。"
    body = [Statement("linan", "加强“双师型”师资队伍建设。", 0, 14)]
    as_body = compare_commitments([Statement("linping", heading, 0, 14)], body, embed=embed)
    as_heading = compare_commitments([Statement("linping", heading, 0, 14, section="强化高素质师资队伍建设")], body,
                                     embed=embed)
    best = as_body.side("shared")[0].best if as_body.side("shared") else as_body.alignments[0].best
    assert best is not None and best.score > 0.2
    held = as_heading.alignments[0].best
    assert held is not None and held.score == 0 and "heading" in held.why
    assert as_heading.counts()["shared"] == 0
    up = uptake([Statement("linping", heading, 0, 14, section="强化高素质师资队伍建设")], {"linan": body}, embed, 0.38)
    assert [r.status for r in up.items] == ["not found", "local"] and up.items[0].score == 0


def test_named_weighs_a_shared_word_by_its_rarity_among_all_plans() -> None:
    # 县管校聘 is rare among all plans' clauses; how rare does not depend on the clauses scored beside it
    clause = "贯彻落实教师“县管校聘”和“校长职级制”改革"
    few = _features(["县管校聘"], [clause, "完善教师考核办法"])
    many = _features(["县管校聘"], [clause] * 60)
    assert few["named"][0, 0] == pytest.approx(many["named"][0, 0], abs=1e-6)
    assert few["distinct"][0, 0] > many["distinct"][0, 0]  # the IDF over the scored clauses moves
    x = _features(["提升教师职业成就感", "深化“区管校聘”教师管理制度改革"], ["提升教师职业幸福感", clause])
    assert x["named"][1, 1] > x["named"][0, 0] > 0  # 县管校聘 shared says more than 教师职业 shared


def test_the_rarity_reference_is_every_clause_of_the_four_plans(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from plangraph.analysis.rarity import count, read, reference, write

    ref = reference()
    assert ref.clauses > 2500
    assert ref.idf("县管校聘") > ref.idf("教师") > 1
    assert ref.idf("从未见过的词") == ref.top
    small = count([{"教师", "县管校聘"}, {"教师"}])
    write(small, tmp_path / "df.tsv", note="two clauses")
    assert read(tmp_path / "df.tsv") == small
    (tmp_path / "bad.tsv").write_text("教师\t2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.tsv: not a clause document-frequency table"):
        read(tmp_path / "bad.tsv")


def test_expanding_schools_is_no_higher_education() -> None:
    # 扩大学校…自主权: the 大学 across 扩大 and 学校 is no university
    x = _features(["逐步推进中小学自主评聘", "扩大学前教育资源"],
                  ["逐步扩大学校在教师职称评审中的自主权", "推动学前教育扩容提质", "支持大学发展"])
    assert x["facets"][0, 0] == 0 and x["facets"][1, 1] == 0
    assert x["facets"][1, 2] == 1  # a university is still higher education
