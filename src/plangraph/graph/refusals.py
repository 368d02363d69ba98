"""Ties the matcher refuses on what a row's name states beyond its facets (#24, after blind7).

* A population threshold (``20万人口以上的县``) the concept states otherwise (30万人口以上县特殊
  教育学校覆盖率): another share of counties.
* All graduates (``毕业生就业率``, no stage named by the row, its category or its table) are no
  one stage's graduates: a concept of one stage is not the row's.
"""

from __future__ import annotations

import re

from plangraph.extract.facets import IndicatorReading
from plangraph.graph.scheme import IndicatorConcept

_THRESHOLD = re.compile(r"(\d+(?:\.\d+)?)万人口")
# Stages of a whole level or less: a row of no stage is none of them.
_ONE_STAGE = frozenset({"preschool", "primary", "junior", "senior", "general-senior", "secondary-vocational",
                        "higher-vocational", "vocational", "higher", "special"})


def refused(reading: IndicatorReading, concept: IndicatorConcept) -> bool:
    """Whether ``concept`` is not the row's, on a threshold or on all graduates."""
    said = set(_THRESHOLD.findall(reading.full_name))
    if said:
        own = set(_THRESHOLD.findall("|".join(concept.labels) + concept.definition))
        if own and not said <= own:
            return True
    return ("stage" not in reading.facets and "graduates" in reading.facets.get("population", frozenset())
            and bool(concept.facet("stage") & _ONE_STAGE))
