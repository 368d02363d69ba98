"""argparse types shared by the commands: refused before any index or model loads.

Each raises :class:`argparse.ArgumentTypeError`, so a bad value ends the command with
``plangraph CMD: error: argument NAME: <message>`` and exit status 2. What can only be
judged against an index (a plan id, a theme key) is checked later, with exit status 1.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

from plangraph.graph.runner import MAX_TIMEOUT_S

MAX_SECONDS = MAX_TIMEOUT_S
"""The longest time limit a command accepts (the query runner's, a week)."""
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def text(value: str) -> str:
    """An argparse type: text that is valid UTF-8.

    Bytes that are not UTF-8 in ``argv`` reach Python as lone surrogates, which no
    tokenizer, hash or output stream accepts; they are refused here, naming the bytes.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(value)
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not UTF-8 text; plangraph reads its arguments as UTF-8 "
            "(check the terminal's or the script's encoding)") from None
    return value


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum`` (and at most ``maximum``)."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {number}")
        if maximum is not None and number > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, got {number}")
        return number

    return parse


def _finite(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {value}")
    return number


def positive_number(value: str) -> float:
    """An argparse type: a finite number above 0."""
    number = _finite(value)
    if not number > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {value}")
    return number


def seconds(value: str) -> float:
    """An argparse type: a time limit, more than 0 and at most :data:`MAX_SECONDS`."""
    number = positive_number(value)
    if number > MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_SECONDS:g} seconds (a week), got {value}")
    return number


def number_between(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a finite number from ``low`` to ``high``."""

    def parse(value: str) -> float:
        number = _finite(value)
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g}, got {value}")
        return number

    return parse


def port(value: str) -> int:
    """An argparse type: a TCP port, 0 (any free port) to 65535."""
    return whole_number(0, 65535)(value)


def host(value: str) -> str:
    """An argparse type: an IPv4 or IPv6 address, or a host name (resolved when listening)."""
    name = text(value).strip()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        pass
    labels = name.rstrip(".").split(".")
    if ":" in name or all(label.isdigit() for label in labels):
        raise argparse.ArgumentTypeError(f"{value!r} is not an IP address (IPv4 is four numbers 0-255, "
                                         "as in 127.0.0.1)")
    if len(name) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise argparse.ArgumentTypeError(f"{value!r} is not an IP address or a host name")
    return name


def name_value(value: str) -> str:
    """An argparse type: ``NAME=VALUE`` text (the value may be empty, the name not)."""
    if not text(value).partition("=")[0].strip() or "=" not in value:
        raise argparse.ArgumentTypeError(f"{value!r} must look like NAME=VALUE")
    return value


def http_url(value: str) -> str:
    """An argparse type: an ``http://`` or ``https://`` URL with a host."""
    url = text(value).strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number or out of range
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{value!r} is not an http(s) URL")
    return url


def output_file(value: str) -> str:
    """An argparse type: a file that can be written (``-`` is standard output).

    Checked before any work so that a long export does not fail at its end: the
    folder must exist and be writable, and the path must not be a folder.
    """
    if value == "-":
        return value
    if not value:
        raise argparse.ArgumentTypeError("an empty file name")
    path = Path(value)
    folder = path.parent
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a folder; give a file name")
    if not folder.is_dir():
        why = "is not a folder" if folder.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"cannot write {value}: the folder {folder} {why}")
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"cannot write {value}: permission denied")
    return value


def one_of(what: str, choices: Iterable[str]) -> Callable[[str], str]:
    """An argparse type: one of a closed set of words, named ``what`` in the message."""
    allowed = tuple(choices)

    def parse(value: str) -> str:
        if value not in allowed:
            raise argparse.ArgumentTypeError(f"unknown {what} {value!r}; choose one of: {', '.join(allowed)}")
        return value

    return parse
