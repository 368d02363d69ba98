"""Boundary types shared by every pipeline stage.

All are frozen dataclasses holding plain Python values. Offsets (``start``/``end``)
are character offsets into :attr:`PlanDoc.original`, the decoded file text exactly as
found, so that ``doc.original[start:end]`` gives back the quoted text. Normalisation
(:mod:`plangraph.text`) is length-preserving, so the same offsets also index
:attr:`PlanDoc.norm`; that identity *is* the map back to the original.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

SectionKind = Literal["part", "chapter", "heading", "inline", "column"]
PassageKind = Literal["paragraph", "window", "lead", "table_row", "title"]
TableKind = Literal["indicator", "task", "project", "generic"]
ExcludedKind = Literal["page_header", "page_footer", "duplicate_copy", "toc", "blank"]
Severity = Literal["info", "warning"]


def _check_span(owner: str, start: int, end: int) -> None:
    if start < 0 or end < start:
        raise ValueError(f"{owner}: bad span [{start}, {end})")


@dataclass(frozen=True)
class Finding:
    """Something ingestion noticed that a human may want to check.

    ``code`` is a stable machine-readable tag (``metadata-mismatch``, ``glued-cell``,
    ``truncated-table``, ``duplicate-copy``…); ``message`` is for people.
    """

    severity: Severity
    code: str
    message: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class PlanMeta:
    """Descriptive metadata of one plan.

    Values come from the sidecar file when there is one, else from the text and the
    file name; ``provenance`` says which (``{"title": "sidecar", ...}``).

    ``division_code`` is the plan's administrative division (``371300``),
    ``division`` its name with its parents (``山东省 临沂市``), ``division_level``
    ``province``, ``city`` or ``county``, ``division_cue`` where it was found
    (``title: 临沂市``; :mod:`plangraph.ingest.division`). ``kind`` says what the
    document is (``plan``, ``explainer``, ``report``, ``fragment``, ``other``) and
    ``kind_cue`` why (:mod:`plangraph.ingest.kinds`).
    """

    plan_id: str
    title: str
    source_file: str
    sha256: str
    encoding: str
    region: str | None = None
    level: str | None = None
    issuer: str | None = None
    issued: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    source_url: str | None = None
    header: tuple[tuple[str, str], ...] = ()
    provenance: tuple[tuple[str, str], ...] = ()
    division_code: str | None = None
    division: str | None = None
    division_level: str | None = None
    division_cue: str | None = None
    kind: str = "plan"
    kind_cue: str | None = None

    def __post_init__(self) -> None:
        if not SLUG_RE.match(self.plan_id):
            raise ValueError(
                f"plan id {self.plan_id!r} must be a short ASCII slug (a-z, 0-9, '-')"
            )
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError(f"plan {self.plan_id}: period ends before it starts")


@dataclass(frozen=True)
class Section:
    """A heading and the part of the plan it governs.

    ``level`` 1 is the top (``一、`` or ``第一章``; ``第一部分`` is level 0 when a plan
    has parts). ``kind`` is ``inline`` for numbered paragraphs that carry their heading
    inline (``2.强化高素质师资队伍建设。…``) and ``column`` for 专栏 boxes.
    ``start``/``end`` span the heading text itself.
    """

    section_id: str
    plan_id: str
    level: int
    kind: SectionKind
    number: str
    title: str
    path: tuple[str, ...]
    parent_id: str | None
    start: int
    end: int

    def __post_init__(self) -> None:
        _check_span(self.section_id, self.start, self.end)
        if not self.path or self.path[-1] != self.title:
            raise ValueError(f"{self.section_id}: path must end with the section title")


@dataclass(frozen=True)
class Cell:
    """One table cell: ``text`` is the exact original slice, ``value`` the cleaned text.

    ``flags`` marks cells a human should check: ``glued`` (two cells run together,
    e.g. ``0.305~7所``), ``multi-value`` (``>95>30``), ``continued`` (a cell split over
    lines and rejoined), ``suspect-ratio`` (``171`` that may mean 17:1).
    """

    text: str
    value: str
    start: int
    end: int
    flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_span("cell", self.start, self.end)


@dataclass(frozen=True)
class TableRow:
    """One row of a table, cells aligned to :attr:`Table.columns` (``None`` if absent).

    ``group`` is the category cell that spans several rows (``学前教育`` in an
    indicator table, a group line in a tab-separated table); ``sublabel`` the
    sub-row label under a parent indicator (``小学`` under ``校际优质均衡系数``).
    """

    row_id: str
    index: int
    cells: tuple[Cell | None, ...]
    start: int
    end: int
    group: Cell | None = None
    sublabel: Cell | None = None
    flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_span(self.row_id, self.start, self.end)

    def get(self, columns: tuple[str, ...], name: str) -> Cell | None:
        """The cell under column ``name`` (None when the row has no such cell)."""
        try:
            return self.cells[columns.index(name)]
        except ValueError:
            return None


@dataclass(frozen=True)
class Table:
    """A table reconstructed from the flattened or tab-separated form.

    ``kind``: ``indicator`` (targets with years and binding type), ``task`` (…发展任务表:
    项目名称/项目内容), ``project`` (…计划建设项目表: 序号/项目名称/建设规模/建设地点/起止年限/
    总投资(万元)), or ``generic``. ``years`` lists the year columns of an indicator table
    (``(2025,)``, or ``(2009, 2015, 2020)`` with the first being the baseline).
    """

    table_id: str
    plan_id: str
    kind: TableKind
    title: str
    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]
    section_id: str | None
    start: int
    end: int
    years: tuple[int, ...] = ()
    unit: str | None = None
    notes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_span(self.table_id, self.start, self.end)
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ValueError(
                    f"{self.table_id}: row {row.index} has {len(row.cells)} cells "
                    f"for {len(self.columns)} columns"
                )


@dataclass(frozen=True)
class Passage:
    """The unit that search and citations use.

    ``text`` is exactly ``original[start:end]`` (the quote); ``content`` is what is
    indexed and shown: the normalised text of a paragraph, or for a table row its
    cells labelled by column (``项目名称: 马溪幼儿园; 建设规模: 15班幼儿园; …``).
    """

    passage_id: str
    plan_id: str
    kind: PassageKind
    ordinal: int
    start: int
    end: int
    text: str
    content: str
    section_id: str | None = None
    section_path: tuple[str, ...] = ()
    table_id: str | None = None
    row_index: int | None = None
    topic: str | None = None
    """The paragraph's topic sentence or inline heading (``优化学前教育布局``), if any."""
    page: int | None = None
    """The 1-based page the passage starts on, for a plan read from a PDF."""

    def __post_init__(self) -> None:
        _check_span(self.passage_id, self.start, self.end)
        if not self.content.strip():
            raise ValueError(f"{self.passage_id}: empty passage")


