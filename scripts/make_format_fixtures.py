"""Write the Lin'an plan as HTML, DOCX and PDF fixtures (plus negative fixtures).

Source: ``corpus/linan-2022-education-14th-fyp.raw.txt`` (first copy of the page text).
Its structure comes from plangraph's own pipeline: page header fields from the chrome
stage, tables rebuilt by ``find_tables`` (flattened cells → rows), heading lines from
``match_heading``. Cell texts are kept exactly as found (glued cells included).

Run once and commit the output::

    .venv/bin/python scripts/make_format_fixtures.py [--src RAW.txt] [--out tests/data/formats/]

Needs: plangraph (read only), python-docx, reportlab, Pillow, and a CJK TrueType font
for the PDFs (``--font``; default: WenQuanYi Micro Hei from Debian ``fonts-wqy-microhei``,
``/usr/share/fonts/truetype/wqy/wqy-microhei.ttc``, Apache-2.0/GPL-3). Nothing is
downloaded. The tests read the committed files and need none of this.
"""

from __future__ import annotations

import argparse
import html
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT / "corpus" / "linan-2022-education-14th-fyp.raw.txt"
DEFAULT_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


# --- the plan as blocks ------------------------------------------------------------

@dataclass(frozen=True)
class Heading:
    level: int  # 1: 一、 2: (一) 3: 1. on its own line
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class TableBlock:
    title: str
    kind: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    groups: tuple[str | None, ...] = ()
    sublabels: tuple[str | None, ...] = ()


@dataclass
class Plan:
    title: str
    header: list[tuple[str, str]]
    blocks: list[Heading | Para | TableBlock] = field(default_factory=list)


def load_plan(src: Path) -> Plan:
    """The first copy of the Lin'an page text as headings, paragraphs and tables."""
    from plangraph.ingest.chrome import strip_chrome
    from plangraph.ingest.layout import match_heading, split_lines
    from plangraph.ingest.tables import find_tables
    from plangraph.text import normalize

    original = src.read_text(encoding="utf-8")
    chrome = strip_chrome(split_lines(normalize(original)))
    body = chrome.body
    tables, _ = find_tables(body, "linan", original)
    plan = Plan(body[0].text, list(chrome.header))
    spans = {start: (end, table) for start, end, table in tables}
    i = 1
    while i < len(body):
        if i in spans:
            end, t = spans[i]
            plan.blocks.append(TableBlock(
                t.title, t.kind, t.columns,
                tuple(tuple(c.value if c else None for c in r.cells) for r in t.rows),
                tuple(r.group.value if r.group else None for r in t.rows),
                tuple(r.sublabel.value if r.sublabel else None for r in t.rows)))
            i = end
            continue
        text = original[body[i].start:body[i].end].strip()
        h = match_heading(body[i].text)
        if h is not None and not h.inline and h.style in ("cn", "paren", "arabic"):
            plan.blocks.append(Heading({"cn": 1, "paren": 2, "arabic": 3}[h.style], text))
        else:
            plan.blocks.append(Para(text))
        i += 1
    return plan


# --- table layouts shared by HTML, DOCX and PDF ----------------------------------------

@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


def table_layout(t: TableBlock) -> list[list[Cell]]:
    """Source rows with spans. The indicator table is laid out as the page had it:
    类型 merged down its rows, 指标 over two columns (name, sub-label) with the name
    merged down its sub-rows (校际优质均衡系数: 小学 / 初中)."""
    if t.kind != "indicator":
        return [[Cell(c, header=True) for c in t.columns]] + [
            [Cell(c or "") for c in row] for row in t.rows]
    out: list[list[Cell]] = [[Cell("类型", header=True), Cell("指标", colspan=2, header=True),
                              Cell("2025", header=True), Cell("指标属性", header=True)]]
    n = len(t.rows)
    for r, row in enumerate(t.rows):
        cat, name, value, binding = row
        cells: list[Cell] = []
        if r == 0 or t.groups[r] != t.groups[r - 1]:
            span = 1
            while r + span < n and t.groups[r + span] == t.groups[r]:
                span += 1
            cells.append(Cell(t.groups[r] or cat or "", rowspan=span))
        sub = t.sublabels[r]
        if sub is None:
            cells.append(Cell(name or "", colspan=2))
        else:
            first = r == 0 or t.sublabels[r - 1] is None or t.rows[r - 1][1] != name
            if first:
                span = 1
                while r + span < n and t.sublabels[r + span] is not None and t.rows[r + span][1] == name:
                    span += 1
                cells.append(Cell(name or "", rowspan=span))
            cells.append(Cell(sub))
        cells += [Cell(value or ""), Cell(binding or "")]
        out.append(cells)
    return out


