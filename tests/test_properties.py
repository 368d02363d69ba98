"""Property-based tests: random and mutated plan text through ingest and extract.

Whatever the text, ingestion and extraction either succeed or raise a
:class:`~plangraph.errors.PlanGraphError`, and every span they report indexes the
original text exactly. Mutations start from the real plans of ``corpus/``: cuts,
duplicated stretches, control characters, full-width/half-width swaps, table-like
lines, very long lines. Derandomised, so CI sees the same examples every run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plangraph.errors import PlanGraphError
from plangraph.extract.mentions import Evidence
from plangraph.extract.pipeline import extract
from plangraph.ingest.pipeline import ingest_bytes, ingest_text
from plangraph.model import PlanDoc

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
LINPING = (CORPUS / "linping-education-14th-fyp.excerpt.txt").read_text(encoding="utf-8")
LINAN = (CORPUS / "linan-2022-education-14th-fyp.raw.txt").read_text(encoding="utf-8")
PROPS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_FULL = {i: i + 0xFEE0 for i in range(0x21, 0x7F)}
_HALF = {v: k for k, v in _FULL.items()}


@st.composite
def base_text(draw: st.DrawFn) -> str:
    """The Linping excerpt, or a stretch of the Lin'an plan (tables, header, lists)."""
    if draw(st.booleans()):
        return LINPING
    start = draw(st.integers(0, len(LINAN) - 1))
    return LINAN[start:start + draw(st.integers(1, 8000))]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(base_text())
    for _ in range(draw(st.integers(1, 4))):
        a = draw(st.integers(0, len(text)))
        b = draw(st.integers(a, min(len(text), a + 3000)))
        kind = draw(st.sampled_from(
            ["cut", "duplicate", "control", "full-width", "half-width", "table", "long-line", "join", "random"]))
        if kind == "cut":
            text = text[:a] + text[b:]
        elif kind == "duplicate":
            text = text[:b] + text[a:b] * draw(st.integers(1, 3)) + text[b:]
        elif kind == "control":
            junk = draw(st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), min_size=1, max_size=5))
            text = text[:a] + junk + text[a:]
        elif kind == "full-width":
            text = text[:a] + text[a:b].translate(_FULL) + text[b:]
        elif kind == "half-width":
            text = text[:a] + text[a:b].translate(_HALF) + text[b:]
        elif kind == "table":
            cells = draw(st.lists(st.sampled_from(["指标", "2020", "2025", "约束性", "≥95", "0.305~7所", "", "学前教育",
                                                   "序号", "项目名称", "建设规模", "171", "—"]), min_size=1, max_size=8))
            sep = draw(st.sampled_from(["\t", "\n", " "]))
            text = text[:a] + "\n" + sep.join(cells) + "\n" + text[a:]
        elif kind == "long-line":
            piece = text[a:b] or "推进教育优质均衡发展,"
            text = text[:a] + piece.replace("\n", "") * draw(st.integers(2, 40)) + text[a:]
        elif kind == "join":
            text = text[:a] + text[a:b].replace("\n", "") + text[b:]
        else:
            text = text[:a] + draw(st.text(max_size=200)) + text[a:]
    return text


def _evidence(obj: object) -> list[Evidence]:
    """Every Evidence inside an extraction (dataclasses and tuples, walked)."""
    if isinstance(obj, Evidence):
        return [obj]
    if isinstance(obj, (tuple, list)):
        return [e for x in obj for e in _evidence(x)]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [e for f in dataclasses.fields(obj) for e in _evidence(getattr(obj, f.name))]
    return []


def _check(doc: PlanDoc) -> None:
    n = len(doc.original)
    assert len(doc.norm) == n
    for p in doc.passages:
        assert 0 <= p.start < p.end <= n
        assert doc.original[p.start:p.end] == p.text, p
        assert p.content.strip()
    for s in doc.sections:
        assert 0 <= s.start < s.end <= n
        assert s.title.replace(" ", "") in doc.norm[s.start:s.end].replace(" ", ""), s
    for t in doc.tables:
        assert 0 <= t.start <= t.end <= n
        for row in t.rows:
            assert t.start <= row.start <= row.end <= t.end
            for cell in (*row.cells, row.group, row.sublabel):
                if cell is not None:
                    assert doc.original[cell.start:cell.end] == cell.text, cell
    for x in doc.excluded:
        assert 0 <= x.start <= x.end <= n
    for ev in _evidence(extract(doc)):
        assert doc.original[ev.start:ev.end] == ev.quote, ev


def _ingest_and_extract(text: str) -> None:
    try:
        doc = ingest_text(text, Path("mutated-plan.txt"))
    except PlanGraphError:
        return
    _check(doc)


@PROPS
@given(mutated())
def test_mutated_plans_ingest_and_extract_with_exact_offsets(text: str) -> None:
    _ingest_and_extract(text)


@PROPS
@given(st.text(max_size=3000))
def test_random_text_ingests_or_fails_cleanly(text: str) -> None:
    _ingest_and_extract(text)


@settings(PROPS, max_examples=30)
@given(st.binary(max_size=2000) | mutated().map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_random_bytes_ingest_or_fail_cleanly(data: bytes) -> None:
    try:
        doc = ingest_bytes(data, "upload.txt")
    except PlanGraphError:
        return
    _check(doc)
