"""The indicator scheme (ontology/indicator-scheme.ttl) is complete and consistent: every
concept carries what the matcher and the cross-plan views read (labels, definition, unit,
direction, stage, facets), facet values come from the agreed vocabularies, and no wording
is claimed by two concepts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import SKOS

from .conftest import ROOT

PG = Namespace("https://w3id.org/plangraph/ontology#")
PGC = Namespace("https://w3id.org/plangraph/concept/")
SCHEME = PGC["indicator-concepts"]

FACET_VALUES: dict[str, set[str] | None] = {
    "stage": {"preschool", "primary", "junior", "compulsory", "senior", "general-senior",
              "secondary-vocational", "higher-vocational", "vocational", "higher", "special",
              "lifelong", "all"},
    "measure": {"rate", "ratio", "count", "years", "money", "area", "per-student",
                "class-size", "level"},
    "degree": {"associate", "bachelor", "postgraduate"},
    "span": {"one-year", "two-year", "three-year"},
    "ownership": {"public", "inclusive", "private"},
    "population": None,  # open list (students, teachers, disabled, migrant, working-age …)
    "aspect": None,  # free word
    "basis": {"gross", "net"},  # of an enrolment rate: every child enrolled, or only those of the age
}
DIRECTIONS = {PG.HigherIsBetter, PG.LowerIsBetter, PG.NoDirection}
# The keys of the first, 15-concept scheme (src/plangraph/data/indicator_concepts.tsv):
# graphs and reviewed ties already name them.
FIRST_KEYS = {
    "preschool-gross-enrolment", "preschool-one-year-enrolment", "inclusive-kindergarten-coverage",
    "public-kindergarten-coverage", "compulsory-retention", "migrant-children-public-school",
    "senior-secondary-gross-enrolment", "higher-gross-enrolment", "special-needs-enrolment",
    "preschool-teacher-qualification", "compulsory-teacher-degree", "expected-years-of-schooling",
    "working-age-years-of-schooling", "new-workforce-years-of-schooling",
    "workforce-continuing-education",
}


@pytest.fixture(scope="module")
def scheme() -> Graph:
    return Graph().parse(ROOT / "ontology" / "indicator-scheme.ttl", format="turtle")


@pytest.fixture(scope="module")
def stages(scheme: Graph) -> set[URIRef]:
    """The stage concepts of ``concepts.ttl`` and the scheme's own ``pgc:all-stages``."""
    base = Graph().parse(ROOT / "ontology" / "concepts.ttl", format="turtle")
    found = set(base.subjects(SKOS.inScheme, PGC.stages)) | set(scheme.subjects(SKOS.inScheme, PGC.stages))
    return {s for s in found if isinstance(s, URIRef)}


@pytest.fixture(scope="module")
def concepts(scheme: Graph) -> list[URIRef]:
    return sorted(c for c in scheme.subjects(SKOS.inScheme, SCHEME) if isinstance(c, URIRef))


def _labels(g: Graph, c: URIRef, prop: URIRef, lang: str) -> list[str]:
    return [str(o) for o in g.objects(c, prop) if getattr(o, "language", None) == lang]


def test_the_scheme_has_at_least_120_concepts_and_keeps_the_first_keys(concepts: list[URIRef]) -> None:
    assert len(concepts) >= 120
    keys = {str(c).removeprefix(str(PGC)) for c in concepts}
    assert FIRST_KEYS <= keys, FIRST_KEYS - keys


def test_every_concept_has_labels_definition_unit_direction_and_notation(
    scheme: Graph, concepts: list[URIRef]
) -> None:
    notations = Counter()
    for c in concepts:
        key = str(c).removeprefix(str(PGC))
        assert len(_labels(scheme, c, SKOS.prefLabel, "zh")) == 1, key
        assert len(_labels(scheme, c, SKOS.prefLabel, "en")) == 1, key
        assert _labels(scheme, c, SKOS.definition, "zh") and _labels(scheme, c, SKOS.definition, "en"), key
        units = [str(u) for u in scheme.objects(c, PG.unit)]
        assert len(units) == 1 and units[0].strip(), key
        directions = set(scheme.objects(c, PG.direction))
        assert len(directions) == 1 and directions <= DIRECTIONS, key
        notation = [str(n) for n in scheme.objects(c, SKOS.notation)]
        assert notation == [key], key
        notations[key] += 1
    assert max(notations.values()) == 1