# --- HTML ----------------------------------------------------------------------------

_NAV = ["首页", "政务公开", "政务服务", "互动交流", "走进临安", "专题专栏"]


def write_html(plan: Plan, path: Path) -> None:
    e = html.escape
    out: list[str] = []
    w = out.append
    w('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
      f'<title>{e(plan.title)}_区教育局_杭州市临安区人民政府</title>\n'
      '<style>body{font-family:SimSun} .nav li{display:inline} #zoom p{text-indent:2em}</style>\n'
      '<script>var _hmt=_hmt||[];(function(){var hm=document.createElement("script");})();</script>\n'
      '</head>\n<body>\n')
    w('<div class="top-bar"><span>无障碍浏览</span> | <span>长者模式</span></div>\n')
    w('<header class="header"><div class="logo">杭州市临安区人民政府</div>'
      '<div class="search"><input type="text" placeholder="请输入关键字"><button>搜索</button></div></header>\n')
    w('<nav class="nav"><ul>' + "".join(f'<li><a href="#">{x}</a></li>' for x in _NAV) + "</ul></nav>\n")
    w('<div class="breadcrumb">当前位置:<a href="#">首页</a> &gt; <a href="#">政务公开</a> &gt; 规划信息</div>\n')
    w('<div class="main">\n<table class="xxgk-info" width="100%">\n')
    pairs = [p for p in plan.header if p[0] not in ("日期", "来源")]
    for a, b in zip(pairs[::2], pairs[1::2]):
        w(f"<tr><td>{e(a[0])}</td><td>{e(a[1])}</td><td>{e(b[0])}</td><td>{e(b[1])}</td></tr>\n")
    w("</table>\n")
    w(f'<h1 class="article-title">{e(plan.title)}</h1>\n')
    meta = dict(plan.header)
    w(f'<div class="article-info">日期:{e(meta.get("日期", ""))}&nbsp;&nbsp;来源:{e(meta.get("来源", ""))}'
      '&nbsp;&nbsp;浏览量:<span id="views"></span></div>\n')
    w('<div id="zoom" class="TRS_Editor">\n')
    in_br_div = False
    for n, block in enumerate(plan.blocks):
        if in_br_div and not isinstance(block, Para):
            w("</div>\n")
            in_br_div = False
        if isinstance(block, Heading):
            if block.level == 1:
                w(f"<h2>{e(block.text)}</h2>\n")
            elif block.level == 2:
                w(f"<p><strong>{e(block.text)}</strong></p>\n")
                # paragraphs of (二)机遇与挑战 as one <div> with <br> between them
                if block.text.endswith("机遇与挑战"):
                    w("<div>")
                    in_br_div = True
            else:
                w(f"<p>{e(block.text)}</p>\n")
        elif isinstance(block, Para):
            if in_br_div:
                w(f"&nbsp;&nbsp;&nbsp;&nbsp;{e(block.text)}<br/><br/>\n")
            else:
                # long paragraphs wrapped in the source, as editors save them
                body = "\n".join(e(x) for x in textwrap.wrap(block.text, 60)) if n % 3 == 0 else e(block.text)
                w(f'<p style="text-indent:2em;">{body}</p>\n')
        else:
            w(_html_table(block))
    if in_br_div:
        w("</div>\n")
    w("</div>\n")
    w('<div class="share">分享:<a href="#">微信</a><a href="#">微博</a></div>\n'
      '<div class="fontsize">字体:[<a>大</a> <a>中</a> <a>小</a>] <a onclick="window.print()">[打印]</a></div>\n'
      '</div>\n<footer class="footer"><p>主办:杭州市临安区人民政府办公室 版权所有</p>'
      '<p>浙ICP备00000000号 浙公网安备 00000000000000号</p></footer>\n'
      '<script src="/js/stat.js"></script>\n</body>\n</html>\n')
    path.write_text("".join(out), encoding="utf-8")


