"""The extract stage: a plan document in, every mention it states out.

``extract(doc)`` is deterministic and offline. Tables give indicators, programmes and
projects (:mod:`plangraph.extract.tables`); prose gives commitments, bodies, places
and cited documents (:mod:`plangraph.extract.prose`).
"""

from __future__ import annotations

from plangraph.extract.tables import indicators, programmes, projects
from plangraph.extract.prose import extract_prose
from plangraph.extract.mentions import Evidence, Extraction, Indicator, Programme, Project
from plangraph.model import PlanDoc


def extract(doc: PlanDoc) -> Extraction:
    """All mentions of one ingested plan, each with its evidence in the original text."""
    found_indicators: list[Indicator] = []
    found_programmes: list[Programme] = []
    found_projects: list[Project] = []
    table_places: dict[str, list[Evidence]] = {}
    for table in doc.tables:
        if table.kind == "indicator":
            found_indicators.extend(indicators(doc, table))
        elif table.kind == "task":
            found_programmes.extend(programmes(doc, table))
        elif table.kind == "project":
            rows, places = projects(doc, table)
            found_projects.extend(rows)
            for name, evs in places.items():
                table_places.setdefault(name, []).extend(evs)
    commitments, organizations, places_found, documents = extract_prose(doc, table_places)
    return Extraction(
        plan_id=doc.plan_id,
        region=doc.meta.region or doc.plan_id,
        indicators=tuple(found_indicators),
        programmes=tuple(found_programmes),
        projects=tuple(found_projects),
        commitments=commitments,
        organizations=organizations,
        places=places_found,
        documents=documents,
    )
