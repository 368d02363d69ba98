"""Hostile and careless input files: size limit, odd folder entries, Chinese file names,
giant lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from plangraph.errors import InputError, UsageError
from plangraph.extract.pipeline import extract
from plangraph.graph.vocab import BoundNamespaces
from plangraph.ingest.metadata import slug_from_filename
from plangraph.ingest.pipeline import (
    MAX_PLAN_BYTES,
    MAX_PLAN_BYTES_ENV,
    ingest_bytes,
    ingest_file,
    ingest_files,
    ingest_text,
)
from plangraph.ingest.segment import MAX_SENTENCE_CHARS, WINDOW_CHARS
from plangraph.model import SLUG_RE

from . import bombs

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
LINPING = CORPUS / "linping-education-14th-fyp.excerpt.txt"
LINAN = CORPUS / "linan-2022-education-14th-fyp.raw.txt"


# -- size limit ------------------------------------------------------------------


def test_a_plan_over_the_size_limit_is_refused_naming_file_size_and_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(LINPING.read_bytes())
    monkeypatch.setenv(MAX_PLAN_BYTES_ENV, "1000")
    size = big.stat().st_size
    with pytest.raises(InputError) as exc:
        ingest_file(big)
    assert str(exc.value) == (f"{big}: {size:,} bytes ({size / 2**20:.1f} MiB) is over the plan size limit "
                              f"of 1,000 bytes (0.0 MiB)")
    assert MAX_PLAN_BYTES_ENV in (exc.value.hint or "")
    with pytest.raises(InputError, match="upload.txt: .* over the plan size limit"):
        ingest_bytes(LINPING.read_bytes(), "upload.txt")


def test_the_size_limit_lets_real_plans_through_and_can_be_raised(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert LINAN.stat().st_size * 10 < MAX_PLAN_BYTES
    monkeypatch.setenv(MAX_PLAN_BYTES_ENV, str(LINPING.stat().st_size))
    assert ingest_file(LINPING).passages  # exactly at the limit is allowed
    monkeypatch.setenv(MAX_PLAN_BYTES_ENV, "lots")
    with pytest.raises(UsageError, match=f"{MAX_PLAN_BYTES_ENV}='lots' must be a positive number of bytes"):
        ingest_file(LINPING)


def test_a_big_plan_is_reported_and_the_others_still_ingest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a-huge.txt").write_bytes(LINPING.read_bytes() * 3)
    (tmp_path / "b-good.txt").write_bytes(LINPING.read_bytes())
    monkeypatch.setenv(MAX_PLAN_BYTES_ENV, str(LINPING.stat().st_size * 2))
    docs, failures = ingest_files([tmp_path])
    assert [d.plan_id for d in docs] == ["b-good"]
    assert [Path(f.path).name for f in failures] == ["a-huge.txt"]
    assert "over the plan size limit" in failures[0].error.message


# -- what a folder holds -----------------------------------------------------------


def test_odd_entries_of_an_input_folder_are_reported_not_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(LINPING.read_bytes())
    (folder / "x.txt").mkdir()
    (folder / "loop-a.txt").symlink_to("loop-b.txt")
    (folder / "loop-b.txt").symlink_to("loop-a.txt")
    (folder / "gone.txt").symlink_to("nowhere.txt")
    (folder / "notes.md").write_text("not a plan", encoding="utf-8")
    (folder / "sub").mkdir()
    docs, failures = ingest_files([folder, tmp_path / "missing", tmp_path / "missing.txt"])
    assert [d.plan_id for d in docs] == ["good"]
    messages = {Path(f.path).name: f.error.message for f in failures}
    assert messages == {
        "gone.txt": f"{folder / 'gone.txt'}: is a symbolic link to 'nowhere.txt', which does not exist",
        "loop-a.txt": f"{folder / 'loop-a.txt'}: is a symbolic link that loops back on itself",
        "loop-b.txt": f"{folder / 'loop-b.txt'}: is a symbolic link that loops back on itself",
        "x.txt": f"{folder / 'x.txt'}: is a folder, not a plan file; plan files inside sub-folders are not read",
        "missing": f"{tmp_path / 'missing'}: no such file or folder",
        "missing.txt": f"{tmp_path / 'missing.txt'}: no such file or folder",
    }


# -- plan ids from file names ------------------------------------------------------


@pytest.mark.parametrize(("name", "readable"), [
    ("2022 临安 教育 规划.txt", "2022-linan-jiaoyu-guihua-"),
    ("２０２２　临安　教育　规划.txt", "2022-linan-jiaoyu-guihua-"),  # full-width digits and spaces
    ("临安区教育事业发展“十四五”规划.raw.txt", "linanqujiaoyushiyefazhan-shisiwu-guihua-"),
    ("ＡＢＣ 规划.txt", "abc-guihua-"),
    ("长沙 银行 规划.txt", "changsha-yinhang-guihua-"),  # words read as words, not per character
    ("“”.txt", "plan-"),
])
def test_chinese_file_names_give_readable_slugs(name: str, readable: str) -> None:
    slug = slug_from_filename(Path(name))
    assert SLUG_RE.match(slug)
    assert slug.startswith(readable) and len(slug) == len(readable) + 4


def test_ascii_file_names_keep_their_ids() -> None:
    assert slug_from_filename(Path("linan-2022-education-14th-fyp.raw.txt")) == "linan-2022-education-14th-fyp"
    assert slug_from_filename(Path("Notes 2022.txt")) == "notes-2022"


def test_names_that_differ_only_in_chinese_get_distinct_ids(tmp_path: Path) -> None:
    names = ["2022 临安 教育 规划.txt", "2022 临平 教育 规划.txt", "2022 林安 教育 规划.txt",  # 临安/林安 sound alike
             "2022 临安 教育 规划（草案）.txt", "2022　临安　教育　规划.txt", "教育" * 40 + "甲.txt", "教育" * 40 + "乙.txt"]
    for name in names:
        (tmp_path / name).write_bytes(LINPING.read_bytes())
    docs, failures = ingest_files([tmp_path])
    assert not failures
    ids = [d.plan_id for d in docs]
    assert len(set(ids)) == len(names)
    assert all(SLUG_RE.match(i) for i in ids)


# -- giant lines -------------------------------------------------------------------


def test_a_plan_without_line_breaks_is_cut_into_bounded_passages() -> None:
    text = LINAN.read_text(encoding="utf-8").replace("\n", "")
    doc = ingest_text(text, Path("one-line.txt"))
    assert len(doc.passages) > 100
    assert max(p.end - p.start for p in doc.passages) <= MAX_SENTENCE_CHARS
    for p in doc.passages:
        assert doc.original[p.start:p.end] == p.text
    assert extract(doc).commitments


def test_a_line_with_no_sentence_ends_is_wrapped_at_soft_breaks() -> None:
    clause = "推进学前教育普及普惠发展,"
    text = "临安区教育事业发展规划\n" + clause * 2000 + "\n"
    doc = ingest_text(text, Path("no-ends.txt"))
    assert max(p.end - p.start for p in doc.passages) <= WINDOW_CHARS
    assert all(p.text.endswith(",") for p in doc.passages[:-1])
    covered = sum(p.end - p.start for p in doc.passages)
    assert covered == len(clause) * 2000  # nothing lost between the pieces


def test_a_long_line_that_starts_like_a_page_header_is_text() -> None:
    body = LINPING.read_text(encoding="utf-8").replace("\n", "")
    doc = ingest_text("日期:2022-07-11 " + body, Path("dated.txt"))
    assert len(doc.passages) > 10
    assert not [x for x in doc.excluded if x.kind == "page_header"]


# -- SHACL namespaces --------------------------------------------------------------


def test_validation_writes_iris_as_rdflib_does_without_filing_each_namespace() -> None:
    plain, bound = Graph(), Graph()
    bound.namespace_manager = BoundNamespaces(bound)
    iris = [URIRef("http://www.w3.org/ns/oa#TextQuoteSelector"),
            URIRef("https://w3id.org/plangraph/id/linan/ev/0a1b/pos"), URIRef("urn:x")]
    assert [i.n3(bound.namespace_manager) for i in iris] == [i.n3(plain.namespace_manager) for i in iris]
    # rdflib files every namespace it meets (a trie whose insert scans its siblings);
    # one namespace per evidence node made validation quadratic
    filed = "https://w3id.org/plangraph/id/linan/ev/0a1b/"
    assert filed in plain.namespace_manager._NamespaceManager__strie  # type: ignore[attr-defined]
    assert filed not in bound.namespace_manager._NamespaceManager__strie  # type: ignore[attr-defined]


def test_a_build_reports_unreadable_inputs_and_oversized_plans_and_lands_the_good_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from plangraph.workspace.builder import build

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(LINPING.read_bytes())
    (folder / "huge.txt").write_bytes(LINPING.read_bytes() * 3)
    (folder / "x.txt").mkdir()
    (folder / "loop.txt").symlink_to("loop.txt")
    monkeypatch.setenv(MAX_PLAN_BYTES_ENV, str(LINPING.stat().st_size * 2))
    summary = build([folder, tmp_path / "missing.txt"], tmp_path / "ix", encoders=("fake",), progress=False)
    assert summary.plans == ("good",)
    reported = {Path(p).name: m for p, m in summary.failures}
    assert sorted(reported) == ["huge.txt", "loop.txt", "missing.txt", "x.txt"]
    assert "over the plan size limit" in reported["huge.txt"]
    assert reported["loop.txt"].endswith("is a symbolic link that loops back on itself")
    assert reported["missing.txt"].endswith("no such file or folder")


# -- bombs: every resource bounded before it is spent (#22) ----------------------------

_CAP = 1536 << 20
"""Address space of the child that reads a bomb: a reader that inflates a bomb whole fails
there with a MemoryError, so a refusal under this cap shows that the limit came first."""

_READ = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
from plangraph.ingest.formats import read_canonical
path = sys.argv[1]
t = time.process_time()
try:
    c = read_canonical(open(path, "rb").read(), path)
    out = {{"ok": True, "rows": c.text.count("\\t\\t") + c.text.count("\\n"), "findings": list(c.findings)}}
except Exception as exc:
    out = {{"ok": False, "error": type(exc).__name__, "limit": getattr(exc, "limit", None), "message": str(exc)}}
# this process's own high-water mark (ru_maxrss would include the parent's at the fork)
status = open("/proc/self/status").read()
out["peak_mb"] = int(status.split("VmHWM:")[1].split()[0]) // 1024
print(json.dumps(out))
"""


