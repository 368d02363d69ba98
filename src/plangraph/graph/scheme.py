"""The indicator scheme: what Chinese education plans measure, as SKOS concepts.

``ontology/indicator-scheme.ttl`` holds the concepts of ``pgc:indicator-concepts``:
a key (``skos:notation``), Chinese and English labels, the wordings plans use
(``skos:altLabel``), a unit, a direction, the stage it belongs to (``skos:broader``)
and the facets that tell it from its neighbours (``pg:facet "stage=preschool"``).
It is parsed once per process; the matcher (:mod:`plangraph.graph.matcher`) and the
side-by-side comparison read it through :func:`concepts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from plangraph.errors import PlanGraphError
from plangraph.graph.vocab import INDICATOR_SCHEME, PG
from plangraph.resources import ontology_dir

SCHEME_FILE = "indicator-scheme.ttl"
FACET_KEYS = ("stage", "measure", "population", "degree", "span", "ownership", "aspect", "basis")


@dataclass(frozen=True)
class IndicatorConcept:
    """One concept of the indicator scheme.

    ``facets`` are ``(key, value)`` pairs (``("stage", "preschool")``); ``close`` the
    keys of concepts that are near but not the same (``skos:closeMatch``).
    """

    key: str
    label: str
    alt_labels: tuple[str, ...]
    label_en: str = ""
    definition: str = ""
    unit: str | None = None
    direction: str | None = None
    broader: str | None = None
    facets: tuple[tuple[str, str], ...] = ()
    close: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.key or not self.label:
            raise ValueError(f"indicator concept {self.key!r} without a key or a Chinese label")
        for k, v in self.facets:
            if k not in FACET_KEYS or not v:
                raise ValueError(f"indicator concept {self.key!r}: facet {k}={v!r}; "
                                 f"keys are: {', '.join(FACET_KEYS)}")

    @property
    def labels(self) -> tuple[str, ...]:
        """The preferred label and the alternative labels, each once."""
        return tuple(dict.fromkeys((self.label, *self.alt_labels)))

    def facet(self, key: str) -> frozenset[str]:
        return frozenset(v for k, v in self.facets if k == key)


def _local(iri: object) -> str:
    return str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


@lru_cache(maxsize=1)
def concepts() -> tuple[IndicatorConcept, ...]:
    """The concepts of ``ontology/indicator-scheme.ttl``, in key order (parsed once).

    Raises:
        PlanGraphError: the file is missing or a concept breaks the scheme's contract.
    """
    from rdflib import Graph, Literal
    from rdflib.namespace import RDF, SKOS

    path = ontology_dir() / SCHEME_FILE
    try:
        g = Graph().parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise PlanGraphError(f"{path}: cannot read the indicator scheme ({exc})",
                             hint="the file is Turtle; check its last edit") from None

    def text(node: object, prop: object, lang: str) -> list[str]:
        return sorted(str(o) for o in g.objects(node, prop)  # type: ignore[arg-type]
                      if isinstance(o, Literal) and (o.language or "zh") == lang)

    out = []
    for node in g.subjects(SKOS.inScheme, INDICATOR_SCHEME):
        if (node, RDF.type, SKOS.Concept) not in g:
            continue
        key = str(g.value(node, SKOS.notation) or _local(node))
        zh, en = text(node, SKOS.prefLabel, "zh"), text(node, SKOS.prefLabel, "en")
        facets = []
        for f in g.objects(node, PG.facet):
            k, _, v = str(f).partition("=")
            facets.append((k.strip(), v.strip()))
        broader = g.value(node, SKOS.broader)
        direction = g.value(node, PG.direction)
        unit = g.value(node, PG.unit)
        try:
            out.append(IndicatorConcept(
                key, zh[0] if zh else "", tuple(text(node, SKOS.altLabel, "zh")), en[0] if en else "",
                (text(node, SKOS.definition, "zh") or text(node, SKOS.definition, "en") or [""])[0],
                str(unit) if unit is not None else None, _local(direction) if direction is not None else None,
                _local(broader) if broader is not None else None, tuple(sorted(facets)),
                tuple(sorted(_local(c) for c in g.objects(node, SKOS.closeMatch)))))
        except ValueError as exc:
            raise PlanGraphError(f"{path}: {exc}") from None
    return tuple(sorted(out, key=lambda c: c.key))


def concept(key: str) -> IndicatorConcept:
    """The concept of ``key``.

    Raises:
        PlanGraphError: no concept has that key.
    """
    found = {c.key: c for c in concepts()}.get(key)
    if found is None:
        raise PlanGraphError(f"unknown indicator concept {key!r}",
                             hint=f"the keys are the skos:notation values of ontology/{SCHEME_FILE}")
    return found
