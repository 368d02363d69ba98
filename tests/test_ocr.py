"""Scanned PDFs: pages without a text layer read by OCR (the ``ocr`` extra, in ``dev``),
and the build without the engine.

The scanned fixture is the first page of the Lin'an plan drawn into a 100 dpi 1-bit
image (scripts/make_format_fixtures.py); its true text is the plan's own. Reading it
takes about 10-40 s of CPU, so those tests are slow and read it once.
"""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from plangraph.ingest.formats import Canonical, NoTextLayerError, ocr, read_any
from plangraph.ingest.formats.ocr import OcrBox, lines
from plangraph.ingest.pipeline import ingest_file, ingest_files, ingest_text

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "data" / "formats"
SCANNED = FIXTURES / "linan-2022-education-14th-fyp.scanned.pdf"
RAW = ROOT / "corpus" / "linan-2022-education-14th-fyp.raw.txt"
TITLE = "临安区教育事业发展“十四五”规划"


def true_text() -> str:
    """What the fixture draws: the title, then the first blocks wrapped at 36 characters,
    the lines that fit on the 1169-pixel page (as make_format_fixtures.py draws them)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from make_format_fixtures import Heading, Para, load_plan  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    plan = load_plan(RAW)
    out, y = [plan.title], 160
    for block in plan.blocks[:12]:
        text = block.text if isinstance(block, (Para, Heading)) else block.title
        for line in textwrap.wrap(text, 36):
            if y + 16 <= 1169:
                out.append(line)
            y += 24
        if y > 1080:
            break
    return "".join("".join(out).split())


def char_accuracy(read: str, truth: str) -> float:
    """1 − character error rate (Levenshtein distance over the true length), whitespace ignored."""
    a, b = "".join(read.split()), "".join(truth.split())
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1 - prev[-1] / len(b)


# --- boxes into lines (no engine needed) ------------------------------------------------

def box(text: str, x0: float, top: float, x1: float, bottom: float) -> OcrBox:
    return OcrBox(text, x0, top, x1, bottom, 0.9)


def test_boxes_become_lines_in_reading_order_and_rows_at_wide_gaps() -> None:
    boxes = [
        box("2025年", 400, 301, 440, 313), box("学前三年毛入园率(%)", 60, 300, 200, 312),  # one row, 3 cells
        box("99.5", 300, 300, 330, 312),
        box("发展“十四五”规划", 150, 60, 300, 80), box("临安区教育事业", 60, 62, 148, 80),  # one line, split box
        box("全区教育现代化水平显著提升。", 60, 200, 400, 212),
    ]
    got = lines(boxes, 3)
    assert [ln.cells for ln in got] == [(TITLE,), ("全区教育现代化水平显著提升。",),
                                       ("学前三年毛入园率(%)", "99.5", "2025年")]
    assert {ln.page for ln in got} == {3} and got[0].x0 == 60 and got[0].bottom == 80


def test_mean_confidence_weighs_characters() -> None:
    got = lines([OcrBox("一二三", 0, 0, 30, 10, 1.0), OcrBox("四", 0, 20, 10, 30, 0.6)], 1)
    assert ocr.mean_confidence(got) == pytest.approx(0.9)


# --- without the engine ----------------------------------------------------------------

def test_scanned_pdf_without_the_engine_is_refused_naming_the_extra(no_ocr: None) -> None:
    with pytest.raises(NoTextLayerError, match=r"scanned.pdf: no text layer: 1 of 1 page\(s\) are images only "
                                               r"\(a scanned document\) and the OCR engine is not installed") as info:
        ingest_file(SCANNED)
    assert "pip install 'plangraph[ocr]'" in (info.value.hint or "")


def test_missing_model_file_counts_as_no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rapidocr")
    monkeypatch.setattr(ocr, "_MODELS", ("PP-OCRv6_det_small.onnx", "no-such-rec.onnx"))
    ocr.engine.cache_clear()
    try:
        with pytest.raises(NoTextLayerError, match=r"OCR model file\(s\) no-such-rec.onnx are missing"):
            read_any(SCANNED)
    finally:
        ocr.engine.cache_clear()


def test_build_without_the_engine_skips_the_scan_and_builds_the_rest(no_ocr: None, tmp_path: Path) -> None:
    shutil.copy(SCANNED, tmp_path / SCANNED.name)
    shutil.copy(RAW, tmp_path / "linan.txt")
    got, failures = ingest_files([tmp_path])
    assert [d.plan_id for d in got] == ["linan"]
    (failure,) = failures
    assert failure.path.endswith(SCANNED.name) and "pip install 'plangraph[ocr]'" in (failure.error.hint or "")


# --- with the engine ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def scanned() -> Canonical:
    pytest.importorskip("rapidocr")
    return read_any(SCANNED)


@pytest.mark.slow
def test_scanned_page_is_read_by_ocr(scanned: Canonical) -> None:
    text = scanned.text
    assert text.startswith(TITLE + "\n") and scanned.headings[0] == (0, 1)
    for phrase in ("一、现实基础", "(一)十三五期间取得的成效", "优质幼儿园覆盖率", "区委区政府坚持教育优先发展战略"):
        assert phrase in text
    assert "\n\n" not in text and all(ln == ln.strip() for ln in text.splitlines())
    accuracy = char_accuracy(text, true_text())
    assert accuracy >= 0.95, accuracy  # 0.993 measured (benchmarks/bench_ocr.py)
    (finding,) = [f for f in scanned.findings if "read by OCR" in f]
    assert finding.startswith("page(s) 1 are scans read by OCR (rapidocr") and "mean confidence 0." in finding


@pytest.mark.slow
def test_ocr_lines_map_offsets_to_boxes(scanned: Canonical) -> None:
    spans = scanned.ocr
    assert len(spans) >= 30 and {s.page for s in spans} == {1}
    assert [s.start for s in spans] == sorted(s.start for s in spans)
    assert spans[0].start == 0 and scanned.text[spans[0].start:spans[0].end] == TITLE
    covered = sum(s.end - s.start for s in spans)
    assert covered >= 0.97 * len(scanned.text.replace("\n", ""))
    for s in spans:
        x0, top, x1, bottom = s.box
        assert 0 <= x0 < x1 <= 595.3 and 0 <= top < bottom <= 842 and 0.5 <= s.confidence <= 1
        assert "\n" not in scanned.text[s.start:s.end]
    # the title is set larger and higher up than the first paragraph
    assert spans[0].box[3] - spans[0].box[1] > 1.5 * (spans[1].box[3] - spans[1].box[1])
    assert spans[0].box[1] < spans[1].box[1]


@pytest.mark.slow
def test_ocr_plan_has_the_ocr_finding(scanned: Canonical) -> None:
    doc = ingest_text(scanned.text, SCANNED, sidecar={"id": "linan-scan"}, source=scanned)
    (finding,) = [f for f in doc.findings if f.code == "ocr"]
    assert finding.message.startswith(f"{SCANNED.name}: page(s) 1 are scans read by OCR (")
    assert "mean confidence 0.9" in finding.message
    assert doc.ocr == scanned.ocr and doc.format == "pdf"
    assert all(p.page == 1 for p in doc.passages)


@pytest.mark.slow
def test_build_with_a_scanned_plan_searches_its_ocr_text(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr")
    from plangraph.workspace import Workspace, build

    src = tmp_path / "plans"
    src.mkdir()
    shutil.copy(SCANNED, src / "linan-scan.pdf")
    out = tmp_path / "ix"
    build([src], out, encoders=("fake",), progress=False)
    ws = Workspace(out)
    (plan_id,) = ws.plan_ids
    hits = ws.search("优质幼儿园覆盖率", top_k=3)
    assert hits and hits[0].plan == plan_id and "优质幼儿园覆盖率" in hits[0].text
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    plan = json.loads((out / "plans" / manifest["plans"][plan_id]["shard"] / "plan.json").read_text("utf-8"))
    assert plan["format"] == "pdf" and plan["ocr"] and plan["ocr"][0]["page"] == 1
    assert any(f["code"] == "ocr" for f in plan["findings"])


@pytest.mark.parametrize(("limit", "value", "message"), [
    ("MAX_OCR_IMAGE_PIXELS", 10_000, r"what the images of scanned page\(s\) 1 hold is over the limit of 10,000 "
                                     r"pixels a page \(MAX_OCR_IMAGE_PIXELS\)"),
    ("MAX_OCR_SECONDS", -1, r"the time its OCR takes is over the limit of -1 s \(MAX_OCR_SECONDS\)"),
])
def test_ocr_limits_refuse_a_scan_they_leave_unread(monkeypatch: pytest.MonkeyPatch, limit: str, value: int,
                                                    message: str) -> None:
    """The fixture's page holds 827 × 1169 pixels; with a limit below what it needs,
    nothing is read and the PDF is refused naming the limit."""
    pytest.importorskip("rapidocr")
    from plangraph.ingest.formats.errors import LimitError

    monkeypatch.setattr(f"plangraph.ingest.limits.{limit}", value)
    with pytest.raises(LimitError, match=f"{SCANNED.name}: {message}") as info:
        read_any(SCANNED)
    assert info.value.limit == limit


def mixed_pdf() -> bytes:
    """Pages 1-2 of the Lin'an PDF (a text layer), then the scanned page."""
    import io

    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    out.import_pages(pdfium.PdfDocument(str(FIXTURES / "linan-2022-education-14th-fyp.pdf")), [0, 1])
    out.import_pages(pdfium.PdfDocument(str(SCANNED)))
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


