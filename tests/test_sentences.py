"""The one sentence splitter (``plangraph.text.sentence_spans``): retrieval, ingestion's
windows of long paragraphs and extraction's sentences all cut text with it, each saying
with its keywords where it cuts differently."""

from __future__ import annotations

from plangraph.extract.prose import _prose, sentences
from plangraph.ingest.segment import WINDOW_CLOSERS, WINDOW_ENDS
from plangraph.model import PlanDoc
from plangraph.text import sentence_spans

PARAGRAPH = "深化中考制度改革,完善初中学业水平考试;推进高中阶段学校多样化发展。到2025年,学前教育普及率达到98%!"


def cut(text: str, **kwargs: object) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text, **kwargs)]  # type: ignore[arg-type]


def test_retrieval_cuts_at_every_sentence_end() -> None:
    assert cut(PARAGRAPH) == ["深化中考制度改革,完善初中学业水平考试;", "推进高中阶段学校多样化发展。",
                              "到2025年,学前教育普及率达到98%!"]


def test_windows_are_cut_at_full_stops_with_the_closing_quote_kept() -> None:
    text = "提出“办好人民满意的教育。”完善初中学业水平考试;推进多样化发展。"
    assert cut(text, ends=WINDOW_ENDS, closers=WINDOW_CLOSERS, min_chars=1, whole=False) == [
        "提出“办好人民满意的教育。”", "完善初中学业水平考试;推进多样化发展。"]
    assert cut(text)[0] == "提出“办好人民满意的教育。"  # retrieval leaves the quote mark to the next piece


def test_extraction_also_cuts_at_line_breaks_and_keeps_two_character_sentences() -> None:
    text = "加强。\n完善督导评估机制\n推进改革;"
    assert cut(text, lines=True, min_chars=2, whole=False) == ["加强。", "完善督导评估机制", "推进改革;"]
    assert cut(text) == ["完善督导评估机制\n推进改革;"]  # "加强。" is shorter than MIN_CHARS


def test_a_run_of_ends_closes_one_sentence_and_offsets_index_the_whole_text() -> None:
    text = "前言。真的吗?!好的。"
    spans = sentence_spans(text, 3, len(text))
    assert spans == [(3, 8)] and text[3:8] == "真的吗?!"  # "好的。" is shorter than MIN_CHARS


def test_a_text_with_no_piece_long_enough_is_one_span_unless_told_otherwise() -> None:
    assert sentence_spans("  一、 ") == [(2, 4)]
    assert sentence_spans("  一、 ", whole=False) == []
    assert sentence_spans("xx 一、 yy", 3, 6) == [(3, 5)]


def test_extraction_sentences_of_the_real_plans_are_those_the_old_pattern_gave(
        linan: PlanDoc, national_2035: PlanDoc) -> None:
    """Counts taken with the regex extract/prose.py had before it used the one splitter."""
    assert sum(1 for p in _prose(linan) for _ in sentences(linan, p)) == 345
    assert sum(1 for p in _prose(national_2035) for _ in sentences(national_2035, p)) == 607


def test_windows_of_the_real_plans_end_where_a_sentence_ends(linan: PlanDoc, national_2035: PlanDoc) -> None:
    for doc, count in ((linan, 28), (national_2035, 49)):
        windows = [p for p in doc.passages if p.kind == "window"]
        assert len(windows) == count
        ends = WINDOW_ENDS + WINDOW_CLOSERS
        elsewhere = [p.content[-12:] for p in windows
                     if p.content[-1] not in ends and doc.norm[p.end:].split("\n", 1)[0].strip()]
        assert not elsewhere, "windows cut inside a sentence"
