"""The ontology files and SHACL validation against them.

``ontology/`` holds ``plangraph.ttl`` (classes and properties), ``concepts.ttl`` (SKOS
schemes) and ``shapes.ttl`` (SHACL shapes). In a source checkout they are read from
there; a wheel installs them to ``<prefix>/share/plangraph/ontology``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Dataset, Graph

from plangraph.errors import PlanGraphError
from plangraph.graph.vocab import BoundNamespaces
from plangraph.resources import ontology_dir


@dataclass(frozen=True)
class Violation:
    """One SHACL result: the node at fault, the property path and the message."""

    focus: str
    path: str
    message: str
    severity: str


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a dataset against ``ontology/shapes.ttl``."""

    conforms: bool
    violations: tuple[Violation, ...]
    triples: int
    seconds: float


SHACL_ENGINES = ("turbo", "pyshacl")
"""``turbo``: pyshacl-turbo, a Rust engine with pySHACL's API, the default (a plan's
graph with the ontology: 0.23–0.30 s against pySHACL's 1.40 s, the same violations on
a graph with 60 injected faults; ``tests/test_shacl_engines.py`` keeps checking that);
``pyshacl``: the reference implementation."""


def _shapes() -> Graph:
    shapes = Graph()
    shapes.namespace_manager = BoundNamespaces(shapes)
    shapes.parse(ontology_dir() / "shapes.ttl", format="turtle")
    return shapes


def validate(ds: Dataset, *, engine: str = "turbo") -> ValidationReport:
    """Validate the union of all graphs of ``ds`` against the SHACL shapes.

    Raises:
        PlanGraphError: an unknown ``engine`` (see :data:`SHACL_ENGINES`).
    """
    import time

    from rdflib.namespace import SH

    if engine not in SHACL_ENGINES:
        raise PlanGraphError(f"unknown SHACL engine {engine!r}; choose one of: {', '.join(SHACL_ENGINES)}")
    if engine == "turbo":
        import pyshacl_turbo as shacl
    else:
        import pyshacl as shacl  # type: ignore[no-redef]
    t0 = time.perf_counter()
    data = Graph()
    data.namespace_manager = BoundNamespaces(data)
    data.addN((s, p, o, data) for s, p, o, _ in ds.quads((None, None, None, None)))
    conforms, report, _text = shacl.validate(data, shacl_graph=_shapes(), inference="none")
    violations = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        violations.append(
            Violation(
                focus=str(report.value(r, SH.focusNode)),
                path=str(report.value(r, SH.resultPath)),
                message=str(report.value(r, SH.resultMessage)),
                severity=str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
            )
        )
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return ValidationReport(bool(conforms), tuple(violations), len(data), time.perf_counter() - t0)
