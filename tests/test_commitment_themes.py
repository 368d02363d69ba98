"""The plan × theme matrix of commitments and "which plans commit to a theme", on the
four real plans: counts against extraction, the strongest commitment's quote, the
rows read from each plan's stored view, the command and its exports."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from plangraph.errors import UsageError
from plangraph.extract.pipeline import extract
from plangraph.graph import sparql as sparql_module
from plangraph.interfaces.cli import main
from plangraph.model import PlanDoc
from plangraph.workspace import Workspace

NATIONAL_2035 = "national-china-education-modernization-2035"


@pytest.fixture(scope="module")
def ws(four_plan_index: Path) -> Workspace:
    return Workspace(four_plan_index)


def _tagged(doc: PlanDoc, key: str) -> list[tuple[int, int, bool]]:
    return [(c.evidence.start, c.evidence.end, bool(c.quantities)) for c in extract(doc).commitments
            if key in c.themes or key in c.target_groups]


def test_a_cell_counts_the_plans_commitments_on_the_theme(ws: Workspace, linan: PlanDoc) -> None:
    matrix = ws.theme_matrix()
    assert matrix.plans == ws.plan_ids
    for key in ("rural-teachers", "teachers", "preschool", "finance"):
        tagged = _tagged(linan, key)
        assert tagged, key
        cell = matrix.cell("linan", key)
        assert cell.count == len(tagged), key
        assert (cell.start, cell.end) in {(s, e) for s, e, _ in tagged}
        assert linan.original[cell.start:cell.end] == cell.quote  # type: ignore[misc]
        # the strongest states a quantity when any of the cell's commitments does
        assert cell.quantified == any(q for _, _, q in tagged), key


def test_which_plans_commit_ranks_by_count_and_puts_plans_without_last(ws: Workspace) -> None:
    cells = ws.committing_to("乡村教师")  # by Chinese label; the key answers the same
    assert [c.row() for c in cells] == [c.row() for c in ws.committing_to("rural-teachers")]
    assert [c.count for c in cells] == sorted((c.count for c in cells), reverse=True)
    assert cells[0].plan == "linan" and cells[0].count >= 5 and "乡村教师" in cells[0].quote
    assert cells[-1].plan == "linping" and cells[-1].count == 0 and cells[-1].quote == ""
    assert {c.plan for c in cells} == set(ws.plan_ids)


def test_the_matrix_is_read_from_the_plans_stored_rows(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = ws.theme_matrix(schemes=("target-groups",))

    def no_engine(*args: object, **kwargs: object) -> None:
        raise AssertionError("the store was asked")

    monkeypatch.setattr(sparql_module, "run_named", no_engine)
    again = ws.theme_matrix(schemes=("target-groups",))
    assert again.cells == expected.cells and {t.scheme for t in again.themes} == {"target-groups"}


def test_narrowing_and_bad_names(ws: Workspace) -> None:
    one = ws.theme_matrix(plans=["linping"])
    assert one.plans == ("linping",) and one.count("linping", "teachers") == \
        ws.theme_matrix().count("linping", "teachers") > 5
    with pytest.raises(UsageError, match="unknown theme '没有'"):
        ws.committing_to("没有")
    with pytest.raises(UsageError, match="unknown theme scheme 'topics'; choose one of: stages, themes"):
        ws.theme_matrix(schemes=("topics",))
    with pytest.raises(UsageError, match="nosuch"):
        ws.theme_matrix(plans=["nosuch"])


def test_the_command_prints_and_exports_the_matrix(ws: Workspace, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    matrix = ws.theme_matrix()
    assert main(["commitments", "--matrix", "--index", str(ws.path), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["plan"] for r in rows] == list(ws.plan_ids)
    by_plan = {r["plan"]: r for r in rows}
    assert int(by_plan[NATIONAL_2035]["higher"]) == matrix.count(NATIONAL_2035, "higher") > 20
    assert int(by_plan["linping"]["higher"]) == matrix.count("linping", "higher")

    out = tmp_path / "matrix.xlsx"
    assert main(["commitments", "--matrix", "--index", str(ws.path), "--format", "xlsx", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    from openpyxl import load_workbook

    book = load_workbook(out)
    assert book.sheetnames == ["matrix", "cells"]
    assert book["cells"].max_row == len(matrix.cells) + 1

    assert main(["commitments", "--theme", "乡村教师", "--index", str(ws.path), "--format", "json"]) == 0
    plans = json.loads(capsys.readouterr().out)["plans"]
    assert [p["plan"] for p in plans][-1] == "linping" and plans[0]["quote"]

    assert main(["commitments", "--theme", "乡村教师", "--index", str(ws.path)]) == 0
    assert "乡村教师: 3 of 4 plans commit" in capsys.readouterr().out
    assert main(["commitments", "--index", str(ws.path)]) == 1
    assert "needs a phrase, --matrix or --theme" in capsys.readouterr().err


def test_one_theme_from_its_own_rows_is_the_matrix_column(four_plan_index: Path) -> None:
    fresh = Workspace(four_plan_index)  # nothing made yet: the theme's stored rows alone
    alone = [c.row() for c in fresh.committing_to("教师队伍")]
    fresh.theme_matrix()
    assert alone == [c.row() for c in fresh.committing_to("教师队伍")]
    assert [r["plan"] for r in alone if r["count"]] and all(r["quote"] for r in alone if r["count"])