@dataclass(frozen=True)
class Excluded:
    """A stretch of the original that is not plan content (page chrome, a second copy,
    a table of contents), kept so that nothing is dropped without a trace."""

    kind: ExcludedKind
    start: int
    end: int
    note: str = ""


@dataclass(frozen=True)
class OcrSpan:
    """A line of canonical text that OCR read from a scanned page.

    Attributes:
        page: 1-based page.
        start: Offset of the line's first character in the canonical text.
        end: Offset just past its last character.
        box: ``(x0, top, x1, bottom)`` of the line on the page, in PDF points from
            the page's top left.
        confidence: The recogniser's confidence, averaged over the line's characters.
    """

    page: int
    start: int
    end: int
    box: tuple[float, float, float, float]
    confidence: float


@dataclass(frozen=True)
class PlanDoc:
    """One ingested plan: metadata, the original text and its structure.

    For a plan published as HTML, Word or PDF, ``original`` is the canonical text its
    reader extracted (:mod:`plangraph.ingest.formats`): the text every offset indexes,
    which a build stores with the index. ``format`` names the reader; ``pages`` holds
    the offset where each page starts (PDF only; ``pages[0] == 0``).
    """

    meta: PlanMeta
    original: str
    norm: str
    sections: tuple[Section, ...]
    tables: tuple[Table, ...]
    passages: tuple[Passage, ...]
    excluded: tuple[Excluded, ...] = ()
    findings: tuple[Finding, ...] = field(default=())
    format: str = "text"
    pages: tuple[int, ...] = ()
    ocr: tuple[OcrSpan, ...] = ()
    """Lines of ``original`` read by OCR from scanned PDF pages (page, offsets, box)."""

    def __post_init__(self) -> None:
        if len(self.norm) != len(self.original):
            raise ValueError(f"{self.meta.plan_id}: normalised text changed length")
        if self.pages and (self.pages[0] != 0 or list(self.pages) != sorted(self.pages)):
            raise ValueError(f"{self.meta.plan_id}: page offsets must start at 0 and ascend")

    def page_of(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, or None for a plan without pages."""
        return bisect.bisect_right(self.pages, offset) if self.pages else None

    @property
    def plan_id(self) -> str:
        return self.meta.plan_id

    def section(self, section_id: str | None) -> Section | None:
        """The section with this id, or None."""
        for s in self.sections:
            if s.section_id == section_id:
                return s
        return None

    def quote(self, start: int, end: int) -> str:
        """The exact original text of a span."""
        return self.original[start:end]

    @cached_property
    def row_passage_ids(self) -> dict[tuple[str, int], str]:
        """(table id, row index) → the id of that row's passage, built once: looking each
        row up by scanning the passages made extraction quadratic in a plan's size."""
        return {(p.table_id, p.row_index): p.passage_id for p in self.passages
                if p.kind == "table_row" and p.table_id is not None and p.row_index is not None}


@dataclass(frozen=True)
class EntityRef:
    """An entity stated in a passage, as search results and the app show it."""

    iri: str
    kind: str
    label: str


@dataclass(frozen=True)
class Hit:
    """One search result: a passage, its rank and fused score, and what it states."""

    rank: int
    score: float
    plan: str
    passage_id: str
    passage_iri: str
    section: str
    text: str
    quote: str
    start: int
    end: int
    entities: tuple[EntityRef, ...] = ()
    sources: tuple[tuple[str, int], ...] = ()
    matched: str = ""
    """The sentence of ``text`` closest to the query, for a paragraph of an index with
    sentence vectors (all of ``text`` when it is one sentence); empty otherwise."""
    scope_weight: float = 1.0
    """What the fused score was multiplied by: below 1 for a passage of a plan outside
    the query's scope (:mod:`plangraph.search.read.scope`)."""
    page: int | None = None
    """The page the quote starts on, for a plan read from a PDF."""

    @property
    def best_sentence(self) -> str | None:
        """:attr:`matched` when it is only part of the passage: the sentence worth
        pointing a reader to."""
        return self.matched if self.matched and self.matched.strip() != self.text.strip() else None

    def __post_init__(self) -> None:
        if self.rank < 1:
            raise ValueError("hit ranks start at 1")
