"""The extract stage: a plan document in, every mention it states out.

``extract(doc)`` is deterministic and offline. Tables give indicators, programmes and
projects (:mod:`plangraph.extract.tables`); prose gives commitments, bodies, places
and cited documents (:mod:`plangraph.extract.prose`).
"""

from __future__ import annotations

import dataclasses
import re

from plangraph.extract.mentions import Commitment, Evidence, Extraction, Indicator, Programme, Project
from plangraph.extract.prose import extract_prose
from plangraph.extract.tables import indicators, programmes, projects
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
    if doc.meta.kind == "report":
        commitments = tuple(_as_reported(c) for c in commitments)
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


_REPORTED_YEAR = re.compile(r"((?:19|20)\d{2})年")
_AHEAD = re.compile(r"到(?:19|20)\d{2}|力争|计划|预计|将")


def _as_reported(c: Commitment) -> Commitment:
    """A report's sentence (``2022年，九年义务教育巩固率达到103.7%``) states what was
    reached, not a target: its amounts say so in their qualifier (``2022年实际``, or
    ``实际`` without a year). A sentence that looks ahead (到2025年, 力争) is left alone."""
    if not c.quantities or _AHEAD.search(c.text):
        return c
    m = _REPORTED_YEAR.search(c.text)
    mark = f"{m.group(1)}年实际" if m and c.quantities[0].evidence.quote not in c.text[:m.start()] else "实际"
    quantities = tuple(dataclasses.replace(q, qualifier=f"{mark} {q.qualifier}" if q.qualifier else mark)
                       for q in c.quantities)
    return dataclasses.replace(c, quantities=quantities)
