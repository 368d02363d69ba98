"""What result cards show besides the passage: the words of a Chinese question that
a passage holds, whether it reviews the past, its section, its strength."""

from __future__ import annotations

import pytest

from plangraph.analysis.strength import Cutoffs, strength
from plangraph.interfaces import labels, present_markdown, present_search

from .conftest import LINAN


def test_a_chinese_question_is_marked_by_its_words() -> None:
    terms = present_search.query_terms("哪些承诺涉及乡村教师?")
    assert {"乡村", "教师"} <= set(terms) and "哪些" not in terms and "涉及" not in terms
    text = LINAN.read_text(encoding="utf-8")
    passage = next(line for line in text.splitlines() if "实施乡村教师支持计划" in line)
    marked = present_markdown.highlight(passage, present_search.matched_terms(terms, passage))
    assert ":orange[乡村教师]" in marked  # neighbouring words marked as one run
    assert "哪些承诺涉及乡村教师" not in present_search.matched_terms(terms, passage)


def test_passages_reviewing_the_past_are_told_apart() -> None:
    assert present_search.looks_back("现实基础 > 十三五期间取得的成效")
    assert present_search.looks_back("发展基础")
    assert not present_search.looks_back("发展目标 > 总体目标")
    assert not present_search.looks_back("统筹六类教育:创建公平优质的临安教育新格局 > 学前教育:普及普惠,扩容提质")


def test_a_passage_without_a_section_says_where_it_stands() -> None:
    assert present_search.section_label("") == "首个标题之前"
    assert present_search.section_label("", english=True) == "before the first heading"
    assert present_search.section_label("发展目标") == "发展目标"


def test_strength_from_cosines_on_the_cut_off_scale() -> None:
    table = {"a": Cutoffs(weak=0.5, strong=0.7), "b": Cutoffs(weak=0.2, strong=0.4)}
    assert strength({"a": 0.8, "b": 0.1}, table).level == "strong"
    assert strength({"a": 0.6, "b": 0.1}, table).level == "medium"
    assert strength({"a": 0.4, "b": 0.5}, table).level == "weak"
    # the first encoder of the table decides; the next one only without it
    assert strength({"b": 0.5}, table).level == "strong" and strength({"b": 0.1}, table).level == "weak"
    unknown = strength({"fake": 0.9}, table)
    assert (unknown.level, unknown.value) == ("medium", None)
    assert 0 <= strength({"a": 2.0}, table).bar <= 1 and strength({"a": 0.6}, table).zh == "中"
    with pytest.raises(ValueError, match="must be below"):
        Cutoffs(weak=0.5, strong=0.5)


def test_codes_and_keys_read_as_words() -> None:
    assert labels.field("period_start") == "规划期起" and labels.field("table_rows", english=True) == "table rows"
    assert labels.field("linan target") == "linan 目标"
    assert labels.value("flagged-cell") == "待核单元格" and labels.value(None) == ""
    assert labels.value("2 rows say 新建") == "2行写明新建"
    assert labels.value("nearest only: below the threshold 0.42") == "仅为最接近的一条：低于阈值 0.42"
    assert labels.value("2 rows say 新建", english=True) == "2 rows say 新建"


def test_ingestion_findings_read_in_chinese(linan) -> None:
    shown = {labels.value(f.message) for f in linan.findings}
    assert "全文出现两次（重复544行），第二份未收录" in shown
    glued = next(m for m in shown if "义务教育发展任务表" in m)
    assert glued.startswith("义务教育发展任务表，第2行：单元格 '") and glued.endswith("疑似粘连，按原样记录")
