"""What the command line writes: every export format to stdout as the file would hold
it, and a missing input file failing the build before any work."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from plangraph.interfaces.cli import main


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
