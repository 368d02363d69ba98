"""Ingestion: plan files → :class:`~plangraph.model.PlanDoc`.

decode → normalise (length-preserving) → lines → page chrome, second copy and table
of contents set aside → tables rebuilt → sections and passages. One broken file
never stops the others: :func:`ingest_files` reports it and goes on.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from plangraph.errors import InputError, PlanGraphError, UsageError, describe_exception
from plangraph.ingest.chrome import find_toc, strip_chrome
from plangraph.ingest.decode import read_bytes
from plangraph.ingest.division import Located, locate, plan_level
from plangraph.ingest.formats import PLAN_SUFFIXES, TEXT_SUFFIXES, Canonical, read_canonical
from plangraph.ingest.formats.errors import LimitError
from plangraph.ingest.gazetteer import gazetteer
from plangraph.ingest.kinds import classify
from plangraph.ingest.layout import Line, split_lines
from plangraph.ingest.limits import MAX_FILE_BYTES
from plangraph.ingest.metadata import looks_like_title, read_sidecar, resolve
from plangraph.ingest.segment import segment
from plangraph.ingest.tables import find_tables
from plangraph.model import Excluded, Finding, PlanDoc, PlanMeta
from plangraph.text import normalize

__all__ = ["MAX_PLAN_BYTES", "MAX_PLAN_BYTES_ENV", "PLAN_SUFFIXES", "IngestFailure", "check_plan_size",
           "find_plan_files", "ingest_bytes", "ingest_file", "ingest_files", "ingest_text", "max_plan_bytes",
           "plan_files"]

MAX_PLAN_BYTES = 2 * 1024 * 1024
"""The largest plan ingest accepts (2 MiB: of the file for a text file, checked before it
is read; of its text in UTF-8 for HTML, Word and PDF), unless
``PLANGRAPH_MAX_PLAN_BYTES`` says otherwise. Real plans are 50–500 KB. Every stage is linear in a plan's size, but a
big plan is costly: per MB of plan text about 7,000 passages to embed, 260,000 triples,
half a minute of CPU for extraction, graph and SHACL validation and 0.7 GB of memory
(``benchmarks/bench_size.py``); 10 MB needs 6 GB. A larger file is seldom one plan (a
site dump, a log), so it is refused before it is read."""
MAX_PLAN_BYTES_ENV = "PLANGRAPH_MAX_PLAN_BYTES"


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
    toc_chars = 0
    if toc is not None:
        a, b = toc
        toc_chars = body[b - 1].end - body[a].start
        excluded.append(Excluded("toc", body[a].start, body[b - 1].end, "table of contents"))
        body = body[:a] + body[b:]
    title_line = 0 if body and looks_like_title(body[0].text) else None
    header = dict(chrome.header)
    title_text = original[body[0].start:body[0].end] if title_line is not None else None
    fields, meta_findings = resolve(path, title_text, header, sidecar)
    v = fields.values
    plan_id = str(v["plan_id"])
    place = _place(v, fields.provenance, norm, body)
    body_text = norm[body[0].start:body[-1].end] if body else ""
    kind = classify(normalize(str(v["title"])), body_text, toc_chars=toc_chars)
    meta = PlanMeta(
        plan_id=plan_id, title=str(v["title"]), source_file=str(path), sha256=sha256,
        encoding=encoding, region=_opt(v.get("region")), level=_opt(v.get("level")),
        issuer=_opt(v.get("issuer")), issued=_opt(v.get("issued")),
        period_start=_int(v.get("period_start")), period_end=_int(v.get("period_end")),
        source_url=_opt(v.get("source_url")), header=tuple(chrome.header),
        provenance=tuple(sorted(fields.provenance.items())),
        division_code=place.division.code if place else None,
        division=gazetteer().path(place.division.code) if place else None,
        division_level=place.division.level if place else None,
        division_cue=place.reason() if place else None,
        kind=kind.kind, kind_cue=kind.cue,
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
        if source.ocr:
            findings.insert(0, _ocr_finding(path.name, source))
    return PlanDoc(meta, original, norm, seg.sections, seg.tables, passages,
                   tuple(sorted(excluded, key=lambda x: x.start)), tuple(findings), fmt, pages,
                   source.ocr if source is not None else ())


def _ocr_finding(name: str, source: Canonical) -> Finding:
    """The ``ocr`` finding: which pages were read by OCR, with what confidence, and the
    text they span (from the first OCR line to the last)."""
    spans = source.ocr
    read = sorted({s.page for s in spans})
    chars = sum(s.end - s.start for s in spans)
    conf = sum(s.confidence * (s.end - s.start) for s in spans) / max(chars, 1)
    return Finding("warning", "ocr", f"{name}: page(s) {', '.join(map(str, read))} are scans read by OCR "
                   f"({len(spans)} lines, mean confidence {conf:.2f}); quotes from them may hold misread "
                   "characters: check them against the scan", spans[0].start, spans[-1].end)


def _place(v: dict[str, object], provenance: dict[str, str], norm: str, body: list[Line]) -> Located | None:
    """The plan's division (none for a national plan). It fills in a level and a region
    the metadata lacks, and replaces those that the start of the title gave when that
    was no division's name (``我市``, ``文字解读:《临沂市``, ``臨沂市``)."""
    if v.get("level") == "national":
        return None
    text = norm[body[0].start:body[-1].end] if body else ""
    guessed = provenance.get("region") == "title"
    place = locate(title=_opt(v.get("title")), region=None if guessed else _opt(v.get("region")),
                   issuer=_opt(v.get("issuer")), text=text)
    if place is None:
        return None
    g = gazetteer()
    if guessed and not g.lookup(str(v.get("region"))):
        for key in ("region", "level"):
            v.pop(key, None)
            provenance[key] = "division"
    v.setdefault("level", plan_level(place.division))
    v.setdefault("region", "".join(d.name for d in g.chain(place.division.code)[1:]) or place.division.name)
    return place


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def max_plan_bytes() -> int:
    """The plan size limit in bytes: ``$PLANGRAPH_MAX_PLAN_BYTES`` or :data:`MAX_PLAN_BYTES`.

    Raises:
        UsageError: the variable is set but not a positive whole number.
    """
    raw = os.environ.get(MAX_PLAN_BYTES_ENV, "").strip()
    if not raw:
        return MAX_PLAN_BYTES
    if not raw.isdigit() or int(raw) <= 0:
        raise UsageError(f"{MAX_PLAN_BYTES_ENV}={raw!r} must be a positive number of bytes, "
                         f"e.g. {MAX_PLAN_BYTES_ENV}={4 * MAX_PLAN_BYTES}")
    return int(raw)


