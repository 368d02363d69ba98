"""Length-preserving normalisation of plan text.

Every replacement maps one character to one character, so offsets into the
normalised text are offsets into the original: the map back is the identity, and
``original[start:end]`` always gives the quote behind any normalised span. What it
does: full-width ASCII forms (``，：（）０-９Ａ-Ｚ``) become their half-width letters,
and odd spaces (ideographic space, no-break space, zero-width characters, BOM)
become a plain space. Chinese punctuation with no ASCII twin (``。、“”《》``) stays.
"""

from __future__ import annotations

import re

_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u202f\u205f\u2060\u3000\ufeff"


def _table() -> dict[int, str]:
    table = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table.update({ord(c): " " for c in _SPACES})
    return table


_TABLE = _table()


def normalize(text: str) -> str:
    """Return ``text`` with width and space variants folded; same length as the input."""
    return text.translate(_TABLE)


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
