"""Hostile and careless input files: size limit, odd folder entries, Chinese file names,
giant lines."""

from __future__ import annotations

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