def check_plan_size(name: str, size: int, *, text: bool = False) -> None:
    """Refuse a plan of ``size`` bytes (of its text in UTF-8, with ``text``) over
    :func:`max_plan_bytes`.

    Raises:
        InputError: naming the file, its size and the limit, with how to lift it.
    """
    limit = max_plan_bytes()
    if size > limit:
        what = "its text is " if text else ""
        raise InputError(
            f"{name}: {what}{size:,} bytes ({size / 2**20:.1f} MiB) is over the plan size limit of "
            f"{limit:,} bytes ({limit / 2**20:.1f} MiB)",
            hint=f"a plan is usually 50-500 KB: is this one plan? To build it anyway set "
                 f"{MAX_PLAN_BYTES_ENV} to a larger number of bytes",
        )


def check_file_size(name: str, size: int) -> None:
    """Refuse a file of ``size`` bytes over :data:`~plangraph.ingest.limits.MAX_FILE_BYTES`
    before it is read (its text is then held to :func:`check_plan_size`).

    Raises:
        LimitError: naming the file, its size and the limit.
    """
    if size > MAX_FILE_BYTES:
        raise LimitError(f"{name}: {size:,} bytes is over the limit of {MAX_FILE_BYTES:,} bytes for a plan file "
                         "(MAX_FILE_BYTES)", limit="MAX_FILE_BYTES",
                         hint="a plan's PDF or Word file is 0.1-30 MB: is this one plan?")


