"""What narrows a search: passages stating entities of some kinds, on some themes or
for some target groups; and the text around a passage for a result card."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from plangraph.errors import UsageError
from plangraph.graph.browse import KIND_CLASSES
from plangraph.ingest.gazetteer import Division
from plangraph.ingest.kinds import DOCUMENT_KINDS
from plangraph.ingest.segment import plan_of_id, row_cells
from plangraph.model import EntityRef, Passage
from plangraph.search.read.scope import PlanProfile, plans_in_places

if TYPE_CHECKING:
    from plangraph.search.index import PassageIndex


def _check_choices(what: str, given: Collection[str], valid: Collection[str]) -> None:
    unknown = sorted(set(given) - set(valid))
    if unknown:
        raise UsageError(f"unknown {what} {unknown[0]!r}; choose one of: {', '.join(valid)}")


def passage_filter(entities_for: Callable[[str], tuple[EntityRef, ...]],
                   concepts_for: Callable[[str], frozenset[str]], *,
                   kinds: Collection[str] = (), themes: Collection[str] = (),
                   groups: Collection[str] = ()) -> Callable[[str], bool] | None:
    """A predicate on passage ids for search: the passage states an entity of one of
    ``kinds`` (table kinds or class names), and a commitment there has one of
    ``themes`` (stages count as themes) and one of ``groups``. None when nothing is chosen.
    """
    if not (kinds or themes or groups):
        return None
    _check_choices("entity kind", kinds, (*KIND_CLASSES, *KIND_CLASSES.values()))
    from plangraph.extract.lexicon import concepts

    _check_choices("theme", themes, [c.key for c in concepts() if c.scheme != "group"])
    _check_choices("target group", groups, [c.key for c in concepts() if c.scheme == "group"])
    classes = {KIND_CLASSES.get(k, k) for k in kinds}
    theme_keys, group_keys = set(themes), set(groups)

    def accept(passage_id: str) -> bool:
        if classes and not any(e.kind in classes for e in entities_for(passage_id)):
            return False
        if not (theme_keys or group_keys):
            return True
        keys = concepts_for(passage_id)
        return not (theme_keys and not theme_keys & keys) and not (group_keys and not group_keys & keys)

    return accept


def plans_matching(plans: Sequence[PlanProfile], *, place: str | None = None,
                   kind: str | None = None) -> list[str]:
    """Ids of the plans of a place (a division and everything under it, by name,
    short name or code: 临沂市, 临沂, 371300) and of a document kind.

    Raises:
        UsageError: a place the gazetteer does not know, or an unknown kind.
    """
    chosen = list(plans)
    if place is not None:
        chosen = plans_in_places(chosen, _divisions(place))
    if kind is not None:
        _check_choices("document kind", [kind], DOCUMENT_KINDS)
        chosen = [p for p in chosen if (p.kind or "plan") == kind]
    return [p.plan_id for p in chosen]


def chosen_plans(plans: Sequence[Mapping[str, Any]], plan: str | Sequence[str] | None = None, *,
                 place: str | None = None, kind: str | None = None) -> list[str]:
    """Ids of the plans of :meth:`Workspace.plans <plangraph.workspace.Workspace.plans>`
    records that are of ``place`` (a division and the divisions under it: 临沂市, 临沂,
    371300) and of document ``kind`` (plan, explainer, report …), and ``plan`` if given.
    A plan with no passage (a contents page alone) is not searched, so not chosen."""
    profiles = [PlanProfile.from_meta(p["meta"]) for p in plans if p.get("counts", {}).get("passages", 1)]
    given = None if plan is None else {plan} if isinstance(plan, str) else set(plan)
    return [p for p in plans_matching(profiles, place=place, kind=kind) if given is None or p in given]


def _divisions(place: str) -> tuple[Division, ...]:
    from plangraph.ingest.gazetteer import gazetteer

    g = gazetteer()
    name = place.strip()
    if name.isdigit() and (d := g.get(name[:6].ljust(6, "0"))) is not None:
        return (d,)
    found = g.lookup(name)
    if not found:
        raise UsageError(f"unknown place {place!r}; give a province, city or county by name "
                         "(临沂市, 临沂) or by its six-digit code (371300)")
    return found


def passage_context(passages: Sequence[Passage], passage_id: str, chars: int = 80) -> tuple[str, str]:
    """The end of the passage before and the start of the passage after ``passage_id``
    in the same plan (``""`` at either end of the plan). A neighbouring row of the same
    table shows without the table title that its indexed text starts with."""
    for i, p in enumerate(passages):
        if p.passage_id == passage_id:
            prev = passages[i - 1] if i > 0 and passages[i - 1].plan_id == p.plan_id else None
            nxt = passages[i + 1] if i + 1 < len(passages) and passages[i + 1].plan_id == p.plan_id else None
            prev_text = _beside(prev, p) if prev else ""
            next_text = _beside(nxt, p) if nxt else ""
            before, after = prev_text[-chars:], next_text[:chars]
            return ("…" + before if len(prev_text) > chars else before,
                    after + "…" if len(next_text) > chars else after)
    return "", ""


def context_in_index(index: PassageIndex, passage_id: str, chars: int = 80) -> tuple[str, str]:
    """:func:`passage_context` of a passage of a local index, reading only its plan's shard
    (the first result card used to read every shard's passages: 2.8 s at 500 plans)."""
    try:
        row = index.row_in_plan(plan_of_id(passage_id), passage_id)
    except KeyError:
        return "", ""
    near = [index.passages[i] for i in range(max(row - 1, 0), min(row + 2, len(index.passages)))]
    return passage_context(near, passage_id, chars)


def _beside(neighbour: Passage, p: Passage) -> str:
    """``neighbour``'s text as context for ``p``: a row of the same table by its cells,
    without the table title its indexed text starts with."""
    if neighbour.table_id is not None and neighbour.table_id == p.table_id:
        return row_cells(neighbour.content)
    return neighbour.content
