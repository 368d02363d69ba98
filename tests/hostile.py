"""Hostile SPARQL for the tests: the corpus in ``data/hostile_queries.txt`` and a TCP
listener on 127.0.0.1 that counts the connections anything makes to it."""

from __future__ import annotations

import re
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "hostile_queries.txt"
REFUSAL = re.compile(r"is not allowed|is not a graph of this store|^malformed SPARQL|nests too deeply for the guard")
"""What every refusal of a hostile query says (the guard's words)."""


CHARACTERS = {"{CR}": "\r", "{VT}": "\x0b", "{FF}": "\x0c", "{NEL}": "\x85", "{LS}": "\u2028", "{PS}": "\u2029",
              "{NUL}": "\x00", "{BOM}": "\ufeff"}
"""Placeholders for the characters a text file cannot keep as they are (a CR is read as a line end)."""


def hostile_queries(port: int) -> list[str]:
    """The corpus with ``{URL}``/``{HOST}`` pointing at ``127.0.0.1:port`` and ``{CR}``… written out."""
    text = CORPUS.read_text(encoding="utf-8")
    text = text.replace("{URL}", f"http://127.0.0.1:{port}/x").replace("{HOST}", f"127.0.0.1:{port}")
    for name, char in CHARACTERS.items():
        text = text.replace(name, char)
    return [b.strip() + "\n" for b in text.split("\n====\n") if b.strip()]


def post_query(url: str, query: str, timeout_s: float = 60) -> tuple[int, str]:
    """POST ``query`` to a SPARQL endpoint; the status and body, error statuses included."""
    request = urllib.request.Request(url, data=query.encode(), headers={"Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class Listener:
    """A TCP listener on 127.0.0.1 (random port) that records each connection's first
    bytes. It stops by itself after ``lifetime_s`` and on :meth:`close`."""

    def __init__(self, lifetime_s: float = 300.0) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/x"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._timer = threading.Timer(lifetime_s, self._stop.set)
        self._timer.daemon = True
        self._timer.start()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            conn.settimeout(0.5)
            try:
                self.connections.append(conn.recv(200) or b"(empty)")
            except OSError:
                self.connections.append(b"(no data)")
            conn.close()
        self.sock.close()

    def close(self) -> None:
        self._stop.set()
        self._timer.cancel()
        self._thread.join(timeout=2)

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
