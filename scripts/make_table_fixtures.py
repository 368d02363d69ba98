"""Write the Word and PDF layouts of the table generalisation set (tests/data/tables/).

The text and HTML layouts there are written by hand; these two need a program:

* ``14-docx-merged-sections.docx``: an indicator table as Word lays it out, with
  section rows merged across the table (gridSpan), categories merged down (vMerge),
  units inside the names (（万人）) and two target years (2023年, 2025年).
* ``15-pdf-projects-page-break.pdf``: a ruled project table that runs over a page
  break, repeats its header row on the next page, with page-number footers.
* ``17-pdf-unruled-table.pdf``: an indicator table drawn without ruling lines, so a
  PDF reader finds no grid and gives each row as one line of words.

Run once and commit the output (the tests read the files and need none of this)::

    python scripts/make_table_fixtures.py [--out tests/data/tables] [--font FONT]

Needs python-docx, reportlab and a CJK TrueType font for the PDF (``--font``; default
WenQuanYi Micro Hei from Debian ``fonts-wqy-microhei``,
``/usr/share/fonts/truetype/wqy/wqy-microhei.ttc``, Apache-2.0/GPL-3). Nothing is
downloaded.
"""

from __future__ import annotations

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

DOCX_ROWS = [  # section, category, name, unit, 2020, 2023, 2025, binding
    ("一、教育普及", "学前", "学前教育在园幼儿数（万人）", "", "1.52", "1.60", "1.65", "预期性"),
    ("一、教育普及", "学前", "学前三年毛入园率", "%", "97.2", "98", "98.5", "预期性"),
    ("一、教育普及", "义务", "义务教育巩固率", "%", "99.1", "99.3", "99.5", "约束性"),
    ("二、教育保障", "经费", "生均公用经费（元）", "", "850", "950", "1050", "约束性"),
    ("二、教育保障", "师资", "专任教师本科以上学历比例", "%", "88", "≥92", "≥95", "预期性"),
    ("二、教育保障", "师资", "县级以上骨干教师数（人）", "", "420", "500", "600", "预期性"),
]
PDF_ROWS = [(str(n), f"{place}{kind}", scale, place_of, years, money) for n, (place, kind, scale, place_of, years, money) in
            enumerate([
                ("城西", "第一幼儿园", "12班幼儿园", "城西街道", "2021-2022", "3600"),
                ("城西", "实验小学", "36班小学", "城西街道", "2021-2023", "12800"),
                ("河口", "中心幼儿园", "9班幼儿园", "河口镇", "2022-2023", "2500"),
                ("河口", "初级中学", "24班初中", "河口镇", "2022-2024", "9800"),
                ("高桥", "小学", "18班小学", "高桥镇", "2023-2024", "6200"),
                ("高桥", "幼儿园", "6班幼儿园", "高桥镇", "2023-2024", "1800"),
                ("新城", "九年一贯制学校", "45班九年一贯制", "新城片区", "2022-2025", "32000"),
                ("新城", "第二幼儿园", "15班幼儿园", "新城片区", "2024-2025", "4500"),
                ("凤凰", "高级中学", "48班高中", "凤凰街道", "2021-2024", "45000"),
                ("凤凰", "小学扩建", "新增12班", "凤凰街道", "2023-2024", "3900"),
                ("柳溪", "中学改造", "校舍改造1.5万平方米", "柳溪乡", "2021", "1500"),
                ("柳溪", "中心小学", "24班小学", "柳溪乡", "2024-2025", "8800"),
            ], start=1)]


def write_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("清河县教育事业发展“十四五”规划", style="Title")
    d.add_paragraph("二、发展目标", style="Heading 1")
    d.add_paragraph("到2025年，全县教育发展主要指标如下表。")
    d.add_paragraph("清河县“十四五”教育发展主要指标表")
    header = ["类别", "指标", "单位", "2020年", "2023年", "2025年", "属性"]
    rows: list[list[str]] = [header]
    section = None
    for sec, cat, name, unit, a, b, c, bind in DOCX_ROWS:
        if sec != section:
            rows.append([sec] * len(header))
            section = sec
        rows.append([cat, name, unit, a, b, c, bind])
    t = d.add_table(rows=len(rows), cols=len(header))
    t.style = "Table Grid"
    for r, row in enumerate(rows):
        if len(set(row)) == 1:  # a section row: one cell across the table
            t.cell(r, 0).merge(t.cell(r, len(header) - 1)).text = row[0]
            continue
        for c, text in enumerate(row):
            t.cell(r, c).text = text
    # categories merged down the rows that share them
    r = 1
    while r < len(rows):
        end = r
        while end + 1 < len(rows) and len(set(rows[end + 1])) > 1 and rows[end + 1][0] == rows[r][0] \
                and len(set(rows[r])) > 1:
            end += 1
        if end > r:
            t.cell(r, 0).merge(t.cell(end, 0)).text = rows[r][0]
        r = end + 1
    d.add_paragraph("三、主要任务", style="Heading 1")
    d.add_paragraph("坚持优先发展教育，推动全县教育高质量发展。")
    d.core_properties.author = "清河县教育局"
    d.save(str(path))