def test_every_concept_sits_under_a_stage_and_names_its_stage_and_measure(
    scheme: Graph, concepts: list[URIRef], stages: set[URIRef]
) -> None:
    assert PGC.preschool in stages and PGC["all-stages"] in stages
    for c in concepts:
        broader = set(scheme.objects(c, SKOS.broader))
        assert len(broader) == 1 and broader <= stages, c
        facets = [str(f) for f in scheme.objects(c, PG.facet)]
        keys = Counter(f.split("=", 1)[0] for f in facets)
        assert keys["stage"] == 1 and keys["measure"] == 1, (c, facets)
        for f in facets:
            name, _, value = f.partition("=")
            assert name in FACET_VALUES and value, (c, f)
            allowed = FACET_VALUES[name]
            assert allowed is None or value in allowed, (c, f)


def test_facets_tell_every_two_concepts_apart(scheme: Graph, concepts: list[URIRef]) -> None:
    seen: dict[frozenset[str], URIRef] = {}
    for c in concepts:
        facets = frozenset(str(f) for f in scheme.objects(c, PG.facet))
        assert facets not in seen, f"{c} and {seen[facets]} have the same facets {sorted(facets)}"
        seen[facets] = c


def test_no_wording_belongs_to_two_concepts(scheme: Graph, concepts: list[URIRef]) -> None:
    owner: dict[str, URIRef] = {}
    for c in concepts:
        for label in set(_labels(scheme, c, SKOS.prefLabel, "zh") + _labels(scheme, c, SKOS.altLabel, "zh")):
            assert label not in owner or owner[label] == c, f"{label!r}: {owner.get(label)} and {c}"
            owner[label] = c


def test_close_matches_point_to_concepts_of_the_scheme_and_not_to_themselves(
    scheme: Graph, concepts: list[URIRef]
) -> None:
    known = set(concepts)
    pairs = 0
    for c in concepts:
        for other in scheme.objects(c, SKOS.closeMatch):
            assert other in known and other != c, (c, other)
            assert (other, SKOS.closeMatch, c) in scheme, f"{other} does not name {c} back"
            pairs += 1
    assert pairs >= 40
    # the near misses the scheme exists to keep apart are declared close, not equal
    assert (PGC["working-age-years-of-schooling"], SKOS.closeMatch,
            PGC["main-working-age-years-of-schooling"]) in scheme
    assert (PGC["preschool-gross-enrolment"], SKOS.closeMatch, PGC["preschool-one-year-enrolment"]) in scheme


# ---- the labelled sets in tests/data (pairs, sources, unseen tables) ----

DATA = ROOT / "tests" / "data"
PAIR_HEADER = ("split\tsame\ta_plan\ta_name\ta_parent\ta_category\ta_unit\t"
               "b_plan\tb_name\tb_parent\tb_category\tb_unit\twhy")
TABLE_HEADER = "name\tparent\tcategory\tunit\tbaseline\ttarget\tbinding\tgold"


def _rows(path: Path, header: str) -> list[list[str]]:
    lines = path.read_text("utf-8").splitlines()
    assert lines[0] == header, path
    width = header.count("\t") + 1
    rows = [line.split("\t") for line in lines[1:] if line]
    for n, row in enumerate(rows, start=2):
        assert len(row) == width, f"{path.name}:{n} has {len(row)} cells, not {width}"
    return rows


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    rows = _rows(DATA / "indicator_sources.tsv", "plan\ttitle\twhere from (URL or file)\tused for (scheme|tune|test)")
    used = {row[0]: row[3] for row in rows}
    assert len(used) == len(rows) and set(used.values()) <= {"scheme", "tune", "test"}
    assert all(row[1] and row[2] for row in rows)
    return used


def test_the_pairs_are_many_varied_and_hand_explained(sources: dict[str, str]) -> None:
    rows = _rows(DATA / "indicator_pairs.tsv", PAIR_HEADER)
    assert len(rows) >= 150
    seen = set()
    for row in rows:
        split, same, a_plan, b_plan, why = row[0], row[1], row[2], row[7], row[12]
        assert split in {"tune", "test"} and same in {"0", "1"} and why.strip(), row
        assert a_plan in sources and b_plan in sources, row
        if split == "test":  # measured only on plans the scheme was not written from
            assert sources[a_plan] == "test" and sources[b_plan] == "test", row
        key = frozenset([tuple(row[2:7]), tuple(row[7:12])])
        assert key not in seen, row
        seen.add(key)
    test = [r for r in rows if r[0] == "test"]
    assert len(test) >= 80
    assert {r[1] for r in test} == {"0", "1"}
    assert len({r[2] for r in rows} | {r[7] for r in rows}) >= 6
    # near misses are the point: most "different" pairs name the facet that differs
    near = [r for r in rows if r[1] == "0" and r[12].startswith("near miss")]
    assert len(near) >= 60


