"""Where plangraph's own files are: the packaged data (glossary, dictionaries, concept
lists, named queries) and the ontology.

Every reader of those files goes through here, so a file moves in one place.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from plangraph.errors import PlanGraphError


def data_text(name: str) -> str:
    """The text of ``plangraph/data/NAME`` (UTF-8)."""
    return resources.files("plangraph").joinpath("data", name).read_text(encoding="utf-8")


def data_lines(name: str) -> list[list[str]]:
    """The tab-separated rows of a data file, blank lines and ``#`` comments left out."""
    return [line.split("\t") for line in data_text(name).splitlines()
            if line.strip() and not line.startswith("#")]


@contextmanager
def data_file(name: str) -> Iterator[Path]:
    """A real path to ``plangraph/data/NAME`` for libraries that want one (jieba)."""
    with resources.as_file(resources.files("plangraph").joinpath("data", name)) as path:
        yield Path(path)


def data_files(suffix: str) -> list[tuple[str, str]]:
    """``(name, text)`` of every data file ending in ``suffix``, by name."""
    folder = resources.files("plangraph").joinpath("data")
    return [(e.name, e.read_text(encoding="utf-8"))
            for e in sorted(folder.iterdir(), key=lambda e: e.name) if e.name.endswith(suffix)]


ONTOLOGY_FILES: tuple[str, ...] = ("plangraph.ttl", "concepts.ttl", "indicator-scheme.ttl")
"""The ontology and the concept schemes, in the order they are loaded into the ontology graph."""


def ontology_dir() -> Path:
    """The folder holding ``plangraph.ttl``, ``concepts.ttl`` and ``shapes.ttl``: the
    source checkout's ``ontology/``, else where a wheel installs it."""
    places = (Path(__file__).resolve().parents[2] / "ontology", Path(sys.prefix) / "share" / "plangraph" / "ontology")
    for here in places:
        if (here / "plangraph.ttl").is_file():
            return here
    raise PlanGraphError(f"ontology files not found in {' or '.join(map(str, places))}",
                         hint="reinstall plangraph (pip install .), or run it from a source checkout")
