"""Lexical retrieval: Okapi BM25 over character bigrams or jieba search-mode tokens.

Chinese has no spaces, so terms are either overlapping character bigrams (robust to
segmentation errors and to paraphrase inside long compounds) or the tokens of
jieba's search mode (which also emits the sub-words of long words). Which one the
index uses is a build option; the choice was made by measurement (see
``benchmarks/bench_search.py``).

The index is plain data (term → postings) that serialises to JSON, so an index
folder needs no pickle.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from plangraph.errors import UsageError
from plangraph.resources import data_file
from plangraph.text import CJK_RE, Language, detect_language, fold

if TYPE_CHECKING:
    import numpy as np

Tokenization = Literal["bigram", "jieba", "bigram+jieba"]
TOKENIZATIONS: tuple[str, ...] = ("bigram", "jieba", "bigram+jieba")

_HAN_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD_RE = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")

# Function characters that carry no topic; bigrams made only of them add noise.
_STOP_BIGRAMS = frozenset(
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


@dataclass
class BM25Index:
    """Okapi BM25 over a fixed list of documents (rows match the passage order)."""

    mode: str = "bigram"
    k1: float = 1.2
    b: float = 0.75
    doc_len: list[int] = field(default_factory=list)
    postings: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def build(cls, texts: list[str], mode: str = "bigram", k1: float = 1.2, b: float = 0.75) -> BM25Index:
        index = cls(mode=mode, k1=k1, b=b)
        for row, text in enumerate(texts):
            counts = Counter(tokenize(text, mode))
            index.doc_len.append(sum(counts.values()))
            for term, tf in counts.items():
                index.postings.setdefault(term, []).append((row, tf))
        return index

    def __len__(self) -> int:
        return len(self.doc_len)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for ``query`` (zeros where nothing matches)."""
        import numpy as np

        n = len(self.doc_len)
        out = np.zeros(n, dtype=np.float32)
        if not n:
            return out
        lengths = np.asarray(self.doc_len, dtype=np.float32)
        avg = float(lengths.mean()) or 1.0
        terms = [t for t in set(tokenize(query, self.mode)) if t not in _STOP_BIGRAMS]
        for term in terms:
            plist = self.postings.get(term)
            if not plist:
                continue
            idf = math.log(1.0 + (n - len(plist) + 0.5) / (len(plist) + 0.5))
            rows = np.fromiter((r for r, _ in plist), dtype=np.int64, count=len(plist))
            tfs = np.fromiter((f for _, f in plist), dtype=np.float32, count=len(plist))
            denom = tfs + self.k1 * (1 - self.b + self.b * lengths[rows] / avg)
            out[rows] += idf * tfs * (self.k1 + 1) / denom
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "k1": self.k1,
            "b": self.b,
            "doc_len": self.doc_len,
            "postings": {t: [list(p) for p in ps] for t, ps in self.postings.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BM25Index:
        return cls(
            mode=str(data["mode"]),
            k1=float(data["k1"]),
            b=float(data["b"]),
            doc_len=[int(x) for x in data["doc_len"]],
            postings={t: [(int(r), int(f)) for r, f in ps] for t, ps in data["postings"].items()},
        )