def test_the_unseen_tables_are_gold_labelled_with_concepts_of_the_scheme(
    sources: dict[str, str], concepts: list[URIRef]
) -> None:
    keys = {str(c).removeprefix(str(PGC)) for c in concepts}
    tables = sorted((DATA / "indicator_tables").glob("*.tsv"))
    assert len(tables) >= 3
    labelled = 0
    for path in tables:
        assert sources.get(path.stem) == "test", f"{path.stem} must be an unseen plan in indicator_sources.tsv"
        rows = _rows(path, TABLE_HEADER)
        names: list[str] = []
        for row in rows:
            name, parent, gold = row[0], row[1], row[7]
            assert name and (gold == "-" or gold in keys), (path.name, row)
            assert not parent or parent in names, f"{path.name}: parent {parent!r} is not a row above"
            names.append(name)
            labelled += gold != "-"
    assert labelled >= 40


def test_the_pairs_agree_with_the_tables_gold(sources: dict[str, str]) -> None:
    gold: dict[tuple[str, ...], str] = {}
    for path in (DATA / "indicator_tables").glob("*.tsv"):
        for row in _rows(path, TABLE_HEADER):
            gold[(path.stem, row[0], row[1], row[2])] = row[7]
    checked = 0
    for row in _rows(DATA / "indicator_pairs.tsv", PAIR_HEADER):
        a, b = gold.get((row[2], row[3], row[4], row[5])), gold.get((row[7], row[8], row[9], row[10]))
        if a is None or b is None:
            continue
        assert row[1] == ("1" if a == b != "-" else "0"), row
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize("name", ["blind", "blind2", "blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9"])
def test_the_blind_sets_are_gold_labelled_with_concepts_of_the_scheme_and_their_pairs_agree(
    name: str, concepts: list[URIRef]
) -> None:
    """Each blind set (#24): its tables' gold is a concept of the scheme (or ``-``), its sources
    are listed, and a pair is "same" exactly when the
    gold of its two rows (where both are table rows) is one concept."""
    keys = {str(c).removeprefix(str(PGC)) for c in concepts}
    listed = {row[0] for row in _rows(DATA / f"indicator_sources_{name}.tsv",
                                      "plan\ttitle\twhere from (URL or file)\tused for (scheme|tune|test)")}
    gold: dict[tuple[str, ...], str] = {}
    for path in sorted((DATA / f"indicator_tables_{name}").glob("*.tsv")):
        assert path.stem in listed, f"{path.stem} has no line in indicator_sources_{name}.tsv"
        for row in _rows(path, TABLE_HEADER):
            assert row[0] and (row[7] == "-" or row[7] in keys), (path.name, row)
            gold[(path.stem, row[0], row[1], row[2])] = row[7]
    checked = 0
    for row in _rows(DATA / f"indicator_pairs_{name}.tsv", PAIR_HEADER):
        assert row[0] == name and row[1] in {"0", "1"} and row[12].strip(), row
        a, b = gold.get((row[2], row[3], row[4], row[5])), gold.get((row[7], row[8], row[9], row[10]))
        if a is None or b is None:
            continue
        assert row[1] == ("1" if a == b != "-" else "0"), row
        checked += 1
    assert checked >= 15  # the first set's pairs also draw on fragments that have no table


@pytest.mark.parametrize("name", ["blind5", "blind6", "blind7", "blind8", "blind9"])
def test_a_new_blind_set_draws_on_no_source_of_the_sets_before_it(name: str) -> None:
    """blind5 (for tuning), blind6, blind7, blind8 and blind9 (held out) are built from sources no
    earlier set used: no plan key and no address of theirs is in another indicator_sources file,
    no two of them share one, every pair is across two plans, and 30-50% of the pairs are "same"."""
    header = "plan\ttitle\twhere from (URL or file)\tused for (scheme|tune|test)"
    own = _rows(DATA / f"indicator_sources_{name}.tsv", header)
    assert own and all(row[3] == name for row in own)
    for path in sorted(DATA.glob("indicator_sources*.tsv")):
        if path.name == f"indicator_sources_{name}.tsv" or (name == "blind5" and path.name.endswith("blind6.tsv")):
            continue
        others = _rows(path, header)
        assert not {r[0] for r in own} & {r[0] for r in others}, path.name
        addresses = {a.strip() for r in others for a in r[2].split(";")}
        assert not {a.strip() for r in own for a in r[2].split(";")} & addresses, path.name
    pairs = _rows(DATA / f"indicator_pairs_{name}.tsv", PAIR_HEADER)
    assert len(pairs) >= 80 and all(row[2] != row[7] for row in pairs)
    assert 0.3 <= sum(row[1] == "1" for row in pairs) / len(pairs) <= 0.5
