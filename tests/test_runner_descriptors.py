"""The query runner waits on its worker's pipe with a poll, not ``select()``: with more
than 1,024 files open (the search index keeps files open per plan) ``select()`` raises
"filedescriptor out of range"."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from pathlib import Path

import pytest

from plangraph.graph.runner import QueryRunner

TRIG = """@prefix ex: <https://example.org/> .
GRAPH ex:plan { ex:linan ex:title "临安区教育发展“十四五”规划" . }
"""


@pytest.fixture()
def many_open_files() -> Iterator[list[int]]:
    """1,100 descriptors held open (the soft limit raised for the test, and put back)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 1400
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the hard limit on open files is {hard}")
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    fds: list[int] = []
    try:
        fds = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
        yield fds
    finally:
        for fd in fds:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_query_runs_with_more_than_1024_files_open(tmp_path: Path, many_open_files: list[int]) -> None:
    graph = tmp_path / "graph.trig"
    graph.write_text(TRIG, encoding="utf-8")
    assert max(many_open_files) >= 1024
    with QueryRunner("memory", graph, timeout_s=60, sandbox=False) as runner:
        columns, rows = runner.run("SELECT ?t WHERE { GRAPH ?g { ?s <https://example.org/title> ?t } }")
        worker = runner._slots.queue[0]
        assert worker is not None and worker.proc.stdout is not None
        assert worker.proc.stdout.fileno() >= 1024  # the pipe select() could not wait on
    assert columns == ("t",) and rows == [("临安区教育发展“十四五”规划",)]
