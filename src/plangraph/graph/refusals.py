"""Ties the matcher refuses on what a row's name states beyond its facets (#24, after blind7).

* A population threshold (``20万人口以上的县``) the concept states otherwise (30万人口以上县特殊
  教育学校覆盖率): another share of counties.
* All graduates (``毕业生就业率``, no stage named by the row, its category or its table) are no
  one stage's graduates: a concept of one stage is not the row's.
* Higher education counted whole (``高等教育`` under ``毕业生总数``: the statistics' postgraduates,
  regular and adult undergraduates together) is no count of the regular institutions, which
  every wording of such a concept names (普通本专科招生, 普通高校招生数, 高等学校招生数).
"""

from __future__ import annotations

import re

from plangraph.extract.facets import IndicatorReading
from plangraph.graph.scheme import IndicatorConcept

_THRESHOLD = re.compile(r"(\d+(?:\.\d+)?)万人口")
# Stages of a whole level or less: a row of no stage is none of them.
_ONE_STAGE = frozenset({"preschool", "primary", "junior", "senior", "general-senior", "secondary-vocational",
                        "higher-vocational", "vocational", "higher", "special"})

_WHOLE_HIGHER = re.compile(r"(?<!普通)(?<!成人)高等教育")
_REGULAR = ("普通", "本专科", "高校", "高等学校")


def _whole_higher(reading: IndicatorReading, concept: IndicatorConcept) -> bool:
    return (bool(_WHOLE_HIGHER.search(reading.full_name)) and "count" in reading.facets.get("measure", frozenset())
            and "degree" not in reading.facets and "count" in concept.facet("measure")
            and all(any(word in label for word in _REGULAR) for label in concept.labels))


def refused(reading: IndicatorReading, concept: IndicatorConcept) -> bool:
    """Whether ``concept`` is not the row's, on a threshold, all graduates or all of higher education."""
    if _whole_higher(reading, concept):
        return True
    said = set(_THRESHOLD.findall(reading.full_name))
    if said:
        own = set(_THRESHOLD.findall("|".join(concept.labels) + concept.definition))
        if own and not said <= own:
            return True
    return ("stage" not in reading.facets and "graduates" in reading.facets.get("population", frozenset())
            and bool(concept.facet("stage") & _ONE_STAGE))