def _html_table(t: TableBlock) -> str:
    e = html.escape
    layout = table_layout(t)
    parts = []
    if t.kind == "project" and t.title.startswith("中小学"):
        parts.append(f'<table border="1" cellspacing="0" cellpadding="0">\n<caption>{e(t.title)}</caption>\n')
    else:
        parts.append(f'<p style="text-align:center;"><strong>{e(t.title)}</strong></p>\n'
                     '<table border="1" cellspacing="0" cellpadding="0" style="width:100%">\n')
    parts.append("<tbody>\n")
    for row in layout:
        parts.append("<tr>")
        for c in row:
            tag = "th" if c.header else "td"
            attrs = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (f' colspan="{c.colspan}"' if c.colspan > 1 else "")
            text = e(c.text)
            # a unit on its own line, as the page set it
            text = text.replace("(元/生)", "<br/>(元/生)") if "经费" in text else text
            parts.append(f'<{tag}{attrs}><p style="text-align:center">{text or "&nbsp;"}</p></{tag}>')
        parts.append("</tr>\n")
    parts.append("</tbody>\n</table>\n")
    return "".join(parts)


# --- DOCX ----------------------------------------------------------------------------

def write_docx(plan: Plan, path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "杭州市临安区教育局"
    d.sections[0].footer.paragraphs[0].text = "— 1 —"
    d.add_paragraph(plan.title, style="Title")
    for block in plan.blocks:
        if isinstance(block, Heading):
            d.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            d.add_paragraph(block.text)
        else:
            cap = d.add_paragraph(block.title)
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _docx_table(d, block)
    d.add_paragraph("杭州市临安区教育局\t2022年7月")
    d.save(str(path))


def _docx_table(d: object, t: TableBlock) -> None:
    layout = table_layout(t)
    width = sum(c.colspan for c in layout[0])
    table = d.add_table(rows=len(layout), cols=width)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(layout):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            target = table.cell(r, c)
            target.text = cell.text
            if cell.rowspan > 1 or cell.colspan > 1:
                target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan


# --- PDF -----------------------------------------------------------------------------

def _register_font(font: Path) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("CJK", str(font), subfontIndex=0))
    return "CJK"


