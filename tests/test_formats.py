"""Plans published as HTML, Word and PDF: the readers' canonical text, and the same
plan coming out of every format as from the scraped .txt.

The fixtures in tests/data/formats/ are the Lin'an plan written out by
scripts/make_format_fixtures.py (the tests need none of its dependencies).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

from plangraph.errors import InputError
from plangraph.extract.pipeline import extract
from plangraph.ingest.formats import (
    Canonical,
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    FormatError,
    NoTextLayerError,
    UnsupportedFormatError,
    read_any,
)
from plangraph.ingest.formats.grid import SpanCell, expand
from plangraph.ingest.formats.html import html_to_canonical, looks_like_html
from plangraph.ingest.pipeline import ingest_file, ingest_files, ingest_text
from plangraph.model import PlanDoc

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "formats"
STEM = "linan-2022-education-14th-fyp"
RAW = ROOT / "corpus" / f"{STEM}.raw.txt"
FORMATS = ("html", "docx", "pdf")


@pytest.fixture(scope="module")
def canon() -> dict[str, Canonical]:
    """Each format's canonical text, read once (the PDF takes a few seconds)."""
    return {fmt: read_any(FIXTURES / f"{STEM}.{fmt}") for fmt in FORMATS}


@pytest.fixture(scope="module")
def docs(canon: dict[str, Canonical]) -> dict[str, PlanDoc]:
    """The canonical texts through the text pipeline, with the .txt's sidecar."""
    out = {fmt: ingest_text(c.text, FIXTURES / f"{STEM}.{fmt}", sidecar={"id": "linan"}, source=c)
           for fmt, c in canon.items()}
    out["txt"] = ingest_file(RAW)
    return out


def table_after(text: str, title: str) -> list[list[str]]:
    """The tab-separated rows that follow the line ``title`` (header row first)."""
    lines = text.splitlines()
    i = lines.index(title) + 1
    rows = []
    while i < len(lines) and "\t" in lines[i]:
        rows.append(lines[i].split("\t"))
        i += 1
    return rows


# --- the same plan from every format -------------------------------------------------