def ingest_file(path: str | Path) -> PlanDoc:
    """Read, decode and ingest one plan file (with its sidecar, if it has one).

    Raises:
        InputError: the file is missing, a folder, too large (:func:`check_plan_size`),
            empty, binary or undecodable, or its sidecar is malformed; the message names
            the file.
    """
    path = Path(path)
    if path.suffix.lower() in TEXT_SUFFIXES and path.is_file():
        # before reading: a huge text file is never loaded (other formats: their text)
        check_plan_size(str(path), path.stat().st_size)
    elif path.is_file():
        check_file_size(str(path), path.stat().st_size)
    data = read_bytes(path)
    sidecar = read_sidecar(path)
    return _ingest_canonical(read_canonical(data, str(path)), data, path, sidecar)


def ingest_bytes(data: bytes, name: str) -> PlanDoc:
    """Ingest a plan given as bytes (an upload), named ``name`` in messages."""
    check_file_size(name, len(data))
    return _ingest_canonical(read_canonical(data, name), data, Path(name), None)


def _ingest_canonical(canonical: Canonical, data: bytes, path: Path,
                      sidecar: dict[str, object] | None) -> PlanDoc:
    check_plan_size(str(path), len(canonical.text.encode("utf-8")), text=True)
    # a plain text file goes through as before: its text is the file as found
    source = None if canonical.format == "text" else canonical
    return ingest_text(canonical.text, path, sha256=hashlib.sha256(data).hexdigest(),
                       encoding=canonical.encoding or "unicode", sidecar=sidecar, source=source)


def plan_files(paths: list[str | Path]) -> list[Path]:
    """Expand folders into the plan files they hold (sorted); files pass through."""
    return find_plan_files(paths)[0]


def find_plan_files(paths: list[str | Path]) -> tuple[list[Path], list[IngestFailure]]:
    """Expand folders into the plan files they hold (sorted), and say what cannot be read.

    A path that does not exist, a folder inside an input folder whose name says it is a
    plan (``x.txt/``) and a symbolic link that is broken or loops are failures naming
    the path, never skipped in silence. Other entries of a folder (``notes.md``,
    sub-folders, hidden files, sidecars) are not plans and are left alone.
    """
    out: list[Path] = []
    failures: list[IngestFailure] = []

    def fail(path: Path, message: str, hint: str | None = None) -> None:
        failures.append(IngestFailure(str(path), InputError(f"{path}: {message}", hint=hint)))

    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.iterdir()):
                if f.name.startswith("."):
                    continue
                plan_like = f.suffix.lower() in PLAN_SUFFIXES
                if f.is_symlink() and not f.exists():
                    fail(f, _broken_link(f), "remove the link or point it at a plan file")
                elif plan_like and f.is_dir():
                    fail(f, "is a folder, not a plan file; plan files inside sub-folders are not read",
                         "give the folder itself as an input to read the plans in it")
                elif plan_like and f.is_file():
                    out.append(f)
        elif p.is_symlink() and not p.exists():
            fail(p, _broken_link(p))
        elif not p.exists():
            fail(p, "no such file or folder")
        else:
            out.append(p)
    return out, failures


def _broken_link(path: Path) -> str:
    try:
        path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        return "is a symbolic link that loops back on itself"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link that loops back on itself"
    return f"is a symbolic link to {os.readlink(path)!r}, which does not exist"


def ingest_files(paths: list[str | Path]) -> tuple[list[PlanDoc], list[IngestFailure]]:
    """Ingest every plan file; a broken file is reported and skipped, whatever it raises.

    Two files that resolve to the same plan id are an error for the second one.
    """
    docs: list[PlanDoc] = []
    files, failures = find_plan_files(paths)
    seen: dict[str, str] = {}
    for path in files:
        try:
            doc = ingest_file(path)
        except PlanGraphError as exc:
            failures.append(IngestFailure(str(path), exc))
            continue
        except Exception as exc:  # noqa: BLE001  whatever one file raises, the others are read
            message, hint = describe_exception(exc)
            failures.append(IngestFailure(str(path), InputError(f"{path}: {message}", hint=hint)))
            continue
        if doc.plan_id in seen:
            failures.append(IngestFailure(str(path), InputError(
                f"{path}: plan id {doc.plan_id!r} is already used by {seen[doc.plan_id]}",
                hint="give one of them a sidecar with a different id")))
            continue
        seen[doc.plan_id] = str(path)
        docs.append(doc)
    return docs, failures