def _read_capped(path: Path) -> dict[str, object]:
    """Read ``path`` with the format readers in a child process capped at :data:`_CAP`."""
    import json
    import os
    import subprocess
    import sys

    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", _READ.format(cap=_CAP), str(path)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


_BOMBS = {
    "inflate.docx": (lambda: bombs.docx_file(1 << 30), "MAX_ZIP_XML_BYTES"),
    "media.docx": (lambda: bombs.docx_file(0, media=1 << 30), "MAX_ZIP_MEMBER_BYTES"),
    "ratio.docx": (lambda: bombs.docx_file(24 << 20), "MAX_ZIP_RATIO"),
    "stream.pdf": (lambda: bombs.pdf_stream_bomb(1 << 30), "MAX_PDF_STREAM_BYTES"),
    "lzw.pdf": (lambda: bombs.pdf_lzw_bomb(10), "MAX_PDF_STREAM_BYTES"),
    "page-content.pdf": (lambda: bombs.pdf_stream_bomb(20 << 20), "MAX_PDF_PAGE_CONTENT_BYTES"),
    "deep-tree.pdf": (lambda: bombs.pdf_deep_page_tree(1000), "MAX_PDF_TREE_DEPTH"),
    "nested.pdf": (lambda: bombs.pdf_nested_arrays(100_000), "MAX_PDF_NESTING"),
    "pages.pdf": (lambda: bombs.pdf_many_pages(20_000), "MAX_PDF_PAGES"),
    "deep.html": (lambda: bombs.html_deep_nesting(100_000), "MAX_HTML_DEPTH"),
}


