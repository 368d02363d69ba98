"""Retrieval quality on a question set: recall@5, recall@10 and MRR@10.

A question file is JSON ``{"questions": [{"q": ..., "evidence": [...], "plan": ...}]}``.
A hit is relevant when its text (or its original quote) contains any evidence string,
both compared after Unicode compatibility folding (full-width ``，`` equals ``,``) and
with white space removed. A question's language is detected from its text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from plangraph.errors import UsageError
from plangraph.model import Hit
from plangraph.text import detect_language, fold_compact


class SearchesText(Protocol):
    def search(self, query: str, top_k: int = 10) -> Sequence[Hit]: ...


@dataclass(frozen=True)
class Question:
    q: str
    evidence: tuple[str, ...]
    plan: str | None
    language: str


@dataclass(frozen=True)
class QuestionResult:
    """One row of the per-question table; ``first`` is the rank of the first
    relevant hit within the top 10, or None."""

    question: Question
    first: int | None
    top_plan: str | None


@dataclass(frozen=True)
class Metrics:
    n: int
    recall_at_5: float
    recall_at_10: float
    mrr_at_10: float


@dataclass(frozen=True)
class EvalReport:
    overall: Metrics
    by_language: dict[str, Metrics]
    rows: tuple[QuestionResult, ...]

    def table(self) -> str:
        """A plain-text report: summary lines, then one line per question."""
        lines = [_metrics_line("all", self.overall)]
        lines += [_metrics_line(lang, m) for lang, m in sorted(self.by_language.items())]
        lines.append("")
        for r in self.rows:
            mark = f"@{r.first}" if r.first else "miss"
            lines.append(f"{mark:>5}  {r.question.language}  {r.question.plan or '-':<14} {r.question.q}")
        return "\n".join(lines)


def _metrics_line(label: str, m: Metrics) -> str:
    return f"{label:<4} n={m.n:<3} R@5={m.recall_at_5:.3f} R@10={m.recall_at_10:.3f} MRR@10={m.mrr_at_10:.3f}"


def load_questions(path: str | Path) -> list[Question]:
    """Read a question file.

    Raises:
        UsageError: the file is missing or not in the expected shape.
    """
    p = Path(path)
    try:
        data: Any = json.loads(p.read_text("utf-8"))
        items = data["questions"] if isinstance(data, dict) else data
        return [
            Question(
                q=str(item["q"]),
                evidence=tuple(str(e) for e in item["evidence"]),
                plan=item.get("plan"),
                language=item.get("lang") or detect_language(str(item["q"])),
            )
            for item in items
        ]
    except FileNotFoundError:
        raise UsageError(f"question file {p} not found") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"question file {p} is not valid: expected {{\"questions\": [{{\"q\", \"evidence\", \"plan\"}}]}} ({exc})"
        ) from None


def is_relevant(hit: Hit, evidence: Sequence[str]) -> bool:
    texts = (fold_compact(hit.text), fold_compact(hit.quote))
    return any(fold_compact(e) in t for e in evidence for t in texts)


def _metrics(rows: Sequence[QuestionResult]) -> Metrics:
    n = len(rows)
    if not n:
        return Metrics(0, 0.0, 0.0, 0.0)
    return Metrics(
        n=n,
        recall_at_5=sum(1 for r in rows if r.first and r.first <= 5) / n,
        recall_at_10=sum(1 for r in rows if r.first and r.first <= 10) / n,
        mrr_at_10=sum(1.0 / r.first for r in rows if r.first) / n,
    )


def evaluate(
    questions_file: str | Path,
    searcher: SearchesText,
    *,
    plan_ids: Mapping[str, str] | None = None,
    **search_options: Any,
) -> EvalReport:
    """Run every question through ``searcher.search(q, top_k=10, ...)`` and score it.

    Recall@k here is success@k: the share of questions with at least one relevant
    passage in the top k (the evidence lists alternatives, not a complete set).

    Args:
        questions_file: the question set.
        searcher: anything with ``search(query, top_k, **options) -> [Hit]``.
        plan_ids: when given, scope each question to its plan: maps the file's
            ``plan`` keys to index plan ids, passed on as ``plan=``.
        search_options: passed on to every ``search`` call.

    Raises:
        UsageError: a bad question file, or a question plan missing from ``plan_ids``.
    """
    rows = []
    for question in load_questions(questions_file):
        options = dict(search_options)
        if plan_ids is not None:
            if question.plan is None or question.plan not in plan_ids:
                raise UsageError(
                    f"question plan {question.plan!r} in {questions_file} has no plan id; "
                    f"known: {', '.join(sorted(plan_ids))}"
                )
            options["plan"] = plan_ids[question.plan]
        hits = searcher.search(question.q, top_k=10, **options)
        first = next((h.rank for h in hits if is_relevant(h, question.evidence)), None)
        rows.append(QuestionResult(question, first, hits[0].plan if hits else None))
    langs = sorted({r.question.language for r in rows})
    return EvalReport(
        overall=_metrics(rows),
        by_language={lang: _metrics([r for r in rows if r.question.language == lang]) for lang in langs},
        rows=tuple(rows),
    )