def write_pdf(plan: Plan, path: Path, font: Path) -> None:
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    rl_config.invariant = 1  # no timestamps or random ids: rebuilding gives the same bytes
    name = _register_font(font)
    body = ParagraphStyle("body", fontName=name, fontSize=10.5, leading=16, firstLineIndent=21, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=name, fontSize=9, leading=12, wordWrap="CJK")
    h = {0: ParagraphStyle("title", fontName=name, fontSize=18, leading=26, alignment=1, spaceAfter=8),
         1: ParagraphStyle("h1", fontName=name, fontSize=14, leading=22, spaceBefore=6),
         2: ParagraphStyle("h2", fontName=name, fontSize=12, leading=19, spaceBefore=4),
         3: ParagraphStyle("h3", fontName=name, fontSize=10.5, leading=16, firstLineIndent=21)}
    caption = ParagraphStyle("caption", fontName=name, fontSize=11, leading=18, alignment=1, spaceBefore=6)
    story: list[object] = [Paragraph(html.escape(plan.title), h[0])]
    for block in plan.blocks:
        if isinstance(block, Heading):
            story.append(Paragraph(html.escape(block.text), h[block.level]))
        elif isinstance(block, Para):
            story.append(Paragraph(html.escape(block.text), body))
        else:
            story.append(Paragraph(html.escape(block.title), caption))
            layout = table_layout(block)
            width = sum(c.colspan for c in layout[0])
            data: list[list[object]] = [["" for _ in range(width)] for _ in layout]
            spans = []
            taken: set[tuple[int, int]] = set()
            for r, row in enumerate(layout):
                c = 0
                for cl in row:
                    while (r, c) in taken:
                        c += 1
                    data[r][c] = Paragraph(html.escape(cl.text), cell)
                    if cl.rowspan > 1 or cl.colspan > 1:
                        spans.append(("SPAN", (c, r), (c + cl.colspan - 1, r + cl.rowspan - 1)))
                    for dr in range(cl.rowspan):
                        for dc in range(cl.colspan):
                            taken.add((r + dr, c + dc))
                    c += cl.colspan
            total = 170 * mm
            widths = {2: [0.3, 0.7], 5: [0.14, 0.38, 0.14, 0.17, 0.17],
                      6: [0.07, 0.3, 0.2, 0.15, 0.14, 0.14]}.get(width, [1 / width] * width)
            tbl = Table(data, colWidths=[total * x for x in widths], repeatRows=1)
            tbl.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                     ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), *spans]))
            story += [tbl, Spacer(1, 6)]

    def footer(canvas: object, doc: object) -> None:
        canvas.setFont(name, 9)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, 12 * mm, f"— {doc.page} —")  # type: ignore[attr-defined]

    doc = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=22 * mm, bottomMargin=22 * mm, title=plan.title,
                            author="杭州市临安区教育局")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)


def write_scanned_pdf(plan: Plan, path: Path, font: Path) -> None:
    """A 'scan': the first lines of the plan drawn into a 1-bit image, no text layer."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("1", (827, 1169), 1)  # A4 at 100 dpi
    draw = ImageDraw.Draw(img)
    big, small = ImageFont.truetype(str(font), 28), ImageFont.truetype(str(font), 16)
    draw.text((120, 90), plan.title, font=big, fill=0)
    y = 160
    for block in plan.blocks[:12]:
        text = block.text if isinstance(block, (Para, Heading)) else block.title
        for line in textwrap.wrap(text, 36):
            draw.text((90, y), line, font=small, fill=0)
            y += 24
        if y > 1080:
            break
    img.save(str(path), "PDF", resolution=100.0)


def write_encrypted_pdf(path: Path, font: Path) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    name = _register_font(font)
    enc = pdfencrypt.StandardEncryption("secret", canPrint=0)
    c = canvas.Canvas(str(path), encrypt=enc)
    c.setFont(name, 14)
    c.drawString(72, 760, "临安区教育事业发展“十四五”规划")
    c.save()


def write_negatives(out: Path, font: Path) -> None:
    (out / "corrupt.docx").write_bytes(b"PK\x03\x04" + b"\x00this is not a zip archive" * 8)
    (out / "chrome-only.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>临安区人民政府</title>'
        "<script>var a=1;</script></head><body><nav class=\"nav\"><a>首页</a><a>政务公开</a></nav>"
        '<div class="breadcrumb">当前位置:首页</div><footer>版权所有</footer></body></html>\n',
        encoding="utf-8")
    write_encrypted_pdf(out / "encrypted.pdf", font)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC)
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "formats")
    ap.add_argument("--font", type=Path, default=DEFAULT_FONT)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.font.exists():
        raise SystemExit(f"error: CJK font {args.font} not found (apt-get install fonts-wqy-microhei, or pass --font)")
    plan = load_plan(args.src)
    stem = "linan-2022-education-14th-fyp"
    write_html(plan, args.out / f"{stem}.html")
    write_docx(plan, args.out / f"{stem}.docx")
    write_pdf(plan, args.out / f"{stem}.pdf", args.font)
    write_scanned_pdf(plan, args.out / f"{stem}.scanned.pdf", args.font)
    write_negatives(args.out, args.font)
    for f in sorted(args.out.iterdir()):
        print(f"{f.stat().st_size:>9,d}  {f.name}")


if __name__ == "__main__":
    main()