@pytest.mark.parametrize("name", sorted(_BOMBS))
def test_a_bomb_is_refused_naming_file_and_limit_within_bounded_memory(tmp_path: Path, name: str) -> None:
    from plangraph.ingest import limits

    make, limit = _BOMBS[name]
    path = tmp_path / name
    path.write_bytes(make())
    out = _read_capped(path)
    assert out["ok"] is False and out["error"] == "LimitError", out
    assert out["limit"] == limit
    message = str(out["message"])
    assert message.startswith(f"{path}: ") and f"({limit})" in message
    assert f"{getattr(limits, limit):,}" in message  # the limit's value
    assert int(out["peak_mb"]) < 400  # type: ignore[call-overload]


@pytest.mark.parametrize("make", [lambda: bombs.pdf_busy_page(160_000), lambda: bombs.pdf_form_bomb(9, 10)],
                         ids=["160000-rectangles", "forms-drawing-forms-10^9"])
def test_a_pdf_page_that_draws_too_much_is_skipped_and_the_other_pages_read(
        tmp_path: Path, make: Callable[[], bytes]) -> None:
    from plangraph.ingest.limits import MAX_PDF_PAGE_OBJECTS

    path = tmp_path / "busy.pdf"
    path.write_bytes(make())
    out = _read_capped(path)
    assert out["ok"] is True, out
    assert out["findings"] == [
        f"page(s) 1 skipped: each draws more than {MAX_PDF_PAGE_OBJECTS:,} operands and operators "
        "(MAX_PDF_PAGE_OBJECTS, a map or a drawing bomb); their text is missing"]
    assert int(out["peak_mb"]) < 400  # type: ignore[call-overload]
    assert ingest_file(path).original == "Education plan of Linan district\n"


