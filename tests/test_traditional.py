"""Traditional script: a plan copied in traditional characters is indexed and matched as
simplified, its quotes and offsets on the text as written (tests/data/plans)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plangraph.ingest.pipeline import ingest_bytes, ingest_file
from plangraph.search.read.searcher import LEXICAL
from plangraph.text import fold, normalize, to_simplified
from plangraph.workspace import Workspace
from tests.conftest import PLACE_PLANS

TRADITIONAL = PLACE_PLANS / "linyi-14th-fyp-traditional.txt"


def test_normalize_simplifies_character_for_character() -> None:
    text = TRADITIONAL.read_text("utf-8")
    norm = normalize(text)
    assert len(norm) == len(text)
    assert norm.startswith("临沂市“十四五”教育事业发展规划")
    assert "以推动高质量发展为主题" in norm and "以推動高質量發展為主題" in text
    assert fold("臨沂市教育規劃") == "临沂市教育规划"
    assert to_simplified("plain ASCII") == "plain ASCII"


def test_a_simplified_text_keeps_what_it_means() -> None:
    # 於潜镇 is a town of Lin'an, written so in simplified text; t2s would make it 于潜镇
    assert to_simplified("於潜镇中心小学") == "於潜镇中心小学"
    assert to_simplified("關於於潜镇") == "关于于潜镇"  # a traditional text is converted throughout
    plan = (PLACE_PLANS.parents[2] / "corpus" / "linan-2022-education-14th-fyp.raw.txt").read_text("utf-8")
    assert "於潜镇" in normalize(plan)


def test_a_stray_surrogate_stays_and_the_rest_is_converted() -> None:
    # a question from argv with bytes that are not UTF-8 (surrogateescape)
    assert fold("臨沂\udcff規劃") == "临沂\udcff规划"


def test_a_phrase_that_changes_length_keeps_the_offsets() -> None:
    # OpenCC maps some phrases to text of another length; each line keeps its length
    for text in ["乾隆年間的規劃。\n頭髮與鐘錶", "於是瞭解了", "著名的乾淨校園"]:
        assert len(normalize(text)) == len(text)


def test_quotes_stay_on_the_original_text() -> None:
    doc = ingest_file(TRADITIONAL)
    assert doc.meta.title == "臨沂市“十四五”教育事業發展規劃"  # as written
    assert doc.meta.division_code == "371300" and doc.meta.kind == "plan"
    for p in doc.passages:
        assert doc.original[p.start:p.end] == p.text
        assert p.content == to_simplified(p.content)  # indexed as simplified
    assert any("規劃" in p.text for p in doc.passages)


def test_a_real_simplified_fragment_converted_to_traditional_reads_the_same() -> None:
    import opencc

    simplified = (PLACE_PLANS / "xiapu-14th-fyp.txt").read_text("utf-8")
    traditional = opencc.OpenCC("s2t.json").convert(simplified)
    assert "霞浦縣“十四五”教育事業發展專項規劃" in traditional  # checked by eye
    a, b = ingest_bytes(simplified.encode(), "xiapu.txt"), ingest_bytes(traditional.encode(), "xiapu.txt")
    assert [p.content for p in b.passages] == [p.content for p in a.passages]
    assert [(p.start, p.end) for p in b.passages] == [(p.start, p.end) for p in a.passages]
    assert b.meta.division_code == a.meta.division_code == "350921"


@pytest.mark.parametrize(("query", "plan", "quote"), [
    # a simplified question finds the traditional plan, quoted as written
    ("以推动高质量发展为主题", "linyi-14th-fyp-traditional", "以推動高質量發展為主題"),
    ("坚持党的全面领导", "linyi-14th-fyp-traditional", "堅持黨的全面領導"),
    # a traditional question finds the simplified plans
    ("普惠性幼兒園覆蓋面保持在90%以上", "linan", "普惠性幼儿园覆盖面保持在90%以上"),
    ("試點建設與未來社區相融合的未來學校", "linping", "与未来社区相融合的未来学校"),
])
def test_either_script_finds_the_other(places_index: Path, query: str, plan: str, quote: str) -> None:
    ws = Workspace(places_index)
    for retrievers in ([LEXICAL], None):  # BM25 alone, and the whole fusion
        hits = ws.searcher.search(query, 3, retrievers=retrievers, scoped=False)
        assert hits[0].plan == plan and quote in hits[0].quote
        text = ws.plan_text(plan)
        assert text[hits[0].start:hits[0].end] == hits[0].quote
