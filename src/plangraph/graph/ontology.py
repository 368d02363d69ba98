"""The ontology files and SHACL validation against them.

``ontology/`` holds ``plangraph.ttl`` (classes and properties), ``concepts.ttl`` (SKOS
schemes) and ``shapes.ttl`` (SHACL shapes). In a source checkout they are read from
there; a wheel installs them to ``<prefix>/share/plangraph/ontology``.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import RDF, Dataset, Graph

from plangraph.errors import PlanGraphError
from plangraph.resources import ontology_dir
from plangraph.graph.vocab import BoundNamespaces


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


def validate(ds: Dataset) -> ValidationReport:
    """Validate the union of all graphs of ``ds`` against the SHACL shapes."""
    import time

    import pyshacl
    from rdflib.namespace import SH

    t0 = time.perf_counter()
    data = Graph()
    data.namespace_manager = BoundNamespaces(data)
    data.addN((s, p, o, data) for s, p, o, _ in ds.quads((None, None, None, None)))
    shapes = Graph()
    shapes.namespace_manager = BoundNamespaces(shapes)
    shapes.parse(ontology_dir() / "shapes.ttl", format="turtle")
    conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
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