def test_a_docx_that_states_a_small_size_is_not_inflated_past_it(tmp_path: Path) -> None:
    path = tmp_path / "lying.docx"
    path.write_bytes(bombs.docx_file(1 << 30, claimed=1024))  # says 1 KB, holds 1 GiB
    out = _read_capped(path)
    assert out["error"] == "CorruptFileError" and "Bad CRC-32 for file 'word/document.xml'" in str(out["message"])
    assert int(out["peak_mb"]) < 400  # type: ignore[call-overload]


def test_a_50000_row_html_table_is_cut_at_the_row_limit_with_a_finding(tmp_path: Path) -> None:
    from plangraph.ingest.limits import MAX_TABLE_ROWS

    path = tmp_path / "big-table.html"
    path.write_bytes(bombs.html_big_table(50_000))
    out = _read_capped(path)
    assert out["ok"] is True, out
    assert f"table 1 is over the limit of {MAX_TABLE_ROWS:,} rows per table (MAX_TABLE_ROWS): its first " \
           f"{MAX_TABLE_ROWS:,} of 50,001 rows are read; the rest is left out" in out["findings"]  # type: ignore[operator]
    doc = ingest_file(path)
    (table,) = doc.tables
    assert len(table.rows) == MAX_TABLE_ROWS - 1  # the header row is the columns
    assert doc.original.count("\n") < MAX_TABLE_ROWS + 10
    assert "学校1998\t" in doc.original and "学校1999\t" not in doc.original


def test_a_word_table_spanning_a_billion_columns_is_read_on_a_bounded_grid(tmp_path: Path) -> None:
    path = tmp_path / "spans.docx"
    path.write_bytes(bombs.docx_table_bomb(rows=1_999, span=999_999_999))  # 2 KB
    out = _read_capped(path)
    assert out["ok"] is True, out
    assert any(f.startswith("table 1 is over the limit of 40,000 cells per table (MAX_TABLE_CELLS): its first 200 "
                            "of 2,000 rows are read, each up to column 200 of 201") for f in out["findings"])  # type: ignore[union-attr]
    assert int(out["peak_mb"]) < 400  # type: ignore[call-overload]


