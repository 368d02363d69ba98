"""What the command line writes: every export format to stdout as the file would hold
it, and a missing input file failing the build before any work."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from plangraph.interfaces.cli import main

from .conftest import ROOT


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonld", "ttl", "xlsx"])
def test_stdout_holds_the_bytes_of_the_file(district_index: Path, tmp_path: Path, capfdbinary, fmt: str) -> None:
    out = tmp_path / f"p.{fmt}"
    assert main(["export", "projects", "--index", str(district_index), "--plan", "linan",
                 "--format", fmt, "-o", str(out)]) == 0
    capfdbinary.readouterr()
    assert main(["export", "projects", "--index", str(district_index), "--plan", "linan", "--format", fmt]) == 0
    got = capfdbinary.readouterr().out
    if fmt == "xlsx":  # the workbook records when it was saved: compare its cells
        assert _cells(got) == _cells(out.read_bytes())
    else:
        assert got == out.read_bytes()


def _cells(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return {name: list(book[name].values) for name in book.sheetnames}


def test_csv_export_to_stdout_has_the_bom(district_index: Path, capfdbinary) -> None:
    assert main(["export", "indicators", "--index", str(district_index), "--format", "csv"]) == 0
    assert capfdbinary.readouterr().out.startswith("\ufeff规划,类别,指标,2025 目标".encode())


def test_a_missing_input_fails_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "national/*.txt", "--index", str(tmp_path / "ix"), "--encoder", "fake", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: no such file or folder: national/*.txt")
    assert not (tmp_path / "ix").exists()


def test_build_add_and_remove_summarise_many_plans(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Seven copies of the Linping excerpt under other names: the summary names five
    plans and counts the rest, and sums the entity counts instead of a line per plan."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (ROOT / "corpus" / "linping-education-14th-fyp.excerpt.txt").read_bytes()
    for i in range(7):
        (corpus / f"county-{i}.txt").write_bytes(text)
    index = tmp_path / "ix"
    assert main(["build", str(corpus), "--index", str(index), "--encoder", "fake", "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"built {index}: 7 plan(s)"
    assert out[1] == "  added 7: county-0, county-1, county-2, county-3, county-4 … and 2 more"
    assert out[2].startswith("  7 plans: ") and "commitments" in out[2]
    assert not any(line.startswith("  county-") for line in out)
    extra = tmp_path / "county-7.txt"
    extra.write_bytes(text)
    assert main(["add", str(extra), "--index", str(index), "--encoder", "fake", "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [f"updated {index}: 8 plan(s)", "  added 1: county-7",
                       "  unchanged 7: county-0, county-1, county-2, county-3, county-4 … and 2 more"]
    assert out[3].startswith("  county-7: ")
    assert main(["remove", "county-0", "county-1", "--index", str(index), "--quiet"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [f"updated {index}: 6 plan(s)", "  removed 2: county-0, county-1"]
