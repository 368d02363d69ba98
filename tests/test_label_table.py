"""One label table: every (中文, English) label of the app, the staff exports and the
entity chips is in ``plangraph.interfaces.labels``; the other modules look up from it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from plangraph.interfaces import labels, present_search, staff
from plangraph.model import EntityRef
from tests.test_architecture import SRC

CJK = re.compile(r"[\u4e00-\u9fff]")


def label_tables(path: Path) -> list[int]:
    """Lines of ``path`` where a dict of three or more (中文, English) pairs or Chinese
    words starts: a label table."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, ast.Dict):
            continue
        pairs = [v for v in node.values if isinstance(v, ast.Tuple) and len(v.elts) == 2
                 and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in v.elts)
                 and CJK.search(v.elts[0].value)]  # type: ignore[attr-defined]
        words = [v for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
                 and CJK.search(v.value)]
        if len(pairs) >= 3 or len(words) >= 3:
            found.append(node.lineno)
    return found


def test_no_module_of_the_interfaces_but_labels_holds_a_label_table() -> None:
    tables = {str(p.relative_to(SRC)): lines for p in sorted((SRC / "interfaces").rglob("*.py"))
              if p.name != "labels.py" and (lines := label_tables(p))}
    assert not tables, f"label tables outside interfaces/labels.py: {tables}"
    assert label_tables(SRC / "interfaces" / "labels.py")


def test_the_table_check_finds_a_table(tmp_path: Path) -> None:
    page = tmp_path / "page.py"
    page.write_text('HEADS = {"a": ("规划", "plan"), "b": ("指标", "indicator"), "c": ("承诺", "commitment")}\n'
                    'ZH = {"strong": "强", "medium": "中", "weak": "弱"}\nMIME = {"csv": "text/csv"}\n', "utf-8")
    assert label_tables(page) == [1, 2]


def test_every_label_a_page_asks_for_is_in_the_table() -> None:
    asked = set()
    for path in (SRC / "interfaces" / "webapp").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                asked.add(node.args[0].value)
    assert len(asked) > 100 and not asked - set(labels.PAGE)


def test_staff_headers_are_the_tables_words() -> None:
    for kind, columns in staff.COLUMNS.items():
        for c in columns:
            assert (c.zh, c.en) == labels.export_header(kind, c.key)
    heads = {kind: {c.key: c.zh for c in cols} for kind, cols in staff.COLUMNS.items()}
    assert heads["indicators"]["name"] == "指标" and heads["projects"]["name"] == "名称"
    assert heads["organizations"]["name"] == "机构" and heads["commitments"]["bodies"] == "责任机构"
    assert staff.KIND_ZH == {"indicators": "指标", "programmes": "任务", "projects": "建设项目",
                             "commitments": "承诺", "organizations": "机构"}
    assert staff.ROLE_ZH == {"baseline": "基期", "target": "目标", "actual": "实际"}


def test_chips_and_sections_name_things_from_the_table() -> None:
    body = EntityRef("x", "Organization", "临安区教育局")
    assert present_search.chip_label(body) == "机构 · 临安区教育局"
    assert present_search.chip_label(body, english=True) == "Body · 临安区教育局"
    assert present_search.chip_label(EntityRef("x", "Unknown", "甲")) == "Unknown · 甲"
    assert present_search.section_label(None) == staff.NO_SECTION == "首个标题之前"
    assert present_search.section_label("", english=True) == "before the first heading"
