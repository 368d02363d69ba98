"""The README's command examples are what the commands print (scripts/readme_examples.py)."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from .conftest import NATIONAL_2010, NATIONAL_2035, ROOT, shared_file


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_examples", ROOT / "scripts" / "readme_examples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["readme_examples"] = module
    spec.loader.exec_module(module)
    return module


def test_abridged_examples_match_and_drift_is_caught() -> None:
    m = _script()
    shown = ("plan   name  …", "-----  …", "linan  马溪幼儿园  …", "…  (9 rows)")
    out = "plan   name    x\n-----  ------  -\nlinan  马溪幼儿园  1\nlinan  b  2\n(9 rows)\n"
    assert m.matches(shown, out)
    assert not m.matches(shown, out.replace("马溪", "苕溪"))
    assert not m.matches(shown, out.replace("(9 rows)", "(8 rows)"))
    assert not m.matches(("1. [linan] 总体目标  strong (score 0.048)",), "1. [linan] 总体目标  score 0.048\n")


def test_every_example_is_found_in_the_readme_and_docs() -> None:
    m = _script()
    assert m.pages()[0].name == "README.md" and len(m.pages()) > 5
    assert m.examples(m.README.read_text(encoding="utf-8"))  # the first screen shows a real one
    found = [e for page in m.pages() for e in m.examples(page.read_text(encoding="utf-8"))]
    commands = [e.command.split()[1] for e in found]
    assert len(found) >= 8 and {"search", "sparql", "audit", "compare"} <= set(commands)
    assert not set(commands) & {"endpoint", "push"}  # servers are shown, not run
    assert all(e.shown for e in found)


@pytest.mark.slow
def test_readme_examples_have_not_drifted(capsys: pytest.CaptureFixture[str]) -> None:
    """With the default encoders, on indexes/readme (built once, then brought up to date
    from its cached vectors)."""
    shared_file(NATIONAL_2010), shared_file(NATIONAL_2035)
    m = _script()
    index = m.readme_index(ROOT / "indexes" / "readme")
    drifted = [f"{page.name}:{e.line}: {e.command}" for page in m.pages()
               for e in m.examples(page.read_text(encoding="utf-8"))
               if not m.matches(e.shown, m.run(e.command, index))]
    assert not drifted, drifted
