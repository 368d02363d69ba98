"""Turning a plan file's bytes into text, with the encoding detected and reported.

Accepted: UTF-8 (with or without BOM), UTF-16 with BOM, and GB18030 (a superset of
GBK and GB2312, common in Chinese government files). Detection is strict, never a
silent guess: UTF-8 is tried first because a GB18030 reading of UTF-8 bytes almost
never decodes cleanly, and a GB18030 reading is only accepted when the result looks
like Chinese text. Anything else is a :class:`DecodeError` naming the file and the
byte offset where decoding failed.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from plangraph.errors import DecodeError, InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    """Decoded text and how it was read."""

    text: str
    encoding: str


def _control_ratio(text: str) -> float:
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / max(len(text), 1)


def _cjk_ratio(text: str) -> float:
    letters = [ch for ch in text if not ch.isspace() and not ch.isascii()]
    if not letters:
        return 0.0
    cjk = sum(1 for ch in letters if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return cjk / len(letters)


def decode_bytes(data: bytes, name: str) -> Decoded:
    """Decode ``data`` read from the file called ``name``.

    Raises:
        InputError: the file is empty or binary.
        DecodeError: no accepted encoding reads it; names the byte offset.
    """
    if not data.strip():
        raise InputError(f"{name}: file is empty", hint="a plan file must contain the plan text")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"{name}: starts with a {encoding} byte-order mark but is not valid "
                    f"{encoding}: {exc.reason} at byte offset {exc.start}"
                ) from None
            return Decoded(text.lstrip("\ufeff"), encoding)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            f"{name}: looks like a binary file (NUL byte at byte offset {nul}), not plan text",
            hint="plangraph reads plain-text plans (UTF-8 or GB18030/GBK)",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise DecodeError(
                f"{name}: not valid UTF-8 ({utf8_error.reason} at byte offset "
                f"{utf8_error.start}) nor GB18030/GBK",
                hint="convert the file to UTF-8, e.g. iconv -f <encoding> -t utf-8",
            ) from None
        if _cjk_ratio(text) < 0.6 or _control_ratio(text) > 0.01:
            raise DecodeError(
                f"{name}: not valid UTF-8 ({utf8_error.reason} at byte offset "
                f"{utf8_error.start}); a GB18030 reading does not look like Chinese text",
                hint="convert the file to UTF-8, e.g. iconv -f <encoding> -t utf-8",
            )
        return Decoded(text, "gb18030")
    if _control_ratio(text) > 0.01:
        raise InputError(f"{name}: looks like a binary file (many control characters), not plan text")
    return Decoded(text, "utf-8")


def read_bytes(path: Path) -> bytes:
    """A plan file's bytes, or an :class:`InputError` naming the file."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a plan file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def read_text(path: Path) -> tuple[bytes, Decoded]:
    """Read and decode a plan file; returns the raw bytes too (for hashing)."""
    data = read_bytes(path)
    return data, decode_bytes(data, str(path))
