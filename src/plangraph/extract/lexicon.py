"""The domain lexicon: concept triggers, body names and a jieba tokenizer that knows them.

The data files live in ``plangraph/data``: ``concepts.tsv`` (education stages, themes
and target groups, mirrored as SKOS in ``ontology/concepts.ttl``), ``bodies.tsv``
(names of responsible bodies and their aliases) and ``domain_dict.txt`` (extra jieba
words). The tokenizer is our own ``jieba.Tokenizer``; the global one is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from plangraph.resources import data_file, data_lines

if TYPE_CHECKING:  # pragma: no cover
    import jieba

SCHEMES: tuple[str, ...] = ("stage", "theme", "group")


@dataclass(frozen=True)
class ConceptEntry:
    """One concept of a scheme with the words that signal it."""

    key: str
    scheme: str
    zh: str
    en: str
    triggers: tuple[str, ...]


def _data_lines(name: str) -> list[list[str]]:
    return data_lines(name)


@lru_cache(maxsize=1)
def concepts() -> tuple[ConceptEntry, ...]:
    """All concepts of ``concepts.tsv`` in file order."""
    out = []
    for cols in _data_lines("concepts.tsv"):
        key, scheme, zh, en, triggers = cols[:5]
        if scheme not in SCHEMES:
            raise ValueError(f"concepts.tsv: {key}: scheme {scheme!r} not one of {SCHEMES}")
        out.append(ConceptEntry(key, scheme, zh, en, tuple(t for t in triggers.split("|") if t)))
    return tuple(out)


@lru_cache(maxsize=1)
def body_names() -> dict[str, str]:
    """Every known body name or alias → its canonical name."""
    names: dict[str, str] = {}
    for cols in _data_lines("bodies.tsv"):
        canonical = cols[0].strip()
        names[canonical] = canonical
        if len(cols) > 1:
            for alias in cols[1].split("|"):
                if alias.strip():
                    names[alias.strip()] = canonical
    return names


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer with the domain words added (built once, on first use)."""
    import logging

    import jieba

    # jieba reports its dictionary loading at DEBUG level; keep build output readable
    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.default_logger.setLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    with data_file("domain_dict.txt") as p:
        tk.load_userdict(str(p))
    for entry in concepts():
        for word in entry.triggers:
            tk.add_word(word, freq=50000)
    for name in body_names():
        tk.add_word(name, freq=50000)
    return tk


def tokens(text: str) -> list[str]:
    """Words of ``text`` by the domain tokenizer (no HMM guessing of new words)."""
    return list(tokenizer().cut(text, HMM=False))


def concepts_in(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(stage and theme keys, target-group keys) whose trigger words are tokens of ``text``."""
    words = set(tokens(text))
    topics: list[str] = []
    groups: list[str] = []
    for entry in concepts():
        if words.intersection(entry.triggers):
            (groups if entry.scheme == "group" else topics).append(entry.key)
    return tuple(topics), tuple(groups)


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    """The tags of the tokenizer's dictionary (``word freq tag`` a line), read as
    ``jieba.posseg.POSTokenizer`` reads them, without importing ``jieba.posseg``: its
    import first loads the same table for a module-level tokenizer of its own (0.9-1.6 s
    on a busy core, which every cold ``plangraph add`` paid twice)."""
    fh = tokenizer().get_dict_file()
    try:
        text = fh.read().decode("utf-8")
    finally:
        fh.close()
    tags: dict[str, str] = {}
    for lineno, line in enumerate(text.split("\n"), 1):
        parts = line.strip().split(" ")
        if len(parts) == 3:
            tags[parts[0]] = parts[2]
        elif parts != [""]:
            raise ValueError(f"invalid POS dictionary entry at line {lineno}: {line.strip()}")
    return tags


def word_tag(word: str) -> str:
    """jieba's part-of-speech tag of a dictionary word (``d`` adverb, ``a`` adjective, ``v`` verb,
    ``vn`` verbal noun, ``n`` noun…), ``""`` for a word its dictionary does not tag."""
    return _word_tags().get(word, "")
