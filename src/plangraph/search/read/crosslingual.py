"""Cross-lingual lexical search: an English query becomes Chinese terms through a glossary.

The plans are Chinese, so an English query shares no terms with them and BM25 cannot
take part; the dense encoders are multilingual but weaker across languages. Dictionary
translation (the classic cross-language retrieval baseline) gives BM25 something to
match: the query's words are looked up in ``data/glossary_en_zh.tsv``, longest phrase
first, and every Chinese term of a matched entry joins the lexical query. Words with no
entry are dropped, so function words cost nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from plangraph.errors import UsageError
from plangraph.resources import data_text

GLOSSARY = "glossary_en_zh.tsv"
MAX_PHRASE = 4
_WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")


def _stem(word: str) -> str:
    """Fold the English plural and possessive, so 'teachers' and "teacher's" match 'teacher'."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-case, stemmed English words of ``text`` (apostrophes and digits dropped)."""
    return [_stem(w) for w in _WORD_RE.findall(text.lower().replace("'s", ""))]


def parse_glossary(text: str, source: str = GLOSSARY) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Glossary TSV → {stemmed English phrase: Chinese terms}.

    Raises:
        UsageError: a line without two tab-separated columns or without Chinese terms,
            naming the file and line.
    """
    entries: dict[tuple[str, ...], tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 2:
            raise UsageError(f"{source}, line {number}: expected 'english<TAB>chinese|chinese', got {line!r}")
        key = tuple(words(cols[0]))
        terms = tuple(t.strip() for t in cols[1].split("|") if t.strip())
        if not key or not terms:
            raise UsageError(f"{source}, line {number}: empty English phrase or no Chinese terms")
        if len(key) > MAX_PHRASE:
            raise UsageError(f"{source}, line {number}: phrases are at most {MAX_PHRASE} words")
        merged = entries.get(key, ()) + terms
        entries[key] = tuple(dict.fromkeys(merged))
    return entries


@lru_cache(maxsize=1)
def glossary() -> dict[tuple[str, ...], tuple[str, ...]]:
    """The packaged glossary, read once."""
    text = data_text(GLOSSARY)
    return parse_glossary(text)


def _base_forms(word: str) -> list[str]:
    """Dictionary forms a verb form may come from: invested → invest, reduced → reduce,
    training → train, making → make. Tried only when the word itself has no entry."""
    forms = []
    if word.endswith("ed") and len(word) > 4:
        forms += [word[:-1], word[:-2]]
    if word.endswith("ing") and len(word) > 5:
        forms += [word[:-3], word[:-3] + "e"]
    return forms


def _lookup(table: dict[tuple[str, ...], tuple[str, ...]], phrase: tuple[str, ...]) -> tuple[str, ...]:
    terms = table.get(phrase)
    if terms or len(phrase) != 1:
        return terms or ()
    return next((t for f in _base_forms(phrase[0]) if (t := table.get((f,)))), ())


def translate(query: str, table: dict[tuple[str, ...], tuple[str, ...]] | None = None) -> list[str]:
    """Chinese terms for an English query, in query order, without repeats.

    Greedy longest match: 'primary and secondary school' is one entry (中小学), not three.
    A single word with no entry is also looked up by its base form (invested → invest).
    """
    table = glossary() if table is None else table
    ws = words(query)
    out: dict[str, None] = {}
    i = 0
    while i < len(ws):
        for size in range(min(MAX_PHRASE, len(ws) - i), 0, -1):
            terms = _lookup(table, tuple(ws[i : i + size]))
            if terms:
                out.update(dict.fromkeys(terms))
                i += size
                break
        else:
            i += 1
    return list(out)