def test_a_scanned_page_over_the_image_limit_is_skipped_and_the_text_pages_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rapidocr")
    from plangraph.ingest.formats import read_canonical

    monkeypatch.setattr("plangraph.ingest.limits.MAX_OCR_IMAGE_PIXELS", 10_000)
    c = read_canonical(mixed_pdf(), "mixed.pdf")
    assert TITLE in c.text and len(c.pages) == 3 and not c.ocr
    assert any(f.startswith("page(s) 3 not read by OCR: their images hold more than 10,000 pixels "
                            "(MAX_OCR_IMAGE_PIXELS)") for f in c.findings)


@pytest.mark.slow
def test_text_pages_and_a_scanned_page_in_one_pdf() -> None:
    pytest.importorskip("rapidocr")
    from plangraph.ingest.formats import read_canonical

    c = read_canonical(mixed_pdf(), "mixed.pdf")
    assert len(c.pages) == 3 and c.ocr and {s.page for s in c.ocr} == {3}
    assert all(c.page_of(s.start) == 3 for s in c.ocr)
    scan = c.text[c.pages[2]:]
    assert TITLE in scan and "一、现实基础" in scan
    assert any(f.startswith("page(s) 3 are scans read by OCR") for f in c.findings)


@pytest.mark.slow
def test_a_scanned_table_comes_out_as_rows() -> None:
    """Page 8 of the Lin'an PDF (two task tables between paragraphs) rendered at 150 dpi
    into a 1-bit image, as a scanner would deliver it: its one-line rows come out as
    tab-separated cells, the paragraphs around them as lines, in reading order."""
    pytest.importorskip("rapidocr")
    import io

    import pypdfium2 as pdfium

    from plangraph.ingest.formats import read_canonical

    page = pdfium.PdfDocument(str(FIXTURES / "linan-2022-education-14th-fyp.pdf"))[7]
    buf = io.BytesIO()
    page.render(scale=150 / 72, grayscale=True).to_pil().convert("1").save(buf, "PDF", resolution=150.0)
    text = read_canonical(buf.getvalue(), "table-scan.pdf").text
    rows = [ln.split("\t") for ln in text.splitlines() if "\t" in ln]
    assert ["项目名称", "项目内容"] in rows
    assert ["2.特殊教育医教结合项目", "实现3-18岁残疾儿童少年医教结合全覆盖。"] in rows
    assert ["3.老年教育提升项目", "建立2-3老年大学(学堂),新增学位500"] in rows
    lines = text.splitlines()
    assert lines.index("终身教育发展任务表") < lines.index("项目名称\t项目内容", lines.index("终身教育发展任务表"))
    assert text.index("(六)终身教育") < text.index("终身教育发展任务表") < text.index("3.老年教育提升项目")
