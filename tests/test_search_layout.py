"""search/ is split by direction: the read side (``plangraph.search.read``) answers
queries, the write side (``plangraph.search.write``) makes and changes an index, and
``plangraph.search`` itself holds what both share (encoders, the index format)."""

from __future__ import annotations

from pathlib import Path

from tests.test_architecture import SRC, imports_of

SEARCH = SRC / "search"


def side_of(module: str) -> str:
    """``plangraph.search.read.fusion`` → ``read``; a shared module → ``shared``."""
    parts = module.split(".")
    return parts[2] if len(parts) > 3 and parts[2] in {"read", "write"} else "shared"


def crossings(paths: list[Path], root: Path = SRC.parent) -> list[str]:
    """Imports from one side to the other, or from a shared module to either side
    (``root`` is the folder that holds ``plangraph/``)."""
    out = []
    for path in paths:
        here = ".".join(path.relative_to(root).with_suffix("").parts)
        for line, target in imports_of(path):
            if not target.startswith("plangraph.search."):
                continue
            mine, theirs = side_of(here), side_of(target)
            if theirs != "shared" and theirs != mine:
                out.append(f"{here}:{line} imports {target} ({mine} → {theirs})")
    return out


def test_the_sides_exist_and_hold_what_they_say() -> None:
    read = {p.stem for p in (SEARCH / "read").glob("*.py")}
    write = {p.stem for p in (SEARCH / "write").glob("*.py")}
    assert {"searcher", "fusion", "scope", "filters"} <= read
    assert {"build", "plan_shard", "ann_update"} <= write
    assert not (read & {p.stem for p in SEARCH.glob("*.py")} - {"__init__"})


def test_read_and_write_sides_never_import_each_other() -> None:
    assert not crossings(sorted(SEARCH.rglob("*.py")))


def test_the_side_check_catches_a_reader_importing_the_writer(tmp_path: Path) -> None:
    folder = tmp_path / "plangraph" / "search" / "read"
    folder.mkdir(parents=True)
    bad = folder / "bad.py"
    bad.write_text("def f():\n    from plangraph.search.write.build import build_index\n", "utf-8")
    shared = tmp_path / "plangraph" / "search" / "format.py"
    shared.write_text("from plangraph.search.read.fusion import fuse\nfrom plangraph.search.index import open_index\n")
    assert crossings([bad, shared], tmp_path) == [
        "plangraph.search.read.bad:2 imports plangraph.search.write.build (read → write)",
        "plangraph.search.format:1 imports plangraph.search.read.fusion (shared → read)"]


def test_the_index_reader_and_the_ann_files_import_one_way() -> None:
    """``index`` attaches ANN files; ``ann`` knows the index only through a protocol."""
    ann = {t for _, t in imports_of(SEARCH / "ann.py")}
    index = {t for _, t in imports_of(SEARCH / "index.py")}
    assert "plangraph.search.ann" in index and "plangraph.search.index" not in ann
