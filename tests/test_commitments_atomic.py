"""Atomic commitments on the real plans: clauses with exact offsets, what each clause
keeps of its sentence, the synonym table and the labelled clause pairs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from plangraph.analysis.align import (
    WEIGHTS,
    atomic_scores,
    clauses,
    explain,
    facet_mismatch,
    hand_set_scores,
    normalised,
    object_of,
    read_labelled_pairs,
    read_singletons,
)
from plangraph.analysis.compare import Statement
from plangraph.analysis.scorer import default_scorer, pair_features
from plangraph.analysis.synonyms import RELATIONS, normalise, synonyms
from plangraph.extract.clauses import split_clauses
from plangraph.extract.mentions import Commitment
from plangraph.extract.pipeline import extract
from plangraph.model import PlanDoc

from .conftest import ROOT

PAIRS = ROOT / "tests" / "data" / "commitment_pairs_atomic.tsv"
SINGLETONS = ROOT / "tests" / "data" / "commitment_singletons.tsv"


def _commitment(doc: PlanDoc, start: str) -> Commitment:
    (found,) = [c for c in extract(doc).commitments if c.text.startswith(start)]
    return found


def test_linan_personnel_reform_sentence_gives_one_clause_per_action(linan: PlanDoc) -> None:
    c = _commitment(linan, "深化人事制度改革,深入推进校长职级制改革")
    assert [cl.text for cl in c.clauses] == ["深化人事制度改革", "深入推进校长职级制改革", "培育“教育家”型校长"]
    assert [cl.action for cl in c.clauses] == ["深化", "推进", "培育"]
    for cl in c.clauses:
        assert linan.original[cl.evidence.start:cl.evidence.end] == cl.evidence.quote
        assert c.evidence.start <= cl.evidence.start < cl.evidence.end <= c.evidence.end
    # the offsets are the sentence's: the second clause starts after the first comma
    assert c.clauses[1].evidence.start == c.evidence.start + len("深化人事制度改革,")


def test_linping_qu_guan_xiao_pin_is_a_clause_of_its_own(linping: PlanDoc) -> None:
    c = _commitment(linping, "深化“区管校聘”教师管理制度改革")
    assert [cl.text for cl in c.clauses] == [
        "深化“区管校聘”教师管理制度改革", "完善推进教师、校长交流轮岗机制", "促进师资资源均衡配置"]
    assert linping.original[c.clauses[0].evidence.start:c.clauses[0].evidence.end] == "深化“区管校聘”教师管理制度改革"


def test_a_year_governs_the_clauses_after_it(national_2010: PlanDoc) -> None:
    c = _commitment(national_2010, "积极发展学前教育,到2020年,普及学前一年教育")
    assert [(cl.text, cl.deadlines) for cl in c.clauses] == [
        ("积极发展学前教育", ()),
        ("到2020年,普及学前一年教育", (2020,)),
        ("基本普及学前两年教育,有条件的地区普及学前三年教育", (2020,)),
    ]


def test_a_quantity_stays_with_its_clause(national_2035: PlanDoc) -> None:
    c = _commitment(national_2035, "更加注重通过加强政策设计")
    # 更加注重…带动投入 is a measure of its own (更加, a modifier, before 注重), then three more
    assert [[q.evidence.quote for q in cl.quantities] for cl in c.clauses] == [[], [], [], [], ["不低于4％"]]
    assert c.clauses[0].text == "更加注重通过加强政策设计、制度设计、标准设计带动投入"
    assert c.clauses[-1].text.startswith("保证国家财政性教育经费支出")


def test_a_leading_subject_is_the_body_of_every_clause(national_2010: PlanDoc) -> None:
    c = _commitment(national_2010, "各级政府要把减负作为教育工作的重要任务")
    assert len(c.clauses) == 2 and all(cl.bodies == ("各级政府",) for cl in c.clauses)


def test_every_clause_of_every_plan_quotes_the_original(all_plans: list[PlanDoc]) -> None:
    for doc in all_plans:
        commitments = extract(doc).commitments
        assert sum(len(c.clauses) for c in commitments) > 1.4 * len(commitments), doc.plan_id
        for c in commitments:
            assert c.clauses, c.text
            ends = c.evidence.start
            for cl in c.clauses:
                assert doc.original[cl.evidence.start:cl.evidence.end] == cl.evidence.quote
                assert doc.norm[cl.evidence.start:cl.evidence.end] == cl.text
                assert ends <= cl.evidence.start and cl.evidence.end <= c.evidence.end
                ends = cl.evidence.end


def test_split_clauses_is_the_same_function_on_a_statement() -> None:
    text = "实施教育行政部门和教育事业单位机构优化调整,贯彻落实教师“县管校聘”和“校长职级制”改革,增强学校办学活力。"
    spans = split_clauses(text, 100)
    assert [(s.start, s.text) for s in spans] == [
        (100, "实施教育行政部门和教育事业单位机构优化调整"), (122, "贯彻落实教师“县管校聘”和“校长职级制”改革"),
        (145, "增强学校办学活力")]
    parts = clauses([Statement("linan", text, 100, 100 + len(text))])
    assert [p.text for p in parts] == [s.text for s in spans] and {p.context for p in parts} == {text}
    assert object_of("深入推进校长职级制改革") == "校长职级制改革"
    # one action: the sentence less its final punctuation
    assert [s.text for s in split_clauses("加强学前保教队伍建设。")] == ["加强学前保教队伍建设"]


def test_synonyms_make_local_names_of_one_reform_the_same() -> None:
    assert len(synonyms()) >= 50 and {r.relation for r in synonyms()} <= set(RELATIONS)
    district = normalise("深化“区管校聘”教师管理制度改革")
    assert district.text == "深化县管校聘教师管理制度改革"
    assert [(r.variant, r.canonical) for r in district.applied] == [("区管校聘", "县管校聘")]
    assert normalise("推进“教研训一体化”建设").text == "推进教研训一体化建设"  # not rewritten inside itself
    assert normalise("努力实现研训一体").text == "努力实现教研训一体化"
    assert normalise("落实“双减”").text == normalise("落实双减").text
    first = normalise("把师德表现作为教师资格定期注册、业绩考核、职称评聘、评优奖励的首要要求")
    assert first.text.startswith("把师德师风第一标准") and first.applied[0].relation == "~"
    assert normalise("加强学前保教队伍建设").applied == ()
    # a two-character name is rewritten only as a word of its own: 专职教研员 is 专职 + 教研员
    assert normalise("推进职教改革").text == "推进职业教育改革"
    kept = normalise("配齐所有学科专职教研员")
    assert kept.text == "配齐所有学科专职教研员" and kept.applied == ()


def test_the_outline_s_older_names_meet_lin_an_s() -> None:
    # rows from tune-split misses of Lin'an against the outline 2010-2020: one measure, two names
    assert normalise("规范各种社会补习机构和教辅市场").text == "规范各种校外培训机构和教辅市场"
    assert normalise("促进德育、智育、体育、美育有机融合").text == "促进德智体美有机融合"
    assert normalise("构建先进、高效、实用的数字化教育基础设施").text.endswith("信息化基础设施")
    assert normalise("构建教育信息化新基建").text == "构建教育信息化基础设施"
    assert normalise("培育“教育家”型校长").applied[0].canonical == "教育家办学"
    # a field is not a measure: 师德 or 生均 alone get no row (they would pair any clause of the field)
    assert normalise("加强教师职业理想和职业道德教育").applied == ()
    assert normalise("制定学生人均经费基本标准").applied == ()


def test_synonym_rows_say_truly_where_they_were_seen(all_plans: list[PlanDoc]) -> None:
    import re

    texts = {"linan": all_plans[0], "linping": all_plans[1], "national-2010": all_plans[2],
             "national-2035": all_plans[3]}
    norm = {k: normalise(d.norm).text + d.norm for k, d in texts.items()}
    for row in synonyms():
        assert row.variant != row.canonical and row.seen_in, row
        for plan in row.seen_in:
            if plan == "policy":
                continue
            names = [re.compile(".{0,40}?".join(map(re.escape, n.split("…")))) for n in (row.canonical, row.variant)]
            plain = texts[plan].norm.replace("“", "").replace("”", "")
            assert any(n.search(plain) or n.search(texts[plan].norm) for n in names) or row.canonical in norm[plan], (
                plan, row)


def test_labelled_pairs_are_real_clauses_of_three_plan_pairs(linan: PlanDoc, linping: PlanDoc,
                                                             national_2010: PlanDoc, national_2035: PlanDoc) -> None:
    pairs = read_labelled_pairs(PAIRS)
    assert len(pairs) >= 200
    plan_pairs = {(p.plan_a, p.plan_b) for p in pairs if p.kind != "hand"}
    assert len(plan_pairs) >= 3 and ("linan", "national-china-education-modernization-2035") in plan_pairs
    assert ("linan", "national-education-reform-outline-2010-2020") in plan_pairs
    for split in ("tune", "test"):
        labels = [p.same for p in pairs if p.split == split]
        assert 0.15 < sum(labels) / len(labels) < 0.5
    docs = {d.plan_id: d for d in (linan, linping, national_2010, national_2035)}
    starts = {pid: {(cl.evidence.start, cl.evidence.end) for c in extract(d).commitments for cl in c.clauses}
              for pid, d in docs.items()}
    spans = [frozenset({(p.plan_a, p.start_a, p.end_a), (p.plan_b, p.start_b, p.end_b)}) for p in pairs]
    twice = [(p.quote_a, p.quote_b) for p, n in zip(pairs, spans, strict=True) if spans.count(n) > 1]
    assert not twice, f"pairs labelled twice (a pair in both splits is tuned and measured on): {twice}"
    for p in pairs:
        for plan, s, e, quote in ((p.plan_a, p.start_a, p.end_a, p.quote_a), (p.plan_b, p.start_b, p.end_b, p.quote_b)):
            assert docs[plan].original[s:e] == quote
            assert (s, e) in starts[plan], quote


def test_a_bad_pairs_file_names_the_problem(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "pairs.tsv"
    header = "plan_a\tstart_a\tend_a\tquote_a\tplan_b\tstart_b\tend_b\tquote_b\tlabel\tkind\tsplit\n"
    bad.write_text(header + "linan\t0\t2\t推进\tlinping\t0\t2\t推进\t1\ttop\tdev\n", encoding="utf-8")
    with pytest.raises(ValueError, match="split 'dev'; choose one of: tune, test"):
        read_labelled_pairs(bad)
    bad.write_text(header + "linan\t0\t2\t推进\tlinping\t0\t2\t推进\tyes\ttop\ttune\n", encoding="utf-8")
    with pytest.raises(ValueError, match="pair 1: label 'yes'; choose 0 or 1"):
        read_labelled_pairs(bad)


def test_a_stage_one_clause_names_and_the_other_does_not_counts_against_the_pair() -> None:
    local = "全面落实职称制度改革"
    national = "深化高等学校和中等职业学校教师职称制度改革"
    assert facet_mismatch([local], [national])[0, 0] == 1
    scorer = default_scorer()
    blind = replace(scorer, coef=tuple(0.0 if f == "facets" else c for f, c in zip(scorer.features, scorer.coef)))
    with_check = atomic_scores([local], [national], None)[0][0, 0]
    without = atomic_scores([local], [national], None, blind)[0][0, 0]
    assert with_check < without - 0.05
    # the hand-set blend it replaced took 0.1 off per facet
    x = pair_features(normalised([local]), normalised([national]), None)
    assert hand_set_scores(x)[0, 0] == pytest.approx(hand_set_scores(x, {**WEIGHTS, "facets": 0})[0, 0] - 0.1)
    assert "facets differ stage —/higher|secondary-vocational" in str(explain(local, national, 0.4, 0.67, 0.6))


def test_general_and_shared_facets_do_not_count() -> None:
    # 中小学教师 (a district's teachers) is the national plan's 教师; two clauses on 乡村 agree.
    assert facet_mismatch(["完善中小学教师绩效考核"], ["完善教师绩效工资制度"])[0, 0] == 0
    assert facet_mismatch(["提高乡村教师待遇"], ["保障乡村教师工资"])[0, 0] == 0
    # 特殊教育 against 职业教育: both state a stage, and they differ.
    assert facet_mismatch(["创新特殊教育的培训体系"], ["完善职业教育和培训体系"])[0, 0] == 1
    # 初高中 is junior and senior secondary: a junior-school clause shares its stage
    assert facet_mismatch(["完善初中学业水平考试"], ["完善初高中学生学业水平考试和综合素质评价制度"])[0, 0] == 0


def test_commitments_only_one_plan_makes_are_real_clauses(linan: PlanDoc, linping: PlanDoc,
                                                         national_2010: PlanDoc) -> None:
    rows = read_singletons(SINGLETONS)
    assert len(rows) >= 10
    docs = {d.plan_id: d for d in (linan, linping)}
    known = {"linan", "linping", national_2010.plan_id, "national-china-education-modernization-2035"}
    for r in rows:
        clause_spans = {(cl.evidence.start, cl.evidence.end) for c in extract(docs[r.plan]).commitments
                        for cl in c.clauses}
        assert docs[r.plan].original[r.start:r.end] == r.quote
        assert (r.start, r.end) in clause_spans, r.quote
        assert r.plan not in r.others and set(r.others) <= known, r.others
