"""The endpoint under the abuse of #22, measured on ``plangraph endpoint`` itself (a
child process with ``ulimit -n 1024``, as in the report):

    .venv/bin/python benchmarks/bench_endpoint_abuse.py [--index DIR] [--body-mib 500] [--heavy 50]

1. ``Content-Length: -1`` and then ``--body-mib`` MiB: how much the client could send
   before the server hung up, and the server's peak RSS (was: read it all, 1.68 GB);
2. ``--heavy`` runaway queries at once from one client, then from as many clients
   (127.0.2.1, …), each time with ``ASK {}`` from another client a second later: the
   answers by status, and how long the ASK took (was: 235 s);
3. 1,022 silent connections, then a query from a new client (was: every client timed out);
4. headers sent a byte every 0.2 s: how long until the server dropped the client.

Without ``--index`` the two district plans in ``corpus/`` are built with the fake encoder.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _get(port: int, query: str, client: str, timeout: float = 600) -> tuple[int, float]:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(client, 0))
    try:
        conn.request("GET", "/query?" + urllib.parse.urlencode({"query": query}))
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.perf_counter() - t0
    except OSError:
        return 0, time.perf_counter() - t0
    finally:
        conn.close()


def body_without_end(port: int, pid: int, mib: int) -> None:
    before = _rss_peak_mb(pid)
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                 b"Content-Length: -1\r\n\r\n")
    sent = 0
    try:
        while sent < mib << 20:
            sock.sendall(b"x" * (1 << 20))
            sent += 1 << 20
        outcome = "all of it was sent"
    except OSError as exc:
        outcome = f"then the server hung up ({type(exc).__name__})"
    sock.close()
    print(f"1. Content-Length -1 then {mib} MiB: {sent >> 20} MiB sent, {outcome}; "
          f"server peak RSS {before:.0f} -> {_rss_peak_mb(pid):.0f} MB")


def heavy_then_cheap(port: int, heavy: int, clients: int) -> None:
    results: list[tuple[int, float]] = []
    addresses = [f"127.0.{2 + i // 250}.{1 + i % 250}" for i in range(clients)]
    threads = [threading.Thread(target=lambda c=addresses[i % clients]: results.append(_get(port, RUNAWAY, c)))
               for i in range(heavy)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    status, seconds = _get(port, "ASK {}", "127.0.1.1")
    for t in threads:
        t.join()
    counts = collections.Counter(s for s, _ in results)
    print(f"2. {heavy} runaway queries from {clients} client(s): "
          + ", ".join(f"{n} x {s or 'no answer'}" for s, n in sorted(counts.items()))
          + f" (slowest answer {max(s for _, s in results):.1f} s); "
          f"then ASK {{}} from another client: {status} in {seconds:.2f} s")


def many_silent(port: int, count: int) -> None:
    silent = []
    for _ in range(count):
        try:
            silent.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:  # the server no longer accepts: what the ASK below will meet too
            break
    status, seconds = _get(port, "ASK {}", "127.0.0.1", timeout=60)
    closed = 0
    for sock in silent:
        sock.setblocking(False)
        try:
            closed += sock.recv(1) == b""
        except BlockingIOError:
            pass
        sock.close()
    print(f"3. {len(silent)} of {count} silent connections opened, then ASK {{}}: {status or 'no answer'} in "
          f"{seconds:.2f} s "
          f"({closed} of the silent ones closed by the server to make room)")


def slowloris(port: int) -> None:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\n")
    t0, sent, reply = time.perf_counter(), 0, b"(nothing)"
    sock.settimeout(0.2)
    while time.perf_counter() - t0 < 120:
        try:
            sock.sendall(b"x")
            sent += 1
            reply = sock.recv(100)  # the server's answer or its hang-up; a timeout means neither yet
            break
        except TimeoutError:
            continue
        except OSError as exc:
            reply = type(exc).__name__.encode()
            break
    first_line = reply.split(b"\r\n")[0].decode() or "none, closed"
    print(f"4. headers a byte every 0.2 s: dropped after {time.perf_counter() - t0:.1f} s ({sent} bytes), "
          f"reply {first_line}")
    sock.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path)
    parser.add_argument("--body-mib", type=int, default=500)
    parser.add_argument("--heavy", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=2.0, help="the endpoint's query time limit")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    index = args.index
    if index is None:
        index = Path(tempfile.mkdtemp(prefix="bench-endpoint-")) / "index"
        subprocess.run([sys.executable, "-m", "plangraph", "build", str(ROOT / "corpus"), "--index", str(index),
                        "--encoder", "fake", "--quiet"], check=True, env=env, stdout=subprocess.DEVNULL)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def ulimit_1024() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `timeout` stops the endpoint too
    proc = subprocess.Popen([sys.executable, "-m", "plangraph", "endpoint", "--index", str(index), "--port",
                             str(port), "--timeout", str(args.timeout)], stdout=subprocess.PIPE, text=True,
                            env=env, preexec_fn=ulimit_1024)
    try:
        assert proc.stdout is not None
        print(proc.stdout.readline().strip())
        body_without_end(port, proc.pid, args.body_mib)
        heavy_then_cheap(port, args.heavy, 1)
        heavy_then_cheap(port, args.heavy, args.heavy)
        many_silent(port, 1022)
        slowloris(port)
    except KeyboardInterrupt:
        print("interrupted")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
