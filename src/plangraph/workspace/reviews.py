"""The review file: the indicator ties as a file staff edit and keep with the corpus.

``indicator-ties.tsv`` sits beside the plan files (one per corpus folder), UTF-8,
tab-separated, one header line::

    plan  indicator  category  concept  status  score  why  suggestions  note

``status`` is ``auto`` (the matcher's proposal, no decision), ``confirmed``,
``rejected`` or ``manual`` (tied by hand to ``concept``); ``score``, ``why`` and
``suggestions`` are the matcher's, for the reviewer to read. A build reads the rows
of each plan it builds from the file beside that plan, and the decisions
(:class:`plangraph.graph.ties.Decision`) override the matcher; a plan whose decisions
changed is rebuilt (its input hash includes them), the others are not.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from plangraph.errors import InputError
from plangraph.graph.scheme import concepts
from plangraph.graph.ties import STATUSES, ConceptTie, Decision

REVIEW_FILE = "indicator-ties.tsv"
COLUMNS: tuple[str, ...] = ("plan", "indicator", "category", "concept", "status", "score", "why",
                            "suggestions", "note")
Decisions = dict[tuple[str, str, str], Decision]


def review_path(plan_file: str | Path) -> Path:
    """The review file of the corpus folder a plan file is in."""
    return Path(plan_file).resolve().parent / REVIEW_FILE


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the review file ({exc})") from None
    reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = [c for c in ("plan", "indicator", "category", "concept", "status") if c not in (reader.fieldnames or ())]
    if missing:
        raise InputError(f"{path}: the review file has no column {missing[0]!r}",
                         hint=f"its header line is: {'	'.join(COLUMNS)}")
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def read_decisions(path: str | Path) -> Decisions:
    """The decisions of a review file (rows with status ``auto`` are none).

    Raises:
        InputError: the file cannot be read, a status is unknown, or a concept key is
            not in the scheme (the message names the line).
    """
    path = Path(path)
    keys = {c.key for c in concepts()}
    out: Decisions = {}
    for line, row in enumerate(_rows(path), start=2):
        status, key = row.get("status") or "auto", row.get("concept", "")
        if status not in STATUSES:
            raise InputError(f"{path}, line {line}: status {status!r}; choose one of: {', '.join(STATUSES)}")
        if key and key not in keys:
            raise InputError(f"{path}, line {line}: unknown concept {key!r}",
                             hint="concept keys are the skos:notation values of ontology/indicator-scheme.ttl")
        if status == "auto":
            continue
        try:
            d = Decision(row["plan"], row["indicator"], row.get("category", ""), key, status, row.get("note", ""))
        except ValueError as exc:
            raise InputError(f"{path}, line {line}: {exc}") from None
        out[d.row_key] = d
    return out


@lru_cache(maxsize=8)
def _cached(path: str, stamp: tuple[int, int]) -> Decisions:
    return read_decisions(path)


def decisions_for(plan_file: str | Path, plan: str) -> Decisions:
    """The decisions on one plan in the review file beside its file (none without one);
    read once per file version and process."""
    path = review_path(plan_file)
    try:
        st = os.stat(path)
    except OSError:
        return {}
    return {k: d for k, d in _cached(str(path), (st.st_mtime_ns, st.st_size)).items() if d.plan == plan}


def with_decisions(source_hash: str, decisions: Mapping[tuple[str, str, str], Decision]) -> str:
    """A plan's input hash with its decisions in it (unchanged when there are none), so
    that a changed decision rebuilds that plan and only that one."""
    if not decisions:
        return source_hash
    digest = hashlib.sha256(source_hash.encode())
    for d in sorted(decisions.values(), key=lambda d: d.row_key):
        digest.update("\x00".join((*d.row_key, d.concept, d.status, d.note)).encode())
    return digest.hexdigest()


def _tie_row(t: ConceptTie) -> dict[str, str]:
    return {"plan": t.plan, "indicator": t.indicator, "category": t.category, "concept": t.concept or "",
            "status": "auto" if t.status == "unmapped" else t.status,
            "score": f"{t.score:.2f}", "why": t.why,
            "suggestions": "; ".join(f"{k} {s:.2f}" for k, s in t.suggestions), "note": t.note}


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write the rows whole or not at all (a new file renamed over the old)."""
    buf = io.StringIO()
    buf.write("\t".join(COLUMNS) + "\n")
    for r in rows:
        buf.write("\t".join(_clean(r.get(c, "")) for c in COLUMNS) + "\n")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buf.getvalue(), "utf-8")
    tmp.replace(path)
    return path


def _clean(value: str) -> str:
    return " ".join(value.replace("\t", " ").split())


def write_review(path: str | Path, ties: Iterable[ConceptTie]) -> Path:
    """Write (or update) a review file with ``ties``, keeping every decision it holds:
    a row a reviewer decided keeps its concept, status and note, and rows of plans
    not among ``ties`` stay as they are."""
    path = Path(path)
    old = _rows(path) if path.exists() else []
    kept = {(r["plan"], r["indicator"], r.get("category", "")): r for r in old
            if (r.get("status") or "auto") != "auto"}
    out: list[dict[str, str]] = []
    plans = set()
    for t in ties:
        plans.add(t.plan)
        row = _tie_row(t)
        decided = kept.pop(t.row_key, None)
        if decided is not None:
            row.update({k: decided.get(k, "") for k in ("concept", "status", "note")})
        out.append(row)
    out += [r for r in old if r["plan"] not in plans or
            (r["plan"], r["indicator"], r.get("category", "")) in kept]
    return _write(path, out)


def merge_decisions(path: str | Path, decisions: Mapping[tuple[str, str, str], Decision]) -> Path:
    """Put ``decisions`` into the review file at ``path`` (made if missing), replacing
    the rows of the same plan, indicator and category."""
    path = Path(path)
    rows = _rows(path) if path.exists() else []
    by_key = {(r["plan"], r["indicator"], r.get("category", "")): r for r in rows}
    for key, d in decisions.items():
        row = by_key.get(key)
        if row is None:
            row = {c: "" for c in COLUMNS} | {"plan": d.plan, "indicator": d.indicator, "category": d.category}
            rows.append(row)
            by_key[key] = row
        row.update({"concept": d.concept, "status": d.status, "note": d.note})
    return _write(path, rows)
