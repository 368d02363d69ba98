"""Boundary types of the extraction stage: what a plan states, with where it says it.

Every mention carries :class:`Evidence`: the passage it came from, character offsets
into :attr:`plangraph.model.PlanDoc.original` and the exact quote, so that
``doc.original[e.start:e.end] == e.quote`` always holds. Numbers are ``Decimal`` so
that ``0.30`` stays ``0.30`` on its way into RDF and exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Comparator = Literal["=", "≥", ">", "≤", "<", "≈"]
COMPARATORS: tuple[str, ...] = ("=", "≥", ">", "≤", "<", "≈")
ValueRole = Literal["baseline", "target", "actual"]
BINDINGS: tuple[str, ...] = ("约束性", "预期性")


@dataclass(frozen=True)
class Evidence:
    """Where a mention was stated: passage, span into the original text, exact quote."""

    passage_id: str | None
    start: int
    end: int
    quote: str

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"evidence: bad span [{self.start}, {self.end})")
        if len(self.quote) != self.end - self.start:
            raise ValueError(
                f"evidence [{self.start}, {self.end}): quote has {len(self.quote)} characters"
            )


@dataclass(frozen=True)
class Quantity:
    """A number stated with its unit and comparison: ``不低于3%`` is ``≥ 3 %``.

    ``upper`` is set for ranges (``5~7所``: value 5, upper 7); ``qualifier`` keeps
    the words that say what kind of amount it is (``每年下降``, ``新增``, ``每天``).
    """

    value: Decimal
    unit: str | None
    comparator: str
    evidence: Evidence
    upper: Decimal | None = None
    qualifier: str | None = None

    def __post_init__(self) -> None:
        if self.comparator not in COMPARATORS:
            raise ValueError(
                f"quantity comparator {self.comparator!r}; choose one of: {', '.join(COMPARATORS)}"
            )
        if self.upper is not None and self.upper < self.value:
            raise ValueError(f"quantity range {self.value}~{self.upper} runs backwards")


@dataclass(frozen=True)
class IndicatorValue:
    """One value of an indicator in one year column: a number, or text (``通过``)."""

    year: int
    role: ValueRole
    comparator: str
    number: Decimal | None
    text: str
    evidence: Evidence
    note: str | None = None

    def __post_init__(self) -> None:
        if self.comparator not in COMPARATORS:
            raise ValueError(
                f"indicator value comparator {self.comparator!r}; "
                f"choose one of: {', '.join(COMPARATORS)}"
            )
        if self.number is None and not self.text:
            raise ValueError("indicator value has neither a number nor text")


@dataclass(frozen=True)
class Indicator:
    """One row of an indicator table (a sub-row label is part of the name)."""

    plan_id: str
    table_id: str
    table_title: str
    row_index: int
    category: str | None
    name: str
    sublabel: str | None
    unit: str | None
    binding: str | None
    values: tuple[IndicatorValue, ...]
    evidence: Evidence

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError(f"{self.table_id} row {self.row_index}: indicator without a name")
        if self.binding is not None and self.binding not in BINDINGS:
            raise ValueError(
                f"indicator binding {self.binding!r}; choose one of: {', '.join(BINDINGS)}"
            )

    @property
    def label(self) -> str:
        """The name with its sub-row label (``校际优质均衡系数 小学``)."""
        return f"{self.name} {self.sublabel}" if self.sublabel else self.name

    @property
    def target_year(self) -> int | None:
        years = [v.year for v in self.values if v.role == "target"]
        return max(years) if years else None


@dataclass(frozen=True)
class Programme:
    """One item of a task table (项目名称 / 项目内容)."""

    plan_id: str
    table_id: str
    table_title: str
    seq: int | None
    name: str
    content: str
    quantities: tuple[Quantity, ...]
    evidence: Evidence

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError(f"{self.table_id}: programme without a name")


@dataclass(frozen=True)
class Project:
    """One row of a construction-project table; investment in 万元."""

    plan_id: str
    table_id: str
    table_title: str
    seq: int | None
    name: str
    scale: str | None
    classes: int | None
    school_type: str | None
    location: str | None
    start_year: int | None
    end_year: int | None
    investment_wan: Decimal | None
    evidence: Evidence

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError(f"{self.table_id}: project without a name")
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValueError(f"project {self.name}: ends before it starts")

    @property
    def investment_yuan(self) -> Decimal | None:
        return None if self.investment_wan is None else self.investment_wan * 10000


@dataclass(frozen=True)
class Organization:
    """A body named in a plan, merged within the plan under one canonical name."""

    plan_id: str
    region: str
    name: str
    aliases: tuple[str, ...]
    mentions: tuple[Evidence, ...]

    def __post_init__(self) -> None:
        if not self.name or not self.mentions:
            raise ValueError("organization needs a name and at least one mention")


@dataclass(frozen=True)
class Place:
    """A named place (街道, 镇, 新城, 科技城) in the plan's region."""

    plan_id: str
    region: str
    name: str
    place_type: str
    mentions: tuple[Evidence, ...]

    def __post_init__(self) -> None:
        if not self.name or not self.mentions:
            raise ValueError("place needs a name and at least one mention")


