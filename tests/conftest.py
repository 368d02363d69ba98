"""Shared fixtures: the real plan texts (district plans in corpus/, national plans in
../shared/plans) ingested once per session."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from plangraph.ingest.pipeline import ingest_file
from plangraph.model import PlanDoc

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED_PLANS = Path(os.environ.get("PLANGRAPH_SHARED", ROOT.parent / "shared")) / "plans"
LINAN = CORPUS / "linan-2022-education-14th-fyp.raw.txt"
LINPING = CORPUS / "linping-education-14th-fyp.excerpt.txt"
NATIONAL_2010 = SHARED_PLANS / "national-education-reform-outline-2010-2020.txt"
NATIONAL_2035 = SHARED_PLANS / "national-china-education-modernization-2035.txt"


def shared_file(path: Path) -> Path:
    """A file from ../shared; missing is a failure in CI and a skip elsewhere."""
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI runs with ../shared beside the checkout")
        pytest.skip(f"{path} not available (set PLANGRAPH_SHARED)")
    return path


@pytest.fixture(scope="session")
def linan() -> PlanDoc:
    return ingest_file(LINAN)


@pytest.fixture(scope="session")
def linping() -> PlanDoc:
    return ingest_file(LINPING)


@pytest.fixture(scope="session")
def national_2010() -> PlanDoc:
    return ingest_file(shared_file(NATIONAL_2010))


@pytest.fixture(scope="session")
def national_2035() -> PlanDoc:
    return ingest_file(shared_file(NATIONAL_2035))


@pytest.fixture(scope="session")
def all_plans(linan: PlanDoc, linping: PlanDoc, national_2010: PlanDoc, national_2035: PlanDoc) -> list[PlanDoc]:
    return [linan, linping, national_2010, national_2035]


@pytest.fixture(scope="session")
def district_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index folder of the two district plans in corpus/, fake encoder, built once
    for the whole session. Tests read it; a test that changes an index copies it first."""
    from plangraph.workspace import build

    out = tmp_path_factory.mktemp("district") / "default"
    build([CORPUS], out, encoders=("fake",), progress=False)
    return out


@pytest.fixture(scope="session")
def district_trig(district_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The district index's graph exported as TriG (``plangraph export graph``), for
    tests that load it into another engine."""
    from plangraph.workspace import Workspace

    return Workspace(district_index).write_graph(tmp_path_factory.mktemp("trig") / "graph.trig", "trig")


@pytest.fixture(scope="session")
def four_plan_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index folder of the four plans (district and national), fake encoder."""
    from plangraph.workspace import build

    out = tmp_path_factory.mktemp("four") / "ix"
    build([CORPUS, shared_file(NATIONAL_2010), shared_file(NATIONAL_2035)], out, encoders=("fake",), progress=False)
    return out


PLACE_PLANS = ROOT / "tests" / "data" / "plans"


@pytest.fixture(scope="session")
def places_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the district plans in corpus/ and the fragments of other places'
    plans, explainers and reports in tests/data/plans/, fake encoder."""
    from plangraph.workspace import build

    out = tmp_path_factory.mktemp("places") / "ix"
    build([CORPUS, PLACE_PLANS], out, encoders=("fake",), progress=False)
    return out


@pytest.fixture
def no_ocr(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The ``ocr`` extra not installed: ``import rapidocr`` fails, so scanned PDFs are refused."""
    from plangraph.ingest.formats import ocr

    monkeypatch.setitem(sys.modules, "rapidocr", None)  # None in sys.modules: ImportError
    ocr.engine.cache_clear()
    yield
    ocr.engine.cache_clear()
