"""Hybrid retrieval over an opened index: dense retrievers and BM25, fused by RRF.

Each retriever (one per encoder, plus BM25) ranks the passages on its own; reciprocal
rank fusion adds ``weight / (k + rank)`` over retrievers. BM25 runs only for queries
whose language matches the indexed text (Chinese). An English query shares no terms
with a Chinese plan, so by default it is first turned into Chinese terms through the
glossary of :mod:`plangraph.search.read.crosslingual`; when no word of it is in the glossary, BM25
sits out (its few Latin tokens, years and numbers, would only add noise). The encoders
see such a query followed by the same terms.

A third kind of retriever, ``exact``, lists the passages that contain the whole query
(of three characters or more) verbatim, after Unicode folding, best BM25 first. Looking up a name (马溪幼儿园,
银龄讲学) is a common use, and without it a retriever that reads names poorly can
rank a near-namesake (苕溪幼儿园) above the passage that names it. A question rarely
occurs verbatim, so for questions it usually sits out.

Last, the fused scores of passages outside the plans the query is about (a region or
year it names, else the most local plans: district plans before the national documents
they implement) are multiplied by ``FusionConfig.out_of_scope``, provided those plans
address the question: two retrievers (``FusionConfig.scope_agree``) rank one of their
passages in their top ten. A subject only the national documents cover (来华留学, 学分银行)
then keeps its national answers first. See :mod:`plangraph.search.read.scope`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from plangraph.errors import UsageError
from plangraph.model import EntityRef, Hit, Passage
from plangraph.search.encoders import Encoder
from plangraph.search.index import PassageIndex
from plangraph.search.read.fusion import FusionConfig, at_most_per_plan, fuse, fuse_within, rows_per_table
from plangraph.search.read.phrases import PhraseRows
from plangraph.search.read.scope import PlanNames, PlanProfile, Scope, scope_of, without_places
from plangraph.text import detect_language, to_simplified

if TYPE_CHECKING:
    import numpy as np

LEXICAL = "bm25"
EXACT = "exact"
SCOPE_DEPTH = 10
QUERY_VECTORS_KEPT = 32
DEFAULT_PASSAGE_IRI = "urn:plangraph:passage:{passage_id}"


def check_search(query: str, top_k: int, per_plan: int | None) -> None:
    """UsageError for an empty query, or ``top_k`` or ``per_plan`` below 1 (every searcher)."""
    if not query.strip():
        raise UsageError("empty search query")
    if top_k < 1:
        raise UsageError(f"top_k must be at least 1, got {top_k}")
    if per_plan is not None and per_plan < 1:
        raise UsageError(f"per_plan must be at least 1, got {per_plan}")


class Searcher:
    """Search one opened index with the encoders that built it.

    Args:
        index: an index from :func:`plangraph.search.index.open_index`.
        encoders: query encoders; each must be one the index was built with.
        entities_for: passage id → entities stated there (supplied by the graph).
        passage_iri: format string (``{passage_id}``, ``{plan_id}``) or callable
            giving a passage's IRI.
        fusion: fusion settings.
        plans: level, region and period of the indexed plans, for scoping a query to
            the plans it is about (:mod:`plangraph.search.read.scope`); without them all plans
            rank alike.
        concurrent: embed a query with each encoder on a thread of its own (False: one
            after the other, on the calling thread).
    """

    def __init__(
        self,
        index: PassageIndex,
        encoders: Sequence[Encoder],
        *,
        entities_for: Callable[[str], tuple[EntityRef, ...]] | None = None,
        passage_iri: str | Callable[[Passage], str] = DEFAULT_PASSAGE_IRI,
        fusion: FusionConfig | None = None,
        plans: Sequence[PlanProfile] = (),
        concurrent: bool = True,
    ) -> None:
        missing = [e.name for e in encoders if e.name not in index.dense]
        if missing:
            raise UsageError(
                f"index {index.path} has no vectors for {', '.join(missing)}; "
                f"choose from: {', '.join(index.encoder_names)}"
            )
        self.index = index
        self.encoders = {e.name: e for e in encoders}
        self.entities_for = entities_for
        self.passage_iri = passage_iri
        self.fusion = fusion or FusionConfig()
        self.plans = tuple(plans)
        self.concurrent = concurrent
        self._query_vectors: dict[tuple[str, str], np.ndarray] = {}
        self._phrases = PhraseRows(index)
        self._names: PlanNames | None = None
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    @property
    def retrievers(self) -> tuple[str, ...]:
        return (*self.encoders, LEXICAL, EXACT)

    def scope(self, query: str, plans: Sequence[str] | None = None) -> Scope | None:
        """The plans ``query`` points to (of ``plans``, if given), when that is not all of
        them and the fusion weighs the others down. A search applies it only if those plans
        address the question (:meth:`search_with_scope` says whether it did)."""
        if self.fusion.out_of_scope >= 1:
            return None
        if self._names is None:  # the plans' names folded once, not at every search
            self._names = PlanNames(self.plans)
        if plans is None:  # the searcher's own tuple: scope_of keeps what it works out for all of them
            return scope_of(query, self.plans, self._names)
        chosen = set(plans)
        return scope_of(query, [p for p in self.plans if p.plan_id in chosen], self._names)

    def lexical_query(self, query: str) -> str | None:
        """What BM25 is asked: the query itself, its Chinese glossary terms (English
        queries), or None when BM25 sits this query out."""
        if detect_language(query) in self.fusion.lexical_languages:
            return query
        if self.fusion.translate:
            from plangraph.search.read.crosslingual import translate

            terms = translate(query)
            return " ".join(terms) if terms else None
        return None

    def query_vector(self, encoder: str, text: str) -> np.ndarray:
        """``text`` embedded as a query by ``encoder``, kept for the last few queries so
        that what reads a search's hits again (their strength) does not encode it twice."""
        key = (encoder, text)
        vec = self._query_vectors.get(key)
        if vec is None:
            vec = self.encoders[encoder].encode_queries([text])[0]
            with self._lock:  # encoders may run on threads of their own (see _rank)
                while self._query_vectors and len(self._query_vectors) >= QUERY_VECTORS_KEPT:
                    self._query_vectors.pop(next(iter(self._query_vectors)))
                self._query_vectors[key] = vec
        return vec

    def dense_query(self, query: str) -> str:
        """What the encoders embed: the query, and for a query in another language than
        the plans' (English) its Chinese glossary terms after it. Multilingual encoders
        match across languages less well than within one, and the terms give them
        the plans' own words (measured on 29 English questions: MRR@10 0.42 → 0.55)."""
        query = to_simplified(query)
        if not self.fusion.expand or detect_language(query) in self.fusion.lexical_languages:
            return query
        from plangraph.search.read.crosslingual import translate

        terms = translate(query)
        return f"{query} {' '.join(terms)}" if terms else query

    def rankings(
        self,
        query: str,
        *,
        allowed: np.ndarray | None = None,
        retrievers: Sequence[str] | None = None,
        depth: int | None = None,
    ) -> dict[str, list[int]]:
        """Each retriever's ranked passage rows (best first, at most ``depth``, by
        default the fusion's)."""
        return self._rank(query, allowed, retrievers, depth)[0]

    def _rank(
        self,
        query: str,
        allowed: np.ndarray | None,
        retrievers: Sequence[str] | None,
        depth: int | None,
    ) -> tuple[dict[str, list[int]], dict[str, np.ndarray]]:
        """The rankings, and the query vector of each encoder that ran."""
        use = tuple(retrievers) if retrievers is not None else self.retrievers
        unknown = [r for r in use if r not in self.retrievers]
        if unknown:
            raise UsageError(f"unknown retriever {unknown[0]!r}; choose from: {', '.join(self.retrievers)}")
        n = len(self.index)
        depth = depth or self.fusion.depth
        qvecs: dict[str, np.ndarray] = {}
        dense_query = self.dense_query(query)
        lexical = self.index.lexical
        shard_rows = self.index.shard_rows

        # The encoders' engines release the GIL, so each encoder but the last embeds the
        # query on a thread of its own while this thread embeds with the last and runs
        # BM25 and the phrase lookup: a query costs about its slowest encoder's time
        # plus the index's, not every encoder's time in a row.
        encode = [name for name in use if name in self.encoders and (name, dense_query) not in self._query_vectors]
        pending = ({name: self._workers().submit(self.query_vector, name, dense_query) for name in encode[:-1]}
                   if self.concurrent and len(encode) > 1 else {})
        ranked: dict[str, list[int]] = {}
        for name in sorted(use, key=lambda r: r in pending):  # pending encoders last
            if name == EXACT:  # passages holding the whole query (phrases.py)
                if rows := self._phrases.rows(query, allowed, depth):
                    ranked[name] = rows
                continue
            if name == LEXICAL:
                lexical_query = self.lexical_query(query)
                if lexical_query is None:
                    continue
                # a filter may drop any of the best: then rank every passage
                hits = lexical.scores(lexical_query, depth if allowed is None else n, shard_rows)
                ranked[name] = [r for r, score in hits if score > 0 and (allowed is None or allowed[r])][:depth]
                continue
            qvecs[name] = pending[name].result() if name in pending else self.query_vector(name, dense_query)
            ranked[name] = self.index.dense_ranking(name, qvecs[name], depth, allowed)
        # in the order asked for: fusion and a hit's sources read them in this order
        out = {name: ranked[name] for name in use if name in ranked}
        return out, {name: qvecs[name] for name in use if name in qvecs}

    def _workers(self) -> ThreadPoolExecutor:
        """Threads for the encoders that embed a query beside this thread (made once)."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max(len(self.encoders) - 1, 1),
                                                thread_name_prefix="plangraph-encode")
        return self._pool

    def _allowed(
        self,
        plan: str | Sequence[str] | None,
        section: str | Sequence[str] | None,
        predicate: Callable[[str], bool] | None,
    ) -> np.ndarray | None:
        import numpy as np

        if plan is None and section is None and predicate is None:
            return None
        plans = {plan} if isinstance(plan, str) else set(plan) if plan is not None else None
        if plans is not None:
            known = self.index.plan_set
            unknown = sorted(plans - known)
            if unknown:
                raise UsageError(f"unknown plan {unknown[0]!r}; choose one of: {', '.join(sorted(known))}")
        by_plan = None if plans is None else self.index.plan_mask(plans)
        if section is None and predicate is None:
            return by_plan  # a plan filter alone needs no passage text
        mask = np.ones(len(self.index), dtype=bool) if by_plan is None else by_plan
        # only the chosen plans' passages are read: a section of one plan read all 500 plans' shards
        rows = (enumerate(self.index.passages) if by_plan is None
                else ((i, self.index.passages[i]) for i in np.flatnonzero(by_plan).tolist()))
        for i, p in rows:
            if section is not None and not _under_section(p.section_path, section):
                mask[i] = False
            elif predicate is not None and not predicate(p.passage_id):
                mask[i] = False
        return mask

    def search_with_scope(
        self,
        query: str,
        top_k: int = 10,
        *,
        plan: str | Sequence[str] | None = None,
        section: str | Sequence[str] | None = None,
        predicate: Callable[[str], bool] | None = None,
        retrievers: Sequence[str] | None = None,
        per_plan: int | None = None,
        scoped: bool = True,
    ) -> tuple[list[Hit], Scope | None]:
        """The ``top_k`` best passages for ``query``, and the scope that ranked them
        (None when all plans ranked alike).

        Args:
            query: free text, Chinese or English.
            top_k: how many hits to return.
            plan: keep only passages of this plan id (or of any of these).
            section: keep only passages under this section: a path tuple prefix
                (``("三、主要任务",)``) or a string the joined path starts with.
            predicate: keep only passages whose id it accepts (entity kind, theme,
                target group filters from the caller).
            retrievers: use only these retrievers (encoder names, ``bm25``, ``exact``).
            per_plan: at most this many hits from any one plan, so that the best
                passages of every plan show, not only those of the plan that says
                most about the subject.
            scoped: rank the plans the query is about first (:meth:`scope`), if they
                address it (``FusionConfig.scope_agree``); False ranks all plans alike.

        Raises:
            UsageError: empty query, ``top_k`` or ``per_plan`` < 1, unknown plan or retriever.
        """
        check_search(query, top_k, per_plan)
        allowed = self._allowed(plan, section, predicate)
        # grouping needs every plan's best passages, not only the corpus-wide best
        depth = len(self.index) if per_plan else None
        ranked, qvecs = self._rank(query, allowed, retrievers, depth)
        fused = fuse(ranked, k=self.fusion.rrf_k, weights=self.fusion.weights)
        scope = self.scope(query, [plan] if isinstance(plan, str) else plan) if scoped else None
        # a place the question names says whose plans it is about: no vote needed
        if scope is not None and not scope.places and not self._addresses(scope, ranked):
            scope = None
        weight: dict[str, float] = {}
        if scope is not None:
            out = self.fusion.out_of_place if scope.places else self.fusion.out_of_scope
            weight = {p.plan_id: out for p in self.plans if p.plan_id not in scope.plans}
            plan_of = self.index.plan_of
            if scope.places:  # the place's passages ranked among themselves too
                mine = self._allowed(sorted(scope.plans & self.index.plan_set), section, predicate)
                mine = mine if allowed is None or mine is None else mine & allowed
                if mine is not None and mine.any():
                    ranked, fused = fuse_within(self._rank(without_places(query), mine, retrievers, depth)[0],
                                                ranked, fused, mine, self.fusion)
            fused = sorted(((row, s * weight.get(plan_of(row), 1.0)) for row, s in fused),
                           key=lambda item: (-item[1], item[0]))
        if per_plan:
            fused = at_most_per_plan(fused, per_plan, self.index.plan_of)
        if self.fusion.rows_per_table:
            fused = rows_per_table(fused, self.fusion.rows_per_table, top_k,
                                   lambda row: self.index.passages[row].table_id)
        hits = [
            self._hit(rank, row, score, ranked, qvecs, weight.get(self.index.plan_of(row), 1.0))
            for rank, (row, score) in enumerate(fused[:top_k], 1)
        ]
        return hits, scope

    def search(self, query: str, top_k: int = 10, **options: Any) -> list[Hit]:
        """The ``top_k`` best passages for ``query`` (:meth:`search_with_scope`'s hits, options)."""
        return self.search_with_scope(query, top_k, **options)[0]

    def _addresses(self, scope: Scope, ranked: Mapping[str, Sequence[int]]) -> bool:
        """Whether the plans in ``scope`` address the question: enough retrievers rank
        one of their passages in their top :data:`SCOPE_DEPTH` (one retriever that
        finds a local passage somewhere is not enough to push better answers down)."""
        need = min(self.fusion.scope_agree, len(ranked))
        if need == 0:
            return True
        votes: dict[int, int] = {}
        for rows in ranked.values():
            for row in rows[:SCOPE_DEPTH]:
                if self.index.plan_of(row) in scope.plans:
                    votes[row] = votes.get(row, 0) + 1
        return any(n >= need for n in votes.values())

    def _hit(
        self,
        rank: int,
        row: int,
        score: float,
        ranked: dict[str, list[int]],
        qvecs: Mapping[str, np.ndarray],
        scope_weight: float,
    ) -> Hit:
        p = self.index.passages[row]
        matched = ""
        for name, qvec in qvecs.items():
            # a table row shows cell by cell already; pointing to one cell adds nothing
            if name in self.index.sentence_vectors and p.table_id is None:
                start, end = self.index.best_sentence(name, row, qvec)
                matched = p.content[start:end]
                break
        sources = tuple((name, rows.index(row) + 1) for name, rows in ranked.items() if row in rows)
        iri = (
            self.passage_iri(p)
            if callable(self.passage_iri)
            else self.passage_iri.format(passage_id=p.passage_id, plan_id=p.plan_id)
        )
        return Hit(
            rank=rank,
            score=float(score),
            plan=p.plan_id,
            passage_id=p.passage_id,
            passage_iri=iri,
            section=" > ".join(p.section_path),
            text=p.content,
            quote=p.text,
            start=p.start,
            end=p.end,
            entities=self.entities_for(p.passage_id) if self.entities_for else (),
            sources=sources,
            matched=matched,
            scope_weight=scope_weight,
            page=p.page,
        )


def _under_section(path: tuple[str, ...], section: str | Sequence[str]) -> bool:
    if isinstance(section, str):
        return " > ".join(path).startswith(section)
    prefix = tuple(section)
    return path[: len(prefix)] == prefix