@dataclass(frozen=True)
class CitedDocument:
    """A document the plan cites by title in 《…》."""

    plan_id: str
    title: str
    mentions: tuple[Evidence, ...]

    def __post_init__(self) -> None:
        if not self.title or not self.mentions:
            raise ValueError("cited document needs a title and at least one mention")


@dataclass(frozen=True)
class Clause:
    """One action of a commitment sentence with its object (``推进校长职级制改革``) or
    one target (``普惠性幼儿园覆盖面达到90%``): see :mod:`plangraph.extract.clauses`.
    ``text`` is normalised like :attr:`Commitment.text`; the evidence quotes the original.

    ``quantities``, ``deadlines`` and ``bodies`` are those of the sentence that belong
    to this clause: stated inside it, or stated before the sentence's first clause
    (``到2025年,…`` and a leading subject govern every clause).
    """

    text: str
    action: str
    evidence: Evidence
    quantities: tuple[Quantity, ...] = ()
    deadlines: tuple[int, ...] = ()
    bodies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.text) != len(self.evidence.quote) or not self.text.strip():
            raise ValueError(f"clause {self.text!r}: its quote {self.evidence.quote!r} has another length")


@dataclass(frozen=True)
class Commitment:
    """A measure stated in prose (one sentence), with what it is about.

    ``clauses`` are its atomic commitments, one action each, in text order (one clause
    for a sentence with one action); the sentence stays the commitment and its context.

    ``bodies`` and ``places`` hold canonical names that match
    :attr:`Organization.name` and :attr:`Place.name` of the same extraction;
    ``themes`` and ``target_groups`` hold concept keys of ``concepts.ttl``.
    """

    plan_id: str
    section_id: str | None
    section_path: tuple[str, ...]
    text: str
    themes: tuple[str, ...]
    target_groups: tuple[str, ...]
    quantities: tuple[Quantity, ...]
    deadlines: tuple[int, ...]
    bodies: tuple[str, ...]
    places: tuple[str, ...]
    evidence: Evidence
    clauses: tuple[Clause, ...] = ()

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError("empty commitment")


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one plan."""

    plan_id: str
    region: str
    indicators: tuple[Indicator, ...] = ()
    programmes: tuple[Programme, ...] = ()
    projects: tuple[Project, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    organizations: tuple[Organization, ...] = ()
    places: tuple[Place, ...] = ()
    documents: tuple[CitedDocument, ...] = ()

    def counts(self) -> dict[str, int]:
        """How many mentions of each kind (for reports and benchmarks)."""
        return {
            "indicators": len(self.indicators),
            "programmes": len(self.programmes),
            "projects": len(self.projects),
            "commitments": len(self.commitments),
            "organizations": len(self.organizations),
            "places": len(self.places),
            "documents": len(self.documents),
        }