def write_pdf(path: Path, font: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1  # no timestamps or random ids: rebuilding gives the same bytes
    pdfmetrics.registerFont(TTFont("CJK", str(font), subfontIndex=0))
    body = ParagraphStyle("body", fontName="CJK", fontSize=10.5, leading=16, firstLineIndent=21, wordWrap="CJK")
    title = ParagraphStyle("title", fontName="CJK", fontSize=18, leading=26, alignment=1, spaceAfter=8)
    h1 = ParagraphStyle("h1", fontName="CJK", fontSize=14, leading=22, spaceBefore=6)
    cap = ParagraphStyle("caption", fontName="CJK", fontSize=11, leading=18, alignment=1, spaceBefore=6)
    cell = ParagraphStyle("cell", fontName="CJK", fontSize=9, leading=12, wordWrap="CJK")
    filler = ("坚持以人民为中心的发展思想，统筹城乡教育资源配置，加快补齐学位缺口，"
              "推动学校布局与人口变化相适应，让每个孩子都能享有公平而有质量的教育。")
    story: list[object] = [Paragraph("河口县教育事业发展“十四五”规划", title),
                           Paragraph("五、重点建设项目", h1)]
    story += [Paragraph(filler, body) for _ in range(14)]
    story.append(Paragraph("河口县“十四五”学校建设项目表", cap))
    header = ["序号", "项目名称", "建设规模", "建设地点", "起止年限", "总投资(万元)"]
    data = [[Paragraph(x, cell) for x in header]] + [[Paragraph(x, cell) for x in row] for row in PDF_ROWS]
    total = 170 * mm
    tbl = Table(data, colWidths=[total * x for x in (0.08, 0.27, 0.22, 0.15, 0.14, 0.14)], repeatRows=1)
    tbl.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [tbl, Spacer(1, 6), Paragraph("六、保障措施", h1), Paragraph(filler, body)]

    def footer(canvas: object, doc: object) -> None:
        canvas.setFont("CJK", 9)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")  # type: ignore[attr-defined]

    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=22 * mm,
                      bottomMargin=22 * mm, title="河口县教育事业发展“十四五”规划").build(
        story, onFirstPage=footer, onLaterPages=footer)


UNRULED_ROWS = [  # name, unit, 2020, 2025, binding
    ("学前三年毛入园率", "%", "97.5", "98以上", "预期性"),
    ("普惠性幼儿园在园幼儿占比", "%", "86", "90", "约束性"),
    ("义务教育巩固率", "%", "99.2", "99.5", "约束性"),
    ("高中阶段教育毛入学率", "%", "96.1", "98", "预期性"),
    ("每十万人口高等教育在校生数", "人", "2150", "2600", "预期性"),
]


def write_unruled_pdf(path: Path, font: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    rl_config.invariant = 1
    pdfmetrics.registerFont(TTFont("CJK", str(font), subfontIndex=0))
    body = ParagraphStyle("body", fontName="CJK", fontSize=10.5, leading=16, firstLineIndent=21, wordWrap="CJK")
    title = ParagraphStyle("title", fontName="CJK", fontSize=18, leading=26, alignment=1, spaceAfter=8)
    h1 = ParagraphStyle("h1", fontName="CJK", fontSize=14, leading=22, spaceBefore=6)
    data = [["指标", "单位", "2020年", "2025年", "属性"], *UNRULED_ROWS]
    tbl = Table(data, colWidths=[70 * mm, 20 * mm, 25 * mm, 25 * mm, 25 * mm])
    tbl.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "CJK", 10)]))  # no GRID: an unruled table
    story = [Paragraph("长宁县教育事业发展“十四五”规划", title), Paragraph("二、发展目标", h1),
             Paragraph("到2025年，全县教育发展主要指标如下表。", body), tbl,
             Paragraph("三、主要任务", h1), Paragraph("坚持立德树人，全面提高教育质量。", body)]
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=22 * mm,
                      bottomMargin=22 * mm, title="长宁县教育事业发展“十四五”规划").build(story)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "tables")
    ap.add_argument("--font", type=Path, default=DEFAULT_FONT)
    args = ap.parse_args()
    write_docx(args.out / "14-docx-merged-sections.docx")
    write_pdf(args.out / "15-pdf-projects-page-break.pdf", args.font)
    write_unruled_pdf(args.out / "17-pdf-unruled-table.pdf", args.font)


if __name__ == "__main__":
    main()