def test_cells_past_the_limits_are_cut_in_a_word_table(tmp_path: Path) -> None:
    from plangraph.ingest.formats.canonical import TextBuilder
    from plangraph.ingest.limits import MAX_TABLE_CELLS, MAX_TABLE_COLUMNS

    out = TextBuilder()
    out.table([[f"c{r}-{c}" for c in range(MAX_TABLE_COLUMNS + 50)] for r in range(300)])
    canonical = out.build("docx")
    rows = canonical.text.splitlines()
    assert len(rows) == MAX_TABLE_CELLS // MAX_TABLE_COLUMNS
    assert all(len(r.split("\t")) == MAX_TABLE_COLUMNS for r in rows)
    assert canonical.findings[0] == (
        f"table 1 is over the limit of {MAX_TABLE_CELLS:,} cells per table (MAX_TABLE_CELLS): its first "
        f"{len(rows)} of 300 rows are read, each up to column {MAX_TABLE_COLUMNS} of {MAX_TABLE_COLUMNS + 50}; "
        "the rest is left out")


def test_a_50000_row_text_table_is_cut_and_its_other_rows_make_no_passages() -> None:
    from plangraph.ingest.limits import MAX_TABLE_ROWS

    doc = ingest_text(bombs.text_big_table(50_000).decode(), Path("big-table.txt"))
    (table,) = doc.tables
    assert len(table.rows) == MAX_TABLE_ROWS and "cut" in table.flags
    assert table.rows[-1].cells[0].value == f"学校{MAX_TABLE_ROWS - 1}"  # type: ignore[union-attr]
    assert len(doc.passages) < MAX_TABLE_ROWS + 10
    (finding,) = [f for f in doc.findings if f.code == "table-limit"]
    assert finding.message == (f"table '表1 学校一览表' is over the limit of {MAX_TABLE_ROWS:,} rows per table "
                               f"(MAX_TABLE_ROWS): its first {MAX_TABLE_ROWS:,} of 50,000 rows are read; "
                               "the rest is left out")
    assert doc.original[finding.start:].startswith(f"学校{MAX_TABLE_ROWS}\t")


def test_html_and_other_files_over_their_byte_limits_are_refused_before_they_are_read(tmp_path: Path) -> None:
    from plangraph.ingest.formats.errors import LimitError
    from plangraph.ingest.limits import MAX_FILE_BYTES, MAX_HTML_BYTES

    page = b"<html><body><p>" + b"x" * MAX_HTML_BYTES + b"</p></body></html>"
    with pytest.raises(LimitError, match=rf"^page.html: {len(page):,} bytes of HTML is over the limit of "
                                         rf"{MAX_HTML_BYTES:,} bytes \(MAX_HTML_BYTES\)"):
        ingest_bytes(page, "page.html")
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:  # sparse: nothing is written, nothing may be read
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(LimitError, match=r"big.pdf: 134,217,729 bytes is over the limit of 134,217,728 bytes "
                                         r"for a plan file \(MAX_FILE_BYTES\)"):
        ingest_file(big)


def test_pdfminer_outside_a_bounded_read_is_left_as_it_was(tmp_path: Path) -> None:
    from pdfminer.pdftypes import PDFStream

    from plangraph.ingest.formats.errors import LimitError
    from plangraph.ingest.formats.pdf import read_pdf

    with pytest.raises(LimitError):
        read_pdf(bombs.pdf_stream_bomb(100 << 20), "bomb.pdf")
    payload = bombs.deflated(b"", b"\0", 100 << 20, checksum="adler32").zlib()
    from pdfminer.psparser import LIT
    stream = PDFStream({"Filter": LIT("FlateDecode"), "Length": len(payload)}, payload)
    assert len(stream.get_data()) == 100 << 20  # no budget: pdfminer's own decoding


# -- one plan's failure is that plan's alone ----------------------------------------