def _entities(doc: PlanDoc) -> dict[str, list[tuple[object, ...]]]:
    x = extract(doc)
    return {
        "indicators": [(i.category, "".join(i.name.split()), i.sublabel, i.unit, i.binding,
                        tuple((v.year, v.comparator, v.number, v.text) for v in i.values)) for i in x.indicators],
        "projects": [(p.seq, p.name, p.location, p.start_year, p.end_year, p.investment_wan) for p in x.projects],
        "programmes": [(p.seq, p.name, "".join(p.content.split())) for p in x.programmes],
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_entities_as_from_the_txt(docs: dict[str, PlanDoc], fmt: str) -> None:
    want = _entities(docs["txt"])
    got = _entities(docs[fmt])
    assert [len(want[k]) for k in ("indicators", "projects", "programmes")] == [30, 39, 27]
    for kind in want:
        assert got[kind] == want[kind], kind


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_quote_indexes_the_canonical_text(docs: dict[str, PlanDoc], canon: dict[str, Canonical],
                                                fmt: str) -> None:
    doc = docs[fmt]
    assert doc.format == fmt and doc.original == canon[fmt].text
    for p in doc.passages:
        assert doc.original[p.start:p.end] == p.text
    assert doc.meta.title == docs["txt"].meta.title
    assert [t.title for t in doc.tables] == [t.title for t in docs["txt"].tables]


def test_pdf_passages_carry_their_page(docs: dict[str, PlanDoc], canon: dict[str, Canonical]) -> None:
    doc = docs["pdf"]
    assert len(doc.pages) == 14
    assert all(p.page is not None and 1 <= p.page <= 14 for p in doc.passages)
    assert [p.page for p in doc.passages] == sorted(p.page or 0 for p in doc.passages)
    last = doc.passages[-1]
    assert last.page == canon["pdf"].page_of(last.start) and (last.page or 0) > 10
    assert all(p.page is None for p in docs["html"].passages)


def test_build_stores_the_canonical_text_and_search_shows_pages(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from plangraph.interfaces.cli import main

    src = tmp_path / "plans"
    src.mkdir()
    shutil.copy(FIXTURES / f"{STEM}.pdf", src / "linan.pdf")
    shutil.copy(FIXTURES / "corrupt.docx", src / "broken.docx")
    out = tmp_path / "ix"
    assert main(["build", str(src), "--index", str(out), "--encoder", "fake", "--sentence-level", "none",
                 "--quiet"]) == 0
    assert "broken.docx: not a readable .docx file" in capsys.readouterr().err
    from plangraph.workspace import Workspace

    stored = Workspace(out).plan_text("linan")
    assert stored == read_any(src / "linan.pdf").text
    plans = Workspace(out).plans()
    assert plans[0]["format"] == "pdf" and len(plans[0]["pages"]) == 14
    assert main(["search", "乡村教师支持计划", "--index", str(out), "--format", "json", "--top", "3"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and all(h["page"] and stored[h["start"]:h["end"]] == h["quote"] for h in hits)
    assert main(["search", "乡村教师支持计划", "--index", str(out), "--top", "1"]) == 0
    first = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("1. "))
    assert first.endswith(f"page {hits[0]['page']}")


# --- canonical text -------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_headings_are_own_lines(canon: dict[str, Canonical], fmt: str) -> None:
    lines = canon[fmt].text.splitlines()
    for heading in ("一、现实基础", "(一)十三五期间取得的成效", "二、发展目标", "七、保障与实施", "(四)完善教育督导评估"):
        assert heading in lines
    marked = {canon[fmt].text[o: canon[fmt].text.index("\n", o)]: lvl for o, lvl in canon[fmt].headings}
    assert "一、现实基础" in marked


@pytest.mark.parametrize("fmt", FORMATS)
def test_indicator_table_merged_cells_repeated(canon: dict[str, Canonical], fmt: str) -> None:
    rows = table_after(canon[fmt].text, "临安教育事业发展十四五指标")
    assert rows[0] == ["类型", "指标", "指标", "2025", "指标属性"]
    body = rows[1:]
    assert len(body) == 30 and all(len(r) == 5 for r in body)
    assert [r[0] for r in body[:6]] == ["学前教育"] * 6
    assert body[9] == ["义务教育", "校际优质均衡系数", "小学", "0.30", "约束性"]
    assert body[8][4] == ""  # the page left 指标属性 empty for this row


@pytest.mark.parametrize("fmt", FORMATS)
def test_project_table_rows(canon: dict[str, Canonical], fmt: str) -> None:
    pre = table_after(canon[fmt].text, "学前教育计划建设项目表")
    assert pre[0] == ["序号", "项目名称", "建设规模", "建设地点", "起止年限", "总投资(万元)"]
    assert len(pre) == 22  # header + 21 rows, also where the PDF table runs over a page
    assert pre[1] == ["1", "马溪幼儿园", "15班幼儿园", "锦北街道", "2020-2021", "2784"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_tab_outside_tables_and_no_blank_lines(canon: dict[str, Canonical], fmt: str) -> None:
    text = canon[fmt].text
    assert text.endswith("\n") and "\n\n" not in text
    lines = text.splitlines()
    i = lines.index("临安教育事业发展十四五指标")
    assert lines[i - 1].startswith("——建设美好师生样板。")  # the table sits where the document has it
    assert all(line == line.strip(" \u3000") for line in lines)


def test_plain_text_passes_through_unchanged() -> None:
    c = read_any(RAW)
    assert c.format == "text" and c.text == RAW.read_text(encoding="utf-8") and c.pages == ()


def test_canonical_and_grid() -> None:
    with pytest.raises(ValueError, match="unknown format 'ttl'"):
        Canonical("a\n", "ttl")
    assert [Canonical("ab\ncd\n", "pdf", (0, 3)).page_of(i) for i in range(6)] == [1, 1, 1, 2, 2, 2]
    g = expand([[SpanCell("a", rowspan=2), SpanCell("b", colspan=2)], [SpanCell("c"), SpanCell("d")],
                [SpanCell("e", colspan=0), SpanCell("f", rowspan=0)]])
    assert g.rows == (("a", "b", "b"), ("a", "c", "d"), ("e", "f", "")) and g.merged == 2


# --- HTML -----------------------------------------------------------------------------

def test_html_chrome_removed_header_and_title_kept(canon: dict[str, Canonical], docs: dict[str, PlanDoc]) -> None:
    text = canon["html"].text
    for chrome in ("首页", "当前位置", "浙ICP备", "_hmt", "请输入关键字", "分享", "打印", "无障碍"):
        assert chrome not in text
    assert text.splitlines()[0] == "索引号\t002508406/2022-83699\t公开方式\t主动公开"
    assert any("page chrome removed" in f.message and f.code == "html-reader" for f in docs["html"].findings)
    assert dict(docs["html"].meta.header)["索引号"] == "002508406/2022-83699"


def test_html_inline_markup_rules() -> None:
    c = html_to_canonical(
        "<html><body><p>&nbsp;&nbsp;第一段<b>加粗</b>文字,\n  换行续写17\n所。</p>"
        "<div>甲<br>乙<br/><br/>丙</div><p>English\nwords</p>"
        "<table><tr><td>类型</td><td>指标</td></tr><tr><td rowspan=2>学前</td><td>甲<br>(%)</td></tr>"
        "<tr><td>乙\t丙</td></tr></table></body></html>", "t.html")
    assert c.text.splitlines() == ["第一段加粗文字,换行续写17所。", "甲", "乙", "丙", "English words",
                                   "类型\t指标", "学前\t甲 (%)", "学前\t乙 丙"]
    layout = html_to_canonical("<body><table><tr><td><p>一、总则</p><p>正文。</p></td></tr></table></body>", "t.html")
    assert layout.text == "一、总则\n正文。\n"
    guarded = html_to_canonical('<body><div class="header-title"><h1>某某规划</h1></div>'
                                '<div class="footer">版权所有</div></body>', "t.html")
    assert guarded.text == "某某规划\n" and guarded.headings == ((0, 1),)


def test_markup_headings_without_numbers_open_sections(tmp_path: Path) -> None:
    page = tmp_path / "plan.html"
    page.write_text("<html><body><h1>某区教育事业发展规划</h1><h2>发展基础</h2><p>十三五期间成效显著。</p>"
                    "<h2>发展目标</h2><h3>总体目标</h3><p>到2025年基本实现教育现代化。</p>"
                    "<h2>三、主要任务</h2><p>坚持立德树人。</p><p><b>附件</b></p></body></html>", encoding="utf-8")
    doc = ingest_file(page)
    assert [(s.level, s.title) for s in doc.sections] == [
        (1, "发展基础"), (1, "发展目标"), (2, "总体目标"), (1, "主要任务"), (1, "附件")]
    passage = next(p for p in doc.passages if p.text.startswith("到2025年"))
    assert passage.section_path == ("发展目标", "总体目标")


def test_looks_like_html() -> None:
    assert looks_like_html((FIXTURES / f"{STEM}.html").read_text(encoding="utf-8"))
    assert looks_like_html("<p>一</p>" * 12)
    assert not looks_like_html("一、总体要求\n坚持以<习近平新时代>思想为指导,x<y 且 y>z。\n" * 50)
    assert not looks_like_html(RAW.read_text(encoding="utf-8"))


def test_html_saved_as_txt_is_read_as_html(tmp_path: Path, canon: dict[str, Canonical]) -> None:
    target = tmp_path / "plan.txt"
    target.write_text("<html><head><script>alert('x')</script></head><body><h1>某区教育事业发展规划</h1>"
                      "<p>一、总体要求</p><p>坚持立德树人。</p></body></html>", encoding="utf-8")
    doc = ingest_file(target)
    assert doc.format == "html" and "<script>" not in doc.original and "alert" not in doc.original
    assert all("<" not in p.text for p in doc.passages)
    assert any("HTML page saved as text; read as HTML" in f.message for f in doc.findings)
    shutil.copy(FIXTURES / f"{STEM}.html", target)
    assert read_any(target).text == canon["html"].text


def test_gb2312_page_with_meta_charset(tmp_path: Path, canon: dict[str, Canonical]) -> None:
    page = (FIXTURES / f"{STEM}.html").read_text(encoding="utf-8").replace('charset="utf-8"', 'charset="gb2312"')
    target = tmp_path / "plan.htm"
    target.write_bytes(page.encode("gb18030"))
    c = read_any(target)
    assert c.text == canon["html"].text and "decoded as gb18030" in c.findings


# --- DOCX -----------------------------------------------------------------------------

def test_docx_styles_and_signature(canon: dict[str, Canonical]) -> None:
    c = canon["docx"]
    assert c.headings[0] == (0, 1) and c.text.startswith("临安区教育事业发展“十四五”规划\n")
    levels = {c.text[o: c.text.index("\n", o)]: lvl for o, lvl in c.headings}
    assert levels["二、发展目标"] == 1 and levels["(二)总体目标"] == 2
    assert c.text.splitlines()[-1] == "杭州市临安区教育局 2022年7月"


def test_docx_merged_cells_and_padding(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_paragraph("前文。")
    t = d.add_table(rows=3, cols=3)
    for r in range(3):
        for col in range(3):
            t.cell(r, col).text = f"{r}{col}"
    t.cell(1, 0).merge(t.cell(2, 0))
    t.cell(0, 1).merge(t.cell(0, 2))
    t.cell(1, 1).add_paragraph("第二段")
    d.add_paragraph("后文。")
    path = tmp_path / "m.docx"
    d.save(str(path))
    c = read_any(path)
    assert c.text.splitlines() == ["前文。", "00\t01 02\t01 02", "10 20\t11 第二段\t12", "10 20\t21\t22", "后文。"]
    assert "2 merged table cell(s) repeated in every position they cover" in c.findings


def test_docx_automatic_numbering_is_written_into_the_text(tmp_path: Path) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from plangraph.ingest.formats.numbering import chinese_number

    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, ilvl: int, style: str | None = None) -> None:
        p = d.add_paragraph(text, style=style)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="90"/></w:numPr>'))

    d.add_paragraph("某区教育事业发展“十四五”规划", style="Title")
    numbered("总体要求", 0, "Heading 1")
    numbered("指导思想", 1, "Heading 2")
    d.add_paragraph("坚持立德树人。")
    numbered("发展目标", 1, "Heading 2")
    numbered("学前教育普及普惠", 2)
    numbered("义务教育优质均衡", 2)
    numbered("主要任务", 0, "Heading 1")
    numbered("优化资源布局", 1, "Heading 2")
    path = tmp_path / "numbered.docx"
    d.save(str(path))
    lines = read_any(path).text.splitlines()
    assert lines[1:] == ["一、总体要求", "（一）指导思想", "坚持立德树人。", "（二）发展目标", "1.学前教育普及普惠",
                         "2.义务教育优质均衡", "二、主要任务", "（一）优化资源布局"]
    doc = ingest_file(path)
    assert [(s.level, s.title) for s in doc.sections if s.level <= 2] == [
        (1, "总体要求"), (2, "指导思想"), (2, "发展目标"), (1, "主要任务"), (2, "优化资源布局")]
    assert any("numbered by Word's automatic numbering" in f.message for f in doc.findings)
    assert [chinese_number(n) for n in (1, 10, 12, 20, 35, 105)] == ["一", "十", "十二", "二十", "三十五", "一百零五"]


# --- PDF ------------------------------------------------------------------------------

def test_pdf_page_chrome_and_repeated_headers(canon: dict[str, Canonical]) -> None:
    c = canon["pdf"]
    assert "—" not in "".join(ln for ln in c.text.splitlines() if len(ln) < 10)
    assert c.text.count("序号\t项目名称\t建设规模") == 2  # two tables; the repeat after a page break dropped
    crossing = [p for p in c.pages[1:] if c.text[p - 1] != "\n"]
    assert crossing  # paragraphs that run over a page break are one line
    for p in crossing:
        assert c.page_of(c.text.rfind("\n", 0, p) + 1) == c.page_of(p) - 1


# --- files that cannot be read -------------------------------------------------------

@pytest.mark.parametrize(("name", "error", "message"), [
    (f"{STEM}.scanned.pdf", NoTextLayerError, r"scanned.pdf: no text layer: 1 of 1 page\(s\) are images only"),
    ("encrypted.pdf", EncryptedFileError, "encrypted.pdf: the PDF is encrypted"),
    ("corrupt.docx", CorruptFileError, "corrupt.docx: not a readable .docx file"),
    ("chrome-only.html", EmptyDocumentError, "chrome-only.html: no text left"),
])
def test_unreadable_files_are_clear_errors(name: str, error: type[FormatError], message: str, no_ocr: None) -> None:
    with pytest.raises(error, match=message) as info:
        ingest_file(FIXTURES / name)
    assert isinstance(info.value, InputError) and info.value.hint


def test_scanned_pdf_is_skipped_and_the_rest_build(tmp_path: Path, no_ocr: None) -> None:
    """Without the ``ocr`` extra (tests/test_ocr.py reads the scan with it)."""
    for name in (f"{STEM}.scanned.pdf", "chrome-only.html"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    shutil.copy(RAW, tmp_path / "linan.txt")
    (tmp_path / "notes.xls").write_text("x")
    got, failures = ingest_files([tmp_path])
    assert [d.plan_id for d in got] == ["linan"]
    assert sorted(Path(f.path).name for f in failures) == ["chrome-only.html", f"{STEM}.scanned.pdf"]
    assert "OCR" in (next(f for f in failures if f.path.endswith(".pdf")).error.hint or "")


def test_unsupported_files(tmp_path: Path) -> None:
    doc = tmp_path / "plan.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(UnsupportedFormatError, match="plan.doc: a legacy binary Office file"):
        ingest_file(doc)
    odd = tmp_path / "plan.xls"
    odd.write_text("x")
    with pytest.raises(UnsupportedFormatError, match=r"unknown file type '.xls'; choose one of: .txt, .text, .html"):
        ingest_file(odd)
    damaged = bytearray((FIXTURES / f"{STEM}.docx").read_bytes())
    at = damaged.index(b"word/document.xml") + 200  # inside the compressed body
    damaged[at:at + 40] = bytes(40)
    (tmp_path / "damaged.docx").write_bytes(bytes(damaged))
    with pytest.raises(CorruptFileError, match="damaged.docx: not a readable .docx file"):
        ingest_file(tmp_path / "damaged.docx")
    cut = tmp_path / "cut.pdf"
    cut.write_bytes((FIXTURES / f"{STEM}.pdf").read_bytes()[:3000])
    with pytest.raises((CorruptFileError, NoTextLayerError)):
        ingest_file(cut)
