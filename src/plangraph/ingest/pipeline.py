"""Ingestion: plan files → :class:`~plangraph.model.PlanDoc`.

decode → normalise (length-preserving) → lines → page chrome, second copy and table
of contents set aside → tables rebuilt → sections and passages. One broken file
never stops the others: :func:`ingest_files` reports it and goes on.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path

from plangraph.ingest.chrome import find_toc, strip_chrome
from plangraph.ingest.decode import read_bytes
from plangraph.ingest.formats import PLAN_SUFFIXES, Canonical, read_canonical
from plangraph.errors import InputError, PlanGraphError
from plangraph.ingest.layout import split_lines
from plangraph.ingest.metadata import looks_like_title, read_sidecar, resolve
from plangraph.model import Excluded, Finding, PlanDoc, PlanMeta
from plangraph.text import normalize
from plangraph.ingest.segment import segment
from plangraph.ingest.tables import find_tables

__all__ = ["PLAN_SUFFIXES", "IngestFailure", "ingest_bytes", "ingest_file", "ingest_files", "ingest_text"]


@dataclass(frozen=True)
class IngestFailure:
    """A plan file that could not be ingested, and why."""

    path: str
    error: PlanGraphError


def ingest_text(original: str, path: Path, *, sha256: str = "", encoding: str = "utf-8",
                sidecar: dict[str, object] | None = None, source: Canonical | None = None) -> PlanDoc:
    """Ingest already-decoded text as if read from ``path``.

    ``source`` is the reader's result when ``original`` is the canonical text of an
    HTML, Word or PDF file: its page map and findings go on the document.
    """
    norm = normalize(original)
    lines = split_lines(norm)
    if not lines:
        raise InputError(f"{path}: contains no text")
    chrome = strip_chrome(lines)
    body = chrome.body
    excluded = list(chrome.excluded)
    toc = find_toc(body)
    if toc is not None:
        a, b = toc
        excluded.append(Excluded("toc", body[a].start, body[b - 1].end, "table of contents"))
        body = body[:a] + body[b:]
    title_line = 0 if body and looks_like_title(body[0].text) else None
    header = dict(chrome.header)
    title_text = original[body[0].start:body[0].end] if title_line is not None else None
    fields, meta_findings = resolve(path, title_text, header, sidecar)
    v = fields.values
    plan_id = str(v["plan_id"])
    meta = PlanMeta(
        plan_id=plan_id, title=str(v["title"]), source_file=str(path), sha256=sha256,
        encoding=encoding, region=_opt(v.get("region")), level=_opt(v.get("level")),
        issuer=_opt(v.get("issuer")), issued=_opt(v.get("issued")),
        period_start=_int(v.get("period_start")), period_end=_int(v.get("period_end")),
        source_url=_opt(v.get("source_url")), header=tuple(chrome.header),
        provenance=tuple(sorted(fields.provenance.items())),
    )
    tables, table_findings = find_tables(body, plan_id, original)
    seg = segment(plan_id, original, norm, body, tables, title_line,
                  dict(source.headings) if source is not None else None)
    findings = list(chrome.findings) + meta_findings + table_findings
    for table in seg.tables:
        for row in table.rows:
            for cell in row.cells:
                for flag in cell.flags if cell else ():
                    if flag in ("glued", "suspect-ratio"):
                        findings.append(Finding(
                            "warning", f"{flag}-cell",
                            f"{table.title}, row {row.index + 1}: cell {_short(cell.value)!r} looks "  # type: ignore[union-attr]
                            f"{flag.replace('-', ' ')}; recorded as found", cell.start, cell.end))  # type: ignore[union-attr]
    if not seg.sections:
        findings.append(Finding("info", "no-headings", f"{path.name}: no headings found; passages are paragraphs"))
    fmt, passages = "text", seg.passages
    pages: tuple[int, ...] = ()
    if source is not None:
        fmt, pages = source.format, source.pages
        findings[:0] = [Finding("info", f"{source.format}-reader", f"{path.name}: {note}")
                        for note in source.findings]
        if pages:
            passages = tuple(dataclasses.replace(p, page=source.page_of(p.start)) for p in passages)
    return PlanDoc(meta, original, norm, seg.sections, seg.tables, passages,
                   tuple(sorted(excluded, key=lambda x: x.start)), tuple(findings), fmt, pages)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def ingest_file(path: str | Path) -> PlanDoc:
    """Read, decode and ingest one plan file (with its sidecar, if it has one).

    Raises:
        InputError: the file is missing, empty, binary or undecodable, or its sidecar
            is malformed; the message names the file.
    """
    path = Path(path)
    data = read_bytes(path)
    sidecar = read_sidecar(path)
    return _ingest_canonical(read_canonical(data, str(path)), data, path, sidecar)


def ingest_bytes(data: bytes, name: str) -> PlanDoc:
    """Ingest a plan given as bytes (an upload), named ``name`` in messages."""
    return _ingest_canonical(read_canonical(data, name), data, Path(name), None)


def _ingest_canonical(canonical: Canonical, data: bytes, path: Path,
                      sidecar: dict[str, object] | None) -> PlanDoc:
    # a plain text file goes through as before: its text is the file as found
    source = None if canonical.format == "text" else canonical
    return ingest_text(canonical.text, path, sha256=hashlib.sha256(data).hexdigest(),
                       encoding=canonical.encoding or "unicode", sidecar=sidecar, source=source)


def plan_files(paths: list[str | Path]) -> list[Path]:
    """Expand folders into the plan files they hold (sorted); files pass through."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in PLAN_SUFFIXES
                              and not f.name.startswith(".")))
        else:
            out.append(p)
    return out


def ingest_files(paths: list[str | Path]) -> tuple[list[PlanDoc], list[IngestFailure]]:
    """Ingest every plan file; a broken file is reported and skipped.

    Two files that resolve to the same plan id are an error for the second one.
    """
    docs: list[PlanDoc] = []
    failures: list[IngestFailure] = []
    seen: dict[str, str] = {}
    for path in plan_files(paths):
        try:
            doc = ingest_file(path)
        except PlanGraphError as exc:
            failures.append(IngestFailure(str(path), exc))
            continue
        if doc.plan_id in seen:
            failures.append(IngestFailure(str(path), InputError(
                f"{path}: plan id {doc.plan_id!r} is already used by {seen[doc.plan_id]}",
                hint="give one of them a sidecar with a different id")))
            continue
        seen[doc.plan_id] = str(path)
        docs.append(doc)
    return docs, failures