def test_a_build_of_bombs_and_good_plans_lands_the_good_ones_and_names_each_bomb(tmp_path: Path) -> None:
    from plangraph.workspace.builder import build

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "linping.txt").write_bytes(LINPING.read_bytes())
    (folder / "deep-tree.pdf").write_bytes(bombs.pdf_deep_page_tree(1000))
    (folder / "stream.pdf").write_bytes(bombs.pdf_stream_bomb(1 << 30))
    (folder / "inflate.docx").write_bytes(bombs.docx_file(1 << 30))
    (folder / "deep.html").write_bytes(bombs.html_deep_nesting(100_000))
    (folder / "big-table.html").write_bytes(bombs.html_big_table(50_000))
    with (folder / "huge.pdf").open("wb") as f:  # sparse: 128 MiB + 1 of nothing
        f.truncate((128 << 20) + 1)
    summary = build([folder], tmp_path / "ix", encoders=("fake",), progress=False, workers=1)
    assert summary.plans == ("big-table", "linping")
    reported = {Path(p).name: m for p, m in summary.failures}
    assert sorted(reported) == ["deep-tree.pdf", "deep.html", "huge.pdf", "inflate.docx", "stream.pdf"]
    for name, limit in [("deep-tree.pdf", "MAX_PDF_TREE_DEPTH"), ("stream.pdf", "MAX_PDF_STREAM_BYTES"),
                        ("inflate.docx", "MAX_ZIP_XML_BYTES"), ("deep.html", "MAX_HTML_DEPTH"),
                        ("huge.pdf", "MAX_FILE_BYTES")]:
        assert reported[name].startswith(f"{folder / name}: ") and f"({limit})" in reported[name]


class PdfminerLike(Exception):
    """A parser library's own exception (not one the pipeline knows)."""


def test_a_build_hashes_its_inputs_without_loading_them(tmp_path: Path) -> None:
    import hashlib
    import tracemalloc

    from plangraph.ingest.metadata import input_hash

    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.truncate(200 << 20)
    tracemalloc.start()
    try:
        digest = input_hash(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert digest == hashlib.sha256(bytes(200 << 20)).hexdigest()
    assert peak < 8 << 20  # the file is 200 MiB


def _explode(task: tuple[object, ...]) -> tuple[str, object]:
    """A plan task that fails as a parser library would: its own exception on close, a
    recursion error, an exception a worker cannot send back, or no failure at all."""
    kind = task[0]
    if kind == "recursion":
        raise RecursionError("maximum recursion depth exceeded")
    if kind == "library":
        raise PdfminerLike("maximum recursion depth exceeded while closing")
    if kind == "unpicklable":
        class Local(Exception):
            pass
        raise Local("a class no other process can load")
    return "ok", kind


@pytest.mark.parametrize("workers", [1, 2])
def test_any_exception_that_escapes_a_plan_task_fails_that_plan_only(workers: int) -> None:
    from plangraph.workspace.planpool import plan_results

    tasks = [("good-1",), ("recursion",), ("library",), ("unpicklable",), ("good-2",)]
    results = list(plan_results(_explode, tasks, workers=workers, progress=False, name=lambda t: f"{t[0]}.pdf"))
    assert results[0] == ("ok", "good-1") and results[4] == ("ok", "good-2")
    assert results[1] == ("error", "recursion.pdf: RecursionError: maximum recursion depth exceeded")
    assert results[2] == ("error", "library.pdf: PdfminerLike: maximum recursion depth exceeded while closing")
    assert results[3][0] == "error" and results[3][1].startswith("unpicklable.pdf: ")


@pytest.mark.parametrize(("stage", "target"), [
    ("extract", "plangraph.extract.pipeline.extract"),
    ("graph", "plangraph.graph.build.add_plan"),
    ("search", "plangraph.search.lexical.tokenize"),
])
def test_a_plan_failing_in_a_later_stage_is_skipped_and_the_others_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str, target: str) -> None:
    import importlib

    from plangraph.workspace.builder import build

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes(LINPING.read_bytes())
    (folder / "bad.txt").write_text(LINPING.read_text(encoding="utf-8") + "\n异常段落BOOM。\n", encoding="utf-8")
    module, attr = target.rsplit(".", 1)
    real = getattr(importlib.import_module(module), attr)

    def failing(*args: object, **kwargs: object) -> object:
        if any("BOOM" in getattr(a, "original", a if isinstance(a, str) else "") for a in args):
            raise RecursionError(f"maximum recursion depth exceeded in {stage}")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, failing)
    summary = build([folder], tmp_path / "ix", encoders=("fake",), progress=False, workers=1)
    assert summary.plans == ("good",)
    ((path, message),) = summary.failures
    assert message == f"{folder / 'bad.txt'}: RecursionError: maximum recursion depth exceeded in {stage}"


