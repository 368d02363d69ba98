"""What a hostile server can make plangraph's HTTP client spend, measured.

    .venv/bin/python benchmarks/bench_http_limits.py [--reply-mb 1024] [--limit-mb 128]

A server on 127.0.0.1 (a thread of this process) offers an endless reply (up to
``--reply-mb``), a reply that drips one byte every 5 s, and a SPARQL JSON result
nested 100,000 levels deep. Each client runs in a fresh process, which prints its
peak RSS, its wall time and how it ended:

* ``exchange`` (``plangraph.graph.httpclient``) with ``--limit-mb`` as its reply limit
  and a 10 s deadline;
* ``RemoteEngine.rows`` (what ``plangraph sparql --endpoint`` runs) with the same limits;
* for comparison, ``urllib.request.urlopen(...).read()`` as the clients used it before
  (#22), on the endless reply only, capped at ``--reply-mb`` and 60 s.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MiB = 2**20

CLIENT = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r})
kind, url, limit, deadline = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
t0 = time.monotonic()
try:
    if kind == "exchange":
        from plangraph.graph.httpclient import exchange
        n = len(exchange("GET", url, max_bytes=limit, deadline_s=deadline).body)
        outcome = f"read {{n:,}} bytes"
    elif kind == "engine":
        from plangraph.graph.engines import RemoteEngine
        rows = RemoteEngine(url, max_reply_bytes=limit, deadline_s=deadline).rows("ASK {{}}", None)
        outcome = f"rows {{rows[1]}}"
    else:
        import urllib.request
        with urllib.request.urlopen(url, timeout=deadline) as r:
            outcome = f"read {{len(r.read()):,}} bytes"
except Exception as exc:
    outcome = f"{{type(exc).__name__}}: {{exc}}"
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"peak_mb": round(peak), "seconds": round(time.monotonic() - t0, 1), "outcome": outcome[:150]}}))
"""


def serve(reply_mb: int) -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    nested = b'{"head": {"vars": []}, "boolean": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"

    def answer(conn: socket.socket) -> None:
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:  # read the whole request, or closing would reset the connection
                body += conn.recv(65536)
            path = head.split(b" ")[1]
            if path == b"/endless":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n")
                block = b" " * MiB
                for _ in range(reply_mb):
                    conn.sendall(block)
            elif path == b"/drip":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
                for _ in range(100):
                    conn.sendall(b" ")
                    time.sleep(5)
            else:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(nested) + nested)
        except OSError:
            pass
        finally:
            conn.close()

    def loop() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return sock, sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reply-mb", type=int, default=1024)
    parser.add_argument("--limit-mb", type=int, default=128)
    args = parser.parse_args()
    sock, port = serve(args.reply_mb)
    code = CLIENT.format(src=str(ROOT / "src"))
    cases = [("exchange", "endless", 10), ("engine", "endless", 10), ("exchange", "drip", 10),
             ("engine", "drip", 10), ("engine", "nested", 10), ("urllib (before)", "endless", 60)]
    print(f"reply limit {args.limit_mb} MiB, endless reply up to {args.reply_mb} MiB")
    print(f"{'client':<16} {'server':<8} {'deadline s':>10} {'peak RSS MB':>12} {'wall s':>7}  outcome")
    for client, path, deadline in cases:
        kind = client.split()[0]
        out = subprocess.run([sys.executable, "-c", code, kind, f"http://127.0.0.1:{port}/{path}",
                              str(args.limit_mb * MiB), str(deadline)], capture_output=True, text=True,
                             timeout=deadline + 120)
        try:
            r = json.loads(out.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            print(f"{client:<16} {path:<8} failed: {out.stderr[-300:]}")
            continue
        print(f"{client:<16} {path:<8} {deadline:>10} {r['peak_mb']:>12} {r['seconds']:>7}  {r['outcome']}")
    sock.close()


if __name__ == "__main__":
    main()
