"""Text primitives every stage shares: length-preserving normalisation, the one fold
for matching, and the one sentence splitter.

Normalisation

Every replacement maps one character to one character, so offsets into the
normalised text are offsets into the original: the map back is the identity, and
``original[start:end]`` always gives the quote behind any normalised span. What it
does: full-width ASCII forms (``，：（）０-９Ａ-Ｚ``) become their half-width letters,
and odd spaces (ideographic space, no-break space, zero-width characters, BOM)
become a plain space. Chinese punctuation with no ASCII twin (``。、“”《》``) stays.
Traditional characters become simplified ones (``臨沂市…規劃`` → ``临沂市…规划``,
OpenCC's ``t2s``), so a plan copied in traditional script is indexed, extracted and
matched as simplified while its quotes stay as written; :func:`fold` does the same to
questions.

OpenCC converts phrase by phrase and a phrase may change its length; a line whose
conversion does, is converted character by character instead (the character table
maps one to one), so the identity offset map holds.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any, Literal

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u202f\u205f\u2060\u3000\ufeff"


def _table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table.update({ord(c): " " for c in _SPACES})
    return table


_TABLE = _table()


def normalize(text: str) -> str:
    """Return ``text`` with width and space variants folded and traditional characters
    simplified; same length as the input."""
    return to_simplified(text.translate(_TABLE))


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc  # C++ OpenCC: 6 ms per 100,000 characters (pure-Python ports: 40-240 ms)

    return opencc.OpenCC("t2s.json")


# A simplified text may hold a few characters that t2s would change and that it means:
# names (於潜镇 of Lin'an), or stray traditional forms (與情, an OCR slip) that the
# plan's quotes keep. A text is converted only when it reads as traditional script.
LONG_TEXT = 200
TRADITIONAL_SHARE = 0.02
KEPT = frozenset("於乾")
_SURROGATE = re.compile(r"([\ud800-\udfff])")


def to_simplified(text: str) -> str:
    """``text`` in simplified characters, character for character (same length), when
    it is in traditional script.

    A text of :data:`LONG_TEXT` Chinese characters or more is converted when at least
    :data:`TRADITIONAL_SHARE` of them change (a traditional plan: about 30 %; the corpus
    plans: 0.01 %); a shorter one (a question, a title, a passage) when any character
    outside :data:`KEPT` changes (臨沂 yes, 於潜镇 alone no). Text with no character
    outside ASCII is returned as it is, without loading OpenCC.
    """
    if text.isascii():
        return text
    converter = _t2s()
    if _SURROGATE.search(text):  # OpenCC reads UTF-8: a stray surrogate (from a file name, argv) stays as is
        out = "".join(p if _SURROGATE.match(p) else to_simplified(p) for p in _SURROGATE.split(text) if p)
        return out if len(out) == len(text) else text
    out = converter.convert(text)
    if len(out) != len(text):
        out = "".join(_same_length(converter, line) for line in text.splitlines(keepends=True))
    changed = [a for a, b in zip(text, out) if a != b]
    if not changed:
        return text
    han = len(CJK_RE.findall(text))
    if han >= LONG_TEXT:
        return out if len(changed) >= TRADITIONAL_SHARE * han else text
    return out if not set(changed) <= KEPT else text


def _same_length(converter: Any, line: str) -> str:
    out = converter.convert(line)
    if len(out) == len(line):
        return out
    chars = [converter.convert(c) for c in line]
    return "".join(c if len(c) == 1 else orig for c, orig in zip(chars, line))


def collapse(text: str) -> str:
    """Normalise and squeeze all whitespace runs (line breaks included) to nothing
    between CJK characters and to one space elsewhere, for display of multi-line cells.

    Not length-preserving: use only for values shown to people, never for offsets.
    """
    parts = normalize(text).split()
    if not parts:
        return ""
    out = parts[0]
    for part in parts[1:]:
        joiner = " " if (out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum()) else ""
        out += joiner + part
    return out


def title_key(title: str) -> str:
    """A document title reduced for matching: width folded, 《》, quotes, brackets,
    punctuation and spaces dropped, digits kept (``2010-2020`` tells two plans apart)."""
    return re.sub(r"[\W_]+", "", normalize(title))


Language = Literal["zh", "en"]
CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_RE = re.compile(r"[A-Za-z]")

def detect_language(text: str) -> Language:
    """``zh`` when the text has Chinese characters and at least a quarter as many as
    Latin letters (a character carries about a word), else ``en``."""
    han = len(CJK_RE.findall(text))
    latin = len(_LATIN_RE.findall(text))
    return "zh" if han and han * 4 >= latin else "en"


def fold(text: str) -> str:
    """NFKC, lower case and simplified script: full-width ``，`` and ``Ａ`` compare equal
    to ``,`` and ``a``, ``規劃`` to ``规划``."""
    return to_simplified(unicodedata.normalize("NFKC", text).lower())


_WHITESPACE_RE = re.compile(r"\s+")


def fold_compact(text: str) -> str:
    """:func:`fold` without white space, for matching a phrase inside a text whose
    lines were broken anywhere (evidence strings, exact phrases)."""
    return _WHITESPACE_RE.sub("", fold(text))


# -- sentences -------------------------------------------------------------------
# The one sentence splitter: retrieval's sentence vectors, ingestion's windows of a long
# paragraph and extraction's sentences all cut text here.
#
# A paragraph of a plan often packs several commitments into one passage
# (``…深化中考制度改革,完善初中学业水平考试;…``). Its single vector is an average of
# all of them, so a question about one commitment matches it weakly. Scoring each
# sentence and giving the passage its best sentence's score (MaxP) keeps the passage
# as the unit of citation while matching at the level people ask at.
#
# A sentence ends after a run of ``。`` ``;`` ``!`` ``?`` (full- or half-width). Table rows,
# whose cells are joined with ``; ``, split into cells, the first keeping the table
# title. Pieces shorter than :data:`MIN_CHARS` (list numbers, stray punctuation) are
# not units of their own. Callers that cut otherwise say so with the keywords of
# :func:`sentence_spans` (ingestion cuts windows at full stops only, closing quotes
# kept; extraction also cuts at line breaks).


MIN_CHARS = 4
SENTENCE_ENDS = "。;；!?！？"
"""The characters a sentence ends with (a run of them ends one sentence)."""


@functools.lru_cache(maxsize=8)
def _ends_re(ends: str, closers: str, lines: bool) -> re.Pattern[str]:
    end = f"[{re.escape(ends)}]+" + (f"[{re.escape(closers)}]?" if closers else "")
    return re.compile(f"{end}|\n" if lines else end)


def sentence_spans(text: str, start: int = 0, end: int | None = None, *, ends: str = SENTENCE_ENDS,
                   closers: str = "", lines: bool = False, min_chars: int = MIN_CHARS,
                   whole: bool = True) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the sentences of ``text[start:end]``, white space trimmed.

    Every span indexes ``text``. A sentence ends after a run of ``ends`` and the one
    closing mark of ``closers`` that may follow it; with ``lines``, at a line break too.
    Pieces shorter than ``min_chars`` are left out; with ``whole`` (the default), a text
    with no piece that long is one span of its own trimmed length.
    """
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    at = start
    for m in _ends_re(ends, closers, lines).finditer(text, start, stop):
        _add(spans, text, at, m.end(), min_chars)
        at = m.end()
    _add(spans, text, at, stop, min_chars)
    if not spans and whole:
        piece = text[start:stop]
        stripped = piece.strip()
        begin = start + piece.find(stripped) if stripped else start
        return [(begin, begin + len(stripped))] if stripped else [(start, stop)]
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int, min_chars: int) -> None:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    trail = len(piece) - len(piece.rstrip())
    s, e = start + lead, end - trail
    if e - s >= max(min_chars, 1):
        spans.append((s, e))


def sentences(text: str) -> list[str]:
    """The sentence texts of ``text`` (see :func:`sentence_spans`)."""
    return [text[s:e] for s, e in sentence_spans(text)]
