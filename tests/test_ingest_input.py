"""Bad and unusual input: encodings, empty and binary files, truncated tables,
sidecars. Each gives a clear error naming the file, or a sensible model."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from plangraph.errors import DecodeError, InputError, MetadataError
from plangraph.ingest.pipeline import ingest_file, ingest_files
from plangraph.text import collapse, normalize

from .conftest import LINAN, LINPING


def test_normalize_is_length_preserving_and_folds_widths() -> None:
    raw = "（一）加快发展，达到９５％　以上：ＡＢ\u00a0x"
    out = normalize(raw)
    assert len(out) == len(raw)
    assert out == "(一)加快发展,达到95% 以上:AB x"
    assert collapse("生均日常公用经费\n\n(元/生)") == "生均日常公用经费(元/生)"
    assert collapse(" 2017 年 ") == "2017年"  # digits and CJK join without a gap


def test_gbk_file_reads_like_utf8(tmp_path: Path) -> None:
    text = LINPING.read_text(encoding="utf-8")
    gbk = tmp_path / "linping-gbk.txt"
    gbk.write_bytes(text.encode("gbk"))
    doc = ingest_file(gbk)
    ref = ingest_file(LINPING)
    assert doc.meta.encoding == "gb18030"
    assert [p.text for p in doc.passages] == [p.text for p in ref.passages]


def test_utf8_bom_is_detected_and_offsets_hold(tmp_path: Path) -> None:
    f = tmp_path / "bom.txt"
    f.write_bytes(codecs.BOM_UTF8 + LINPING.read_bytes())
    doc = ingest_file(f)
    assert doc.meta.encoding == "utf-8-sig"
    assert not doc.original.startswith("\ufeff")
    assert all(doc.original[p.start:p.end] == p.text for p in doc.passages)


def test_undecodable_file_names_file_and_byte_offset(tmp_path: Path) -> None:
    f = tmp_path / "latin.txt"
    f.write_bytes("教育规划".encode() + b"\xff\xfe\xfa\x80 caf\xe9" * 3)
    with pytest.raises(DecodeError) as err:
        ingest_file(f)
    msg = str(err.value)
    assert str(f) in msg and "byte offset 12" in msg


def test_empty_and_binary_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n\n")
    with pytest.raises(InputError, match=r"empty\.txt: file is empty"):
        ingest_file(empty)
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match=r"image\.txt: looks like a binary file \(NUL byte at byte offset 8\)"):
        ingest_file(binary)
    with pytest.raises(InputError, match="no such file"):
        ingest_file(tmp_path / "missing.txt")


def test_file_without_headings_gives_paragraph_passages(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("加强乡村教师队伍建设。提高乡村教师待遇。\n\n推进学校食堂建设,保障学生营养。\n", encoding="utf-8")
    doc = ingest_file(f)
    assert doc.sections == ()
    assert [p.kind for p in doc.passages] == ["paragraph", "paragraph"]
    assert any(x.code == "no-headings" for x in doc.findings)
    assert doc.meta.plan_id == "notes"


def test_repeated_sentence_is_not_mistaken_for_a_second_copy(tmp_path: Path) -> None:
    lines = [f"{n}.第{n}项任务。落实第{n}项措施,确保按期完成。" for n in range(1, 8)]
    text = "一、总体要求\n" + "\n".join(lines) + "\n坚持教育优先发展。\n二、保障措施\n坚持教育优先发展。\n"
    f = tmp_path / "repeat.txt"
    f.write_text(text, encoding="utf-8")
    doc = ingest_file(f)
    same = [p for p in doc.passages if p.text == "坚持教育优先发展。"]
    assert len(same) == 2 and same[0].passage_id != same[1].passage_id
    assert not doc.excluded


def test_truncated_project_table_is_flagged_and_kept(tmp_path: Path) -> None:
    original = LINAN.read_text(encoding="utf-8")
    cut = original.index("锦北街道\n\n2019-2021\n\n2300")  # mid-row 2 of the kindergarten table
    f = tmp_path / "linan-cut.txt"
    f.write_text(original[:cut] + "\n七、保障与实施\n\n(一)加强教育组织保障\n", encoding="utf-8")
    doc = ingest_file(f)
    kg = next(t for t in doc.tables if t.kind == "project")
    assert len(kg.rows) == 2
    assert kg.rows[1].flags == ("truncated",)
    assert kg.rows[1].cells[2].value == "12班幼儿园" and kg.rows[1].cells[3] is None
    assert any(x.code == "truncated-table" for x in doc.findings)
    assert doc.sections[-1].title == "加强教育组织保障"


def test_sidecar_disagreeing_with_header_is_reported(tmp_path: Path) -> None:
    f = tmp_path / "linan.txt"
    f.write_bytes(LINAN.read_bytes())
    (tmp_path / "linan.meta.toml").write_text('id = "linan"\nissued = "2022-08-01"\n', encoding="utf-8")
    doc = ingest_file(f)
    (mismatch,) = [x for x in doc.findings if x.code == "metadata-mismatch"]
    assert "issued" in mismatch.message and "2022-07-11" in mismatch.message
    assert doc.meta.issued == "2022-08-01"  # the sidecar wins, the text's claim is reported


def test_bad_sidecars_name_file_and_choices(tmp_path: Path) -> None:
    f = tmp_path / "plan.txt"
    f.write_text("一、总体目标\n加强乡村教师队伍建设。\n", encoding="utf-8")
    side = tmp_path / "plan.meta.toml"
    side.write_text('id = "plan"\nlevel = "city"\n', encoding="utf-8")
    with pytest.raises(MetadataError, match=r"plan\.meta\.toml: field 'level' = 'city'; choose one of: national, "):
        ingest_file(f)
    side.write_text('id = "Plan One"\n', encoding="utf-8")
    with pytest.raises(MetadataError, match="must be a short ASCII slug"):
        ingest_file(f)
    side.write_text('name = "x"\n', encoding="utf-8")
    with pytest.raises(MetadataError, match=r"unknown field 'name'; valid fields: id, title"):
        ingest_file(f)
    side.write_text('id = "plan\n', encoding="utf-8")
    with pytest.raises(MetadataError, match="not valid TOML"):
        ingest_file(f)


def test_one_broken_plan_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "a-broken.txt").write_bytes(b"\x00\x01\x02")
    (tmp_path / "b-good.txt").write_bytes(LINPING.read_bytes())
    (tmp_path / "c-empty.txt").write_bytes(b"")
    (tmp_path / "notes.md").write_text("not a plan", encoding="utf-8")
    docs, failures = ingest_files([tmp_path])
    assert [d.plan_id for d in docs] == ["b-good"]
    assert [Path(f.path).name for f in failures] == ["a-broken.txt", "c-empty.txt"]


def test_duplicate_plan_ids_are_refused(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / f"{name}.txt").write_bytes(LINPING.read_bytes())
        (tmp_path / f"{name}.meta.toml").write_text('id = "same"\n', encoding="utf-8")
    docs, failures = ingest_files([tmp_path])
    assert len(docs) == 1
    assert "plan id 'same' is already used by" in failures[0].error.message
