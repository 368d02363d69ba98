"""Every argument the CLI takes is checked before any work, with a message and exit 2;
whatever fails later (a port in use, a full disk, a damaged index) prints ``Error: …``
and exits 1. The eight reproductions of #22 first, then the guard itself."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from plangraph.interfaces import cli
from plangraph.interfaces.cli import main

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _exit_code(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """main()'s exit status (argparse's included) and the last line of stderr."""
    try:
        code = main(argv)
    except SystemExit as done:
        code = int(done.code or 0)
    err = capsys.readouterr().err
    return code, err.strip().splitlines()[-1] if err.strip() else ""


def _plangraph(*args: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "plangraph", *args], capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": SRC, **(env or {})})


def test_undecodable_bytes_in_a_query_are_refused_naming_them() -> None:
    done = _plangraph("search", b"\xff\xfe", "--index", "/nonexistent")
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert done.stderr.decode().splitlines()[-1] == (
        "plangraph search: error: argument query: b'\\xff\\xfe' is not UTF-8 text; plangraph reads its "
        "arguments as UTF-8 (check the terminal's or the script's encoding)")


@pytest.mark.parametrize(("value", "message"), [
    ("inf", "must be a finite number, got inf"),
    ("nan", "must be a finite number, got nan"),
    ("-1", "must be more than 0, got -1"),
    ("0", "must be more than 0, got 0"),
    ("1e9", "must be at most 604800 seconds (a week), got 1e9"),
    ("soon", "'soon' is not a number"),
])
def test_sparql_timeout_must_be_a_finite_positive_number(value: str, message: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, last = _exit_code(["sparql", "ASK {}", "--timeout", value], capsys)
    assert (code, last) == (2, f"plangraph sparql: error: argument --timeout: {message}")


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--port", "70000", "argument --port: must be at most 65535, got 70000"),
    ("--port", "-1", "argument --port: must be at least 0, got -1"),
    ("--host", "999.1.1.1", "argument --host: '999.1.1.1' is not an IP address (IPv4 is four numbers 0-255, "
                            "as in 127.0.0.1)"),
    ("--host", "bad host!", "argument --host: 'bad host!' is not an IP address or a host name"),
    ("--workers", "0", "argument --workers: must be at least 1, got 0"),
    ("--queue", "-1", "argument --queue: must be at least 0, got -1"),
    ("--per-client", "0", "argument --per-client: must be at least 1, got 0"),
    ("--max-connections", "many", "argument --max-connections: 'many' is not a whole number"),
    ("--idle-timeout", "inf", "argument --idle-timeout: must be a finite number, got inf"),
    ("--request-timeout", "0", "argument --request-timeout: must be more than 0, got 0"),
])
def test_endpoint_address_and_workers(option: str, value: str, message: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, last = _exit_code(["endpoint", option, value], capsys)
    assert (code, last) == (2, f"plangraph endpoint: error: {message}")


def test_a_port_in_use_is_an_error_not_a_traceback(district_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["endpoint", "--index", str(district_index), "--port", str(port)])
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use",
        "  hint: another program may be listening there: choose another --port (0 picks a free one), "
        "or a --host address of this machine"]


@pytest.mark.parametrize(("argv", "message"), [
    (["export", "indicators", "-o", "/proc/nope/x.csv"],
     "plangraph export: error: argument --output/-o: cannot write /proc/nope/x.csv: the folder /proc/nope "
     "does not exist"),
    (["export", "indicators", "-o", "/"], "plangraph export: error: argument --output/-o: / is a folder; "
                                          "give a file name"),
    (["audit", "linan", "--out", "/etc/passwd/x.csv"],
     "plangraph audit: error: argument --out: cannot write /etc/passwd/x.csv: the folder /etc/passwd is "
     "not a folder"),
    (["export", "schools"], "plangraph export: error: argument kind: unknown export kind 'schools'; choose one "
                            "of: indicators, programmes, projects, commitments, organizations, graph"),
    (["compare", "a", "b", "--threshold", "nan"], "plangraph compare: error: argument --threshold: must be a "
                                                  "finite number, got nan"),
    (["compare", "a", "b", "--threshold", "2"], "plangraph compare: error: argument --threshold: must be from "
                                                "-1 to 1, got 2"),
    (["build", "--plan-time-limit", "inf"], "plangraph build: error: argument --plan-time-limit: must be a "
                                            "finite number, got inf"),
    (["sparql", "ASK {}", "--endpoint", "ftp://example.org/sparql"],
     "plangraph sparql: error: argument --endpoint: 'ftp://example.org/sparql' is not an http(s) URL"),
    (["sparql", "ASK {}", "--endpoint", "http://127.0.0.1:99999/q"],
     "plangraph sparql: error: argument --endpoint: 'http://127.0.0.1:99999/q' is not a valid URL (Port out of "
     "range 0-65535)"),
    (["push", "--sparql-endpoint", "http:///query", "--graph-store", "http://h/store"],
     "plangraph push: error: argument --sparql-endpoint: 'http:///query' is not an http(s) URL"),
    (["sparql", "--name", "projects-by-place", "--param", "plan"],
     "plangraph sparql: error: argument --param: 'plan' must look like NAME=VALUE"),
    (["remove", "linan\udcff"], "plangraph remove: error: argument PLAN: b'linan\\xff' is not UTF-8 text; "
                                "plangraph reads its arguments as UTF-8 (check the terminal's or the script's "
                                "encoding)"),
])
def test_bad_arguments_exit_2_with_the_reason(argv: list[str], message: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(argv, capsys) == (2, message)


def test_a_connection_cap_beyond_the_open_files_is_refused(district_index: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1024:
        pytest.skip(f"the hard limit on open files is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
    try:
        code = main(["endpoint", "--index", str(district_index), "--port", "0", "--max-connections", "1000"])
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        "Error: 1000 connections need more open files than this process may have (ulimit -n is 1024, and 128 "
        "are kept for the rest)", "  hint: raise ulimit -n, or allow at most 896 connections"]


def test_a_full_disk_names_the_output_file(district_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    assert main(["export", "indicators", "--index", str(district_index), "-o", "/dev/full"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "Error: /dev/full: No space left on device",
        "  hint: free some space on that disk, then run the command again"]


def test_a_truncated_store_file_gives_an_error_not_a_traceback(district_index: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(district_index, index)
    tables = sorted((index / "store").rglob("*.sst"))
    assert tables
    for table in tables:
        with table.open("r+b") as f:
            f.truncate(100)
    for argv in (["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"], ["search", "学校"]):
        done = _plangraph(*argv, "--index", str(index))
        err = done.stderr.decode()
        assert "Traceback" not in err, err
        assert done.returncode == 0 or (done.returncode == 1 and err.startswith("Error: ")), err


def test_any_failure_is_one_line_unless_debugging(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def disk_full(args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device", "/data/index/store")

    def broken(args: object) -> int:
        raise RuntimeError("Corruption: block checksum mismatch")

    monkeypatch.delenv(cli.DEBUG_ENV, raising=False)
    monkeypatch.setattr(cli, "cmd_audit", disk_full)
    assert main(["audit", "linan"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "Error: /data/index/store: No space left on device",
        "  hint: free some space on that disk, then run the command again"]
    monkeypatch.setattr(cli, "cmd_audit", broken)
    assert main(["audit", "linan"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "Error: unexpected RuntimeError: Corruption: block checksum mismatch",
        "  hint: this is a bug in plangraph or a damaged file; PLANGRAPH_DEBUG=1 shows where it happened"]
    monkeypatch.setenv(cli.DEBUG_ENV, "0")
    assert main(["audit", "linan"]) == 1
    capsys.readouterr()
    monkeypatch.setenv(cli.DEBUG_ENV, "1")
    with pytest.raises(RuntimeError, match="block checksum"):
        main(["audit", "linan"])


def test_every_option_that_takes_a_value_is_checked() -> None:
    """A new option must say what it accepts: a type, a closed set of choices, or be a
    path or a free word on purpose (listed here)."""
    free = {"--index", "files", "questions", "--apply"}  # paths to read: any name the system allows
    parser = cli.build_parser()
    unchecked = []
    for name, sub in parser._subparsers._group_actions[0].choices.items():  # type: ignore[union-attr]
        for action in sub._actions:
            takes_value = action.nargs != 0 and not action.help == "show this help message and exit"
            if not takes_value or action.type is not None or action.choices is not None:
                continue
            label = action.option_strings[0] if action.option_strings else action.dest
            if label not in free:
                unchecked.append(f"{name} {label}")
    assert unchecked == []


def test_a_query_file_too_long_or_not_utf8_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big, latin = tmp_path / "big.rq", tmp_path / "latin.rq"
    with big.open("wb") as f:
        f.truncate(5_000_000)
    latin.write_bytes("ASK {} # café".encode("latin-1"))
    assert main(["sparql", str(big), "--index", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"Error: {big}: over 4,000,000 bytes, too long for a query",
        "  hint: the guard reads queries of up to 1,000,000 characters"]
    assert main(["sparql", str(latin), "--index", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"Error: {latin}: not UTF-8 text (byte 12)",
                                                    "  hint: save the query as UTF-8"]


def test_output_the_terminal_cannot_show_is_an_error_not_a_traceback(district_index: Path) -> None:
    done = _plangraph("search", "学校", "--top", "1", "--index", str(district_index),
                      env={"PYTHONIOENCODING": "ascii"})
    err = done.stderr.decode("ascii", "replace")
    assert done.returncode == 1 and "Traceback" not in err
    assert err.startswith("Error: cannot write this text as ascii: ordinal not in range(128)")
    assert err.endswith("  hint: use a UTF-8 terminal, or set PYTHONIOENCODING=utf-8 (or LANG=C.UTF-8)\n")


def test_a_file_name_that_is_not_utf8_is_named_not_a_traceback(tmp_path: Path) -> None:
    plan = Path(__file__).resolve().parents[1] / "corpus" / "linping-education-14th-fyp.excerpt.txt"
    odd = os.fsencode(tmp_path) + b"/plan\xff.txt"
    with open(odd, "wb") as f:
        f.write(plan.read_bytes())
    done = _plangraph("ingest", odd)
    err = done.stderr.decode()
    assert "Traceback" not in err and done.returncode == 1
    # the file is named (its odd byte escaped) and skipped; the others would be read
    error, hint = err.splitlines()[-2:]
    assert error.startswith("Error: ") and "plan\\udcff.txt: " in error
    assert error.endswith(": a file name or text holds bytes that are not UTF-8 (b'\\xff')")
    assert hint == "  hint: rename the file (or re-save the text) in UTF-8"
