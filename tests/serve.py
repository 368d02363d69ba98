"""Serve the Streamlit app on a free localhost port, for a real browser to drive.

The browser test and ``benchmarks/bench_app.py`` both need the app as people meet it:
``streamlit run app.py`` over a given index, reachable once ``/_stcore/health`` answers,
and always stopped afterwards. Chromium is Debian's; these are the flags it needs on a
machine with a closed network (without the background-networking ones it keeps trying to
reach Google's hosts).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served_app(app: Path, index: Path, *, log: Path | None = None, timeout_s: float = 120) -> Iterator[str]:
    """Run ``streamlit run APP`` with ``PLANGRAPH_INDEX=INDEX``; yield its URL once healthy.

    Raises:
        RuntimeError: the server exited or was not healthy within ``timeout_s`` (with the
            end of its log when ``log`` is given).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PLANGRAPH_INDEX": str(index)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with open(log or os.devnull, "wb") as out:
        server = subprocess.Popen(cmd, cwd=app.parent, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout_s
            while not _healthy(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    tail = log.read_text("utf-8", errors="replace")[-3000:] if log else ""
                    raise RuntimeError(f"streamlit did not start serving {app}\n{tail}")
                time.sleep(0.05)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return bool(r.read() == b"ok")
    except OSError:
        return False


@contextmanager
def browser_page(chromium: Any, url: str, *, timeout_ms: int, height: int = 1300) -> Iterator[Any]:
    """A page of a fresh Chinese-locale browser context at ``url`` (downloads allowed),
    every wait bounded by ``timeout_ms``; the context is closed afterwards."""
    from playwright.sync_api import expect

    expect.set_options(timeout=timeout_ms)
    context = chromium.new_context(viewport={"width": 1400, "height": height}, accept_downloads=True,
                                   locale="zh-CN")
    try:
        context.set_default_timeout(timeout_ms)
        page = context.new_page()
        page.goto(url)
        yield page
    finally:
        context.close()
