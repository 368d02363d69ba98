"""The English → Chinese glossary that lets BM25 answer English queries."""

from __future__ import annotations

import pytest

from plangraph.errors import UsageError
from plangraph.search.read.crosslingual import glossary, parse_glossary, translate, words
from tests.conftest import LINAN, LINPING, NATIONAL_2010, NATIONAL_2035, shared_file


def test_longest_phrase_wins_and_plurals_fold() -> None:
    terms = translate("How many primary and secondary school construction projects are planned?")
    assert terms[0] == "中小学"
    assert "小学" not in terms  # 'primary' alone is not looked up inside the longer phrase
    assert {"建设", "项目"} <= set(terms)
    assert words("Teachers' salaries and the party's leadership") == [
        "teacher", "salary", "and", "the", "party", "leadership"]
    assert translate("teachers' salaries") == ["教师", "老师", "工资", "待遇"]


def test_words_without_an_entry_are_dropped() -> None:
    assert translate("what is it, and why?") == []
    assert translate("") == []


def test_every_glossary_term_occurs_in_the_real_plans() -> None:
    # a term no plan uses can never match; it only makes the query longer
    text = "".join(p.read_text("utf-8") for p in (LINAN, LINPING, shared_file(NATIONAL_2010),
                                                   shared_file(NATIONAL_2035)))
    unused = sorted({t for terms in glossary().values() for t in terms if t not in text})
    assert unused == []


def test_a_malformed_glossary_line_is_named() -> None:
    with pytest.raises(UsageError, match=r"my.tsv, line 2: expected 'english<TAB>chinese"):
        parse_glossary("teacher\t教师\nsalary 工资\n", source="my.tsv")
    with pytest.raises(UsageError, match="line 1: empty English phrase"):
        parse_glossary("teacher\t \n", source="my.tsv")
    merged = parse_glossary("# comment\nteacher\t教师\nteachers\t老师|教师\n")
    assert merged == {("teacher",): ("教师", "老师")}


def test_verb_forms_find_their_base_entry() -> None:
    table = parse_glossary("invest\t投资\nreduce\t减少\ntrain\t培训\nmake\t制定\n")
    assert translate("How much was invested?", table) == ["投资"]
    assert translate("burden reduced", table) == ["减少"]
    assert translate("teacher training", table) == ["培训"]
    assert translate("making plans", table) == ["制定"]
    assert translate("need", table) == []  # short words are not cut
