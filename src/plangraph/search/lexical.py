"""Lexical terms for Okapi BM25: character bigrams or jieba search-mode tokens.

Chinese has no spaces, so terms are either overlapping character bigrams (robust to
segmentation errors and to paraphrase inside long compounds) or the tokens of
jieba's search mode (which also emits the sub-words of long words). Which one the
index uses is a build option; the choice was made by measurement (see
``benchmarks/bench_search.py``).

The terms feed the tantivy index of :mod:`plangraph.search.lexical_index`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from plangraph.errors import UsageError
from plangraph.resources import data_file
from plangraph.text import CJK_RE, Language, detect_language, fold  # noqa: F401 - re-exported

Tokenization = Literal["bigram", "jieba", "bigram+jieba"]
TOKENIZATIONS: tuple[str, ...] = ("bigram", "jieba", "bigram+jieba")

_HAN_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD_RE = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")

# Function characters that carry no topic; bigrams made only of them add noise.
STOP_TERMS = frozenset(
    "什么 哪些 怎么 怎样 如何 多少 有哪 要求 是多 有什 的比 么要 是什 一共 大概".split()
)


class _JiebaTokens:
    """An own ``jieba.Tokenizer`` (never the global one) with the package's domain
    dictionary, created on first use."""

    def __init__(self) -> None:
        self._tok: Any = None

    def __call__(self, text: str) -> list[str]:
        if self._tok is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            with data_file("domain_dict.txt") as path:
                tok.load_userdict(str(path))
            self._tok = tok
        return [t for t in self._tok.cut_for_search(text) if t.strip() and CJK_RE.search(t)]


_JIEBA = _JiebaTokens()


def tokenize(text: str, mode: str = "bigram") -> list[str]:
    """Terms of ``text`` for BM25.

    Han runs become overlapping bigrams (a lone character stays a unigram) and/or
    jieba search-mode tokens; Latin words and numbers become lower-case words.
    """
    if mode not in TOKENIZATIONS:
        raise UsageError(f"unknown tokenization {mode!r}; choose one of: {', '.join(TOKENIZATIONS)}")
    folded = fold(text)
    terms: list[str] = _WORD_RE.findall(folded)
    if "bigram" in mode:
        for run in _HAN_RUN_RE.findall(folded):
            if len(run) == 1:
                terms.append(run)
            else:
                terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    if "jieba" in mode:
        terms.extend("j:" + t for t in _JIEBA(folded))
    return terms