FORMATS = Path(__file__).resolve().parent / "data" / "formats"


@pytest.mark.parametrize(("file", "limit", "value"), [
    ("linan-2022-education-14th-fyp.pdf", "MAX_PDF_DECODED_BYTES", 50_000),
    ("linan-2022-education-14th-fyp.pdf", "MAX_PDF_STREAM_BYTES", 2_000),
    ("linan-2022-education-14th-fyp.pdf", "MAX_PDF_PAGES", 3),
    ("linan-2022-education-14th-fyp.docx", "MAX_ZIP_TOTAL_BYTES", 50_000),
    ("linan-2022-education-14th-fyp.docx", "MAX_ZIP_MEMBERS", 3),
    ("linan-2022-education-14th-fyp.docx", "MAX_ZIP_XML_BYTES", 20_000),
])
def test_each_limit_is_checked_where_the_resource_is_spent(
        monkeypatch: pytest.MonkeyPatch, file: str, limit: str, value: int) -> None:
    """Real plans pass every limit; with the limit lowered below what they need, each
    one is refused by that limit, naming it and its value."""
    from plangraph.ingest import limits
    from plangraph.ingest.formats import read_canonical
    from plangraph.ingest.formats.errors import LimitError

    data = (FORMATS / file).read_bytes()
    assert read_canonical(data, file).text  # within every limit as they are
    monkeypatch.setattr(limits, limit, value)
    if limit == "MAX_PDF_PAGES":
        monkeypatch.setattr("plangraph.ingest.formats.pdf.MAX_PDF_PAGES", value)
    with pytest.raises(LimitError) as exc:
        read_canonical(data, file)
    assert exc.value.limit == limit
    assert str(exc.value).startswith(f"{file}: ") and f"{value:,}" in str(exc.value) and f"({limit})" in str(exc.value)


def test_ingest_files_reports_any_exception_of_one_file_and_reads_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import plangraph.ingest.pipeline as pipeline

    (tmp_path / "a-bad.txt").write_bytes(LINPING.read_bytes())
    (tmp_path / "b-good.txt").write_bytes(LINPING.read_bytes())
    real = pipeline.read_canonical

    def failing(data: bytes, name: str) -> object:
        if name.endswith("a-bad.txt"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(data, name)

    monkeypatch.setattr(pipeline, "read_canonical", failing)
    docs, failures = ingest_files([tmp_path])
    assert [d.plan_id for d in docs] == ["b-good"]
    assert [f.error.message for f in failures] == [
        f"{tmp_path / 'a-bad.txt'}: RecursionError: maximum recursion depth exceeded"]


def test_the_84_kb_pdf_with_a_page_tree_1000_deep_no_longer_stops_a_build_of_four_plans(tmp_path: Path) -> None:
    """#22 item 3 as reported: four good plans and the deep PDF, built on worker processes."""
    from plangraph.workspace.builder import build

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b", "c", "d"):
        (folder / f"plan-{name}.txt").write_bytes(LINPING.read_bytes())
    (folder / "deep-tree.pdf").write_bytes(bombs.pdf_deep_page_tree(1000))
    assert (folder / "deep-tree.pdf").stat().st_size < 100_000
    summary = build([folder], tmp_path / "ix", encoders=("fake",), progress=False, workers=2)
    assert summary.plans == ("plan-a", "plan-b", "plan-c", "plan-d")
    ((path, message),) = summary.failures
    assert message == (f"{folder / 'deep-tree.pdf'}: the depth of its page tree is over the limit of 64 levels "
                       "(MAX_PDF_TREE_DEPTH)")
