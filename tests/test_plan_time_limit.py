"""A plan that stalls on its worker is stopped at the time limit and reported by file;
the plans before and after it land, and the CLI says which plan and why."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from plangraph.workspace import Workspace, build
from plangraph.workspace.planpool import HANG_ENV

from .conftest import LINPING

FAKE = ("fake",)


def _copies(folder: Path, names: list[str]) -> list[Path]:
    """The Linping excerpt under other plan ids and titles: real plans that differ."""
    folder.mkdir(parents=True)
    side = LINPING.with_suffix(".meta.toml").read_text("utf-8")
    out = []
    for name in names:
        path = folder / f"{name}.txt"
        shutil.copy(LINPING, path)
        path.with_suffix(".meta.toml").write_text(
            side.replace('id = "linping"', f'id = "{name}"').replace("（节选）", f"（{name}）"), "utf-8")
        out.append(path)
    return out


def test_a_stalled_plan_is_stopped_and_the_others_land(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _copies(tmp_path / "in", ["plan-a", "plan-b", "plan-c", "plan-d"])
    monkeypatch.setenv(HANG_ENV, f"building:{files[1].name}")
    t0 = time.perf_counter()
    summary = build(files, tmp_path / "ix", encoders=FAKE, progress=False, workers=2, plan_time_limit=20)
    took = time.perf_counter() - t0
    assert summary.plans == ("plan-a", "plan-c", "plan-d")
    assert summary.failures == ((str(files[1]), f"{files[1]}: building this plan took longer than 20 s and "
                                 "was stopped (the limit is --plan-time-limit)"),)
    assert took < 600  # the stalled worker sleeps an hour: it was killed, not waited for
    ws = Workspace(tmp_path / "ix")
    assert ws.plan_ids == ("plan-a", "plan-c", "plan-d")
    assert ws.manifest["skipped"] == {str(files[1]): summary.failures[0][1]}
    # the next build retries it (the fault is gone) and does only that plan
    monkeypatch.delenv(HANG_ENV)
    again = build(files, tmp_path / "ix", encoders=FAKE, progress=False, workers=2)
    assert again.plans == ("plan-a", "plan-b", "plan-c", "plan-d") and not again.failures


def test_the_cli_names_the_stalled_plan(tmp_path: Path) -> None:
    files = _copies(tmp_path / "in", ["plan-a", "plan-b", "plan-c"])
    env = {**os.environ, HANG_ENV: f"building:{files[2].name}"}
    out = subprocess.run([sys.executable, "-m", "plangraph", "build", str(tmp_path / "in"), "--index",
                          str(tmp_path / "ix"), "--encoder", "fake", "--quiet", "--workers", "2",
                          "--plan-time-limit", "20", "--strict"], capture_output=True, text=True, env=env)
    assert out.returncode == 1, out.stderr
    assert f"{files[2]}: building this plan took longer than 20 s and was stopped" in out.stdout + out.stderr
    assert Workspace(tmp_path / "ix").plan_ids == ("plan-a", "plan-b")
    refused = subprocess.run([sys.executable, "-m", "plangraph", "build", "--plan-time-limit", "0"],
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "--plan-time-limit: must be more than 0, got 0" in refused.stderr
