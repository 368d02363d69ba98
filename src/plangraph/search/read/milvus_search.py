"""Hybrid search over the Milvus collections of :mod:`plangraph.search.milvus`.

The retrievers are those of the local :class:`~plangraph.search.read.searcher.Searcher`,
asked of Milvus: per encoder an ANN search (by best sentence, grouped by passage, for
encoders that score sentences), BM25 over plangraph's own terms, and exact phrases
(``folded like "%…%"``, best BM25 first). Their rankings are fused, scoped and cut per
plan by the same code as the local search (:func:`~plangraph.search.read.fusion.fuse`,
:meth:`~plangraph.search.read.searcher.Searcher.scope`), so ranking rules live in one place.
A row is a passage's primary key (:func:`~plangraph.search.milvus.key_of`).

Filters on plan and section go to Milvus as expressions; a passage predicate (entity
kind, theme, target group) is applied to what comes back, asking for more while too
few pass. Only the hits' passages and vectors are then read, once, for their
citations, the sentence that matched and their cosines (:meth:`MilvusSearcher.cosines`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from plangraph.errors import UsageError
from plangraph.model import EntityRef, Hit, Passage
from plangraph.search.encoders import Encoder
from plangraph.search.milvus import MAX_TOPK, MilvusStore, key_of, lexical_words, plan_filter
from plangraph.search.read.fusion import FusionConfig, fuse, rows_per_table
from plangraph.search.read.phrases import EDGE_PUNCT
from plangraph.search.read.scope import PlanProfile, Scope
from plangraph.search.read.searcher import DEFAULT_PASSAGE_IRI, EXACT, LEXICAL, Searcher, check_search
from plangraph.text import fold_compact

if TYPE_CHECKING:
    import numpy as np

_FIELDS = ["plan_id", "shard", "pos"]
_LIKE_UNSAFE = set('%_\\"')
_Row = tuple[Passage, dict[str, Any], list[tuple[int, int]], dict[str, Any]]
"""A hit's passage, its vectors by encoder, its sentence spans and their vectors."""
_KEPT = 2_048
"""Hits whose vectors are kept for :meth:`MilvusSearcher.cosines` after their search."""


class MilvusView:
    """What the fusion code asks of an index, answered from Milvus and the rows seen."""

    def __init__(self, store: MilvusStore, encoders: Sequence[tuple[str, int]], shards: dict[str, str]) -> None:
        self.store = store
        self.path = store.uri
        self.layout = store.check(encoders)
        self.dense = {name: dim for name, dim, _ in self.layout.encoders}
        self.shards = shards
        self._plans: dict[int, str] = {}
        self._order: dict[int, tuple[int, int]] = {}
        self._shard_number = {plan: i for i, plan in enumerate(shards)}

    @property
    def encoder_names(self) -> tuple[str, ...]:
        return self.layout.names

    def plan_of(self, row: int) -> str:
        return self._plans[row]

    def seen(self, row: int, entity: dict[str, Any]) -> None:
        """Note a row's plan, and its place in the local index (shard, position), which
        breaks ties of the fusion as the local search's row numbers do."""
        self._plans[row] = entity["plan_id"]
        self._order[row] = (self._shard_number.get(entity["plan_id"], -1), int(entity["pos"]))

    def order(self, item: tuple[int, float]) -> tuple[float, tuple[int, int]]:
        """Sort key of a fused ``(row, score)``: best first, ties in the local row order."""
        return -item[1], self._order[item[0]]


class _Filter:
    """A search's filters: a Milvus expression, and the test of each returned row."""

    def __init__(self, plans: set[str] | None, section: str | Sequence[str] | None,
                 predicate: Callable[[str], bool] | None) -> None:
        self.predicate = predicate
        self.prefix = None if section is None else section if isinstance(section, str) else " > ".join(section)
        self.whole = section is not None and not isinstance(section, str)
        parts = [plan_filter(sorted(plans))] if plans is not None else []
        if self.prefix is not None and not _LIKE_UNSAFE & set(self.prefix):
            parts.append(f"section like {json.dumps(self.prefix + '%', ensure_ascii=False)}")
        self.expr = " and ".join(parts)
        # what the rows must bring for the test (each field costs time on milvus-lite)
        self.fields = (["section"] if self.prefix else []) + (["passage_id"] if predicate else [])

    def accepts(self, row: dict[str, Any]) -> bool:
        if self.prefix:
            section = row["section"]
            # a path given as parts matches whole headings, as the local search does
            if not (section == self.prefix or section.startswith(self.prefix + " > ") if self.whole
                    else section.startswith(self.prefix)):
                return False
        return self.predicate is None or self.predicate(row["passage_id"])

    def both(self, expr: str) -> str:
        return f"({self.expr}) and {expr}" if self.expr else expr


class MilvusSearcher(Searcher):
    """:class:`~plangraph.search.read.searcher.Searcher`'s results from Milvus.

    Args:
        store: the collections (their layout must hold every encoder).
        encoders: query encoders.
        shards: plan → shard folder name of the index; Milvus must hold exactly these.
        entities_for, passage_iri, fusion, plans: as for the local searcher.
    """

    def __init__(self, store: MilvusStore, encoders: Sequence[Encoder], shards: dict[str, str], *,
                 entities_for: Callable[[str], tuple[EntityRef, ...]] | None = None,
                 passage_iri: str | Callable[[Passage], str] = DEFAULT_PASSAGE_IRI,
                 fusion: FusionConfig | None = None, plans: Sequence[PlanProfile] = ()) -> None:
        view = MilvusView(store, [(e.name, int(e.dim)) for e in encoders], shards)
        super().__init__(view, encoders, entities_for=entities_for,  # type: ignore[arg-type]
                         passage_iri=passage_iri, fusion=fusion, plans=plans)
        self.view = view
        self.store = store
        self._requests = ThreadPoolExecutor(max_workers=4, thread_name_prefix="plangraph-milvus")
        self._kept: dict[int, _Row] = {}
        self._lock = threading.Lock()

    # -- ranking -----------------------------------------------------------------------
    def _search(self, collection: str, data: Any, field: str, limit: int, flt: _Filter, *,
                expr: str = "", group: bool = False) -> list[int]:
        """Up to ``limit`` passage rows, best first, that pass ``flt``; asks again for
        more while rows of unlisted shards or a predicate leave too few."""
        filter_expr = flt.both(expr) if expr else flt.expr
        want = limit
        while True:
            kwargs: dict[str, Any] = {"group_by_field": "passage"} if group else {}
            if not field.startswith("bm25"):
                kwargs["search_params"] = {"params": {"ef": max(want, 64)}}
            found = self.store.call("searching", self.store.client.search, collection, data=[data],
                                    anns_field=field, limit=min(want, MAX_TOPK), filter=filter_expr,
                                    output_fields=_FIELDS + flt.fields + (["passage"] if group else []),
                                    **kwargs)[0]
            rows = []
            for hit in found:
                entity = hit["entity"]
                if self.view.shards.get(entity["plan_id"]) != entity["shard"] or not flt.accepts(entity):
                    continue
                row = int(entity["passage"]) if group else int(hit["pk"])
                self.view.seen(row, entity)
                rows.append(row)
            if len(rows) >= limit or len(found) < want or want >= MAX_TOPK:
                return rows[:limit]
            want *= 4

    def _rankings(self, query: str, flt: _Filter, retrievers: Sequence[str] | None,
                  depth: int) -> tuple[dict[str, list[int]], dict[str, np.ndarray]]:
        """Each retriever's rows; the Milvus searches run at once, the lexical ones
        while the encoders embed the query."""
        use = tuple(retrievers) if retrievers is not None else self.retrievers
        unknown = [r for r in use if r not in self.retrievers]
        if unknown:
            raise UsageError(f"unknown retriever {unknown[0]!r}; choose from: {', '.join(self.retrievers)}")
        layout, store = self.view.layout, self.store
        jobs: dict[str, Future[list[int]]] = {}
        if EXACT in use:
            phrase = fold_compact(query).strip(EDGE_PUNCT)
            # two characters are one BM25 bigram already; LIKE has no portable escape
            if len(phrase) >= 3 and not _LIKE_UNSAFE & set(phrase):
                words = lexical_words(query, layout.lexical, query=True)
                like = f"folded like {json.dumps('%' + phrase + '%', ensure_ascii=False)}"
                jobs[EXACT] = (self._requests.submit(self._search, store.passages, words, "bm25", depth, flt,
                                                     expr=like)
                               if words else self._requests.submit(self._phrase_rows, like, depth, flt))
        lexical_query = self.lexical_query(query) if LEXICAL in use else None
        if lexical_query is not None:
            words = lexical_words(lexical_query, layout.lexical, query=True)
            jobs[LEXICAL] = self._requests.submit(self._search, store.passages, words, "bm25", depth, flt) if words \
                else self._requests.submit(list)
        qvecs: dict[str, np.ndarray] = {}
        dense_query = self.dense_query(query)
        for name in use:
            if name in self.encoders:
                qvecs[name] = self.query_vector(name, dense_query)
                jobs[name] = (self._requests.submit(self._search, store.sentences, qvecs[name],
                                                layout.sentence_field(name), depth, flt, group=True)
                              if name in layout.sentence_encoders else
                              self._requests.submit(self._search, store.passages, qvecs[name], layout.field(name),
                                                depth, flt))
        out = {name: jobs[name].result() for name in use if name in jobs}
        if EXACT in out and not out[EXACT]:
            del out[EXACT]
        return out, qvecs

    def _phrase_rows(self, like: str, depth: int, flt: _Filter) -> list[int]:
        """Passages holding a phrase when the query has no lexical terms to rank them by."""
        found = self.store.call("querying", self.store.client.query, self.store.passages, filter=flt.both(like),
                                output_fields=["pk", *_FIELDS, *flt.fields], limit=MAX_TOPK)
        found = [r for r in found if self.view.shards.get(r["plan_id"]) == r["shard"] and flt.accepts(r)]
        for r in found:
            self.view.seen(int(r["pk"]), r)
        return [row for row, _ in sorted(((int(r["pk"]), 0.0) for r in found), key=self.view.order)][:depth]

    def rankings(self, query: str, *, allowed: np.ndarray | None = None, retrievers: Sequence[str] | None = None,
                 depth: int | None = None) -> dict[str, list[int]]:
        """Each retriever's ranked rows (passage keys); ``allowed`` masks are for local indexes."""
        if allowed is not None:
            raise UsageError("a Milvus search filters by plan, section or predicate, not by a row mask")
        return self._rankings(query, _Filter(None, None, None), retrievers, depth or self.fusion.depth)[0]

    def search_with_scope(self, query: str, top_k: int = 10, *, plan: str | Sequence[str] | None = None,
                          section: str | Sequence[str] | None = None, predicate: Callable[[str], bool] | None = None,
                          retrievers: Sequence[str] | None = None, per_plan: int | None = None,
                          scoped: bool = True) -> tuple[list[Hit], Scope | None]:
        """As :meth:`Searcher.search_with_scope <plangraph.search.read.searcher.Searcher.search_with_scope>`."""
        check_search(query, top_k, per_plan)
        plans = {plan} if isinstance(plan, str) else set(plan) if plan is not None else None
        unknown = sorted((plans or set()) - set(self.view.shards))
        if unknown:
            raise UsageError(f"unknown plan {unknown[0]!r}; choose one of: {', '.join(sorted(self.view.shards))}")
        # grouping needs every plan's best passages, not only the corpus-wide best
        depth = MAX_TOPK if per_plan else self.fusion.depth
        ranked, qvecs = self._rankings(query, _Filter(plans, section, predicate), retrievers, depth)
        fused = sorted(fuse(ranked, k=self.fusion.rrf_k, weights=self.fusion.weights), key=self.view.order)
        scope = self.scope(query) if scoped else None
        if scope is not None and not scope.places and not self._addresses(scope, ranked):
            scope = None
        weight: dict[str, float] = {}
        plan_of = self.view.plan_of
        if scope is not None:
            out = self.fusion.out_of_place if scope.places else self.fusion.out_of_scope
            weight = {p.plan_id: out for p in self.plans if p.plan_id not in scope.plans}
            fused = sorted(((row, s * weight.get(plan_of(row), 1.0)) for row, s in fused), key=self.view.order)
        if per_plan:
            counts: dict[str, int] = {}
            kept = []
            for row, s in fused:
                counts[plan_of(row)] = counts.get(plan_of(row), 0) + 1
                if counts[plan_of(row)] <= per_plan:
                    kept.append((row, s))
            fused = kept
        rows = None
        if self.fusion.rows_per_table:  # as the local searcher does, over a window of candidates
            window = fused[:max(4 * top_k, top_k + 30)]
            rows = self._fetch([row for row, _ in window])
            fused = rows_per_table(window, self.fusion.rows_per_table, top_k,
                                   lambda row: rows[row][0].table_id) + fused[len(window):]  # type: ignore[index]
        top = fused[:top_k]
        if rows is None:
            rows = self._fetch([row for row, _ in top])
        hits = []
        for rank, (row, score) in enumerate(top, 1):
            p, _, spans, sentence_vectors = rows[row]
            matched = ""
            for name, qvec in qvecs.items():
                if name in sentence_vectors and p.table_id is None and spans:
                    start, end = spans[int((sentence_vectors[name] @ qvec).argmax())]
                    matched = p.content[start:end]
                    break
            sources = tuple((name, found.index(row) + 1) for name, found in ranked.items() if row in found)
            iri = (self.passage_iri(p) if callable(self.passage_iri)
                   else self.passage_iri.format(passage_id=p.passage_id, plan_id=p.plan_id))
            hits.append(Hit(rank=rank, score=float(score), plan=p.plan_id, passage_id=p.passage_id, passage_iri=iri,
                            section=" > ".join(p.section_path), text=p.content, quote=p.text, start=p.start,
                            end=p.end, entities=self.entities_for(p.passage_id) if self.entities_for else (),
                            sources=sources, matched=matched, scope_weight=weight.get(p.plan_id, 1.0), page=p.page))
        return hits, scope

    # -- the hits' rows ----------------------------------------------------------------
    def _fetch(self, rows: Sequence[int]) -> dict[int, _Row]:
        """The passages and vectors of ``rows``; those not kept from an earlier search are
        read with one query per collection."""
        import numpy as np

        with self._lock:
            out = {r: self._kept[r] for r in rows if r in self._kept}
        missing = [r for r in rows if r not in out]
        if not missing:
            return out
        layout, store = self.view.layout, self.store
        fields = {layout.field(n): n for n in layout.names}
        sfields = {layout.sentence_field(n): n for n in layout.sentence_encoders}
        sentences = self._requests.submit(
            store.call, "reading sentences", store.client.query, store.sentences, filter=f"passage in {missing}",
            output_fields=["passage", "start", "end", *sfields], limit=MAX_TOPK) if sfields else None
        found = store.call("reading passages", store.client.query, store.passages, filter=f"pk in {missing}",
                           output_fields=["pk", "passage", *fields], limit=len(missing))
        spans: dict[int, list[tuple[int, int, dict[str, Any]]]] = {r: [] for r in missing}
        for s in sentences.result() if sentences else ():
            spans[int(s["passage"])].append((int(s["start"]), int(s["end"]), {n: s[f] for f, n in sfields.items()}))
        with self._lock:
            if len(self._kept) > _KEPT:
                self._kept.clear()
            for r in found:
                data = json.loads(r["passage"])
                data["section_path"] = tuple(data.get("section_path") or ())
                sents = sorted(spans[int(r["pk"])], key=lambda s: s[0])
                out[int(r["pk"])] = self._kept[int(r["pk"])] = (
                    Passage(**data), {n: np.asarray(r[f], np.float32) for f, n in fields.items()},
                    [(s, e) for s, e, _ in sents],
                    {n: np.asarray([v[n] for _, _, v in sents], np.float32).reshape(len(sents), -1)
                     for n in layout.sentence_encoders})
        return out

    def cosines(self, query: str, hits: Sequence[Hit]) -> list[dict[str, float]]:
        """Each hit's cosine with ``query`` under each encoder: with its best sentence for
        encoders that score sentences, else with the passage (as
        :func:`plangraph.workspace.answers.cosines` computes it for a local index)."""
        keys = [key_of(h.passage_id) for h in hits]
        rows = self._fetch(keys)
        out: list[dict[str, float]] = []
        for key in keys:
            _, vectors, _, sentence_vectors = rows[key]
            cos = {}
            for name in self.encoders:
                qvec = self.query_vector(name, self.dense_query(query))
                sv = sentence_vectors.get(name)
                cos[name] = (float((sv @ qvec).max()) if sv is not None and len(sv)
                             else float(vectors[name] @ qvec))
            out.append(cos)
        return out

    def passage_context(self, passage_id: str, chars: int = 80) -> tuple[str, str]:
        """Text just before and just after a passage, from its neighbours in its plan."""
        from plangraph.search.read.filters import passage_context

        store = self.store
        found = store.call("reading passages", store.client.query, store.passages,
                           filter=f"pk == {key_of(passage_id)}", output_fields=["shard", "pos"], limit=1)
        if not found:
            return "", ""
        shard, pos = found[0]["shard"], int(found[0]["pos"])
        near = store.call("reading passages", store.client.query, store.passages,
                          filter=f"shard == {json.dumps(shard)} and pos in [{pos - 1}, {pos}, {pos + 1}]",
                          output_fields=["pos", "passage"], limit=3)
        passages = []
        for r in sorted(near, key=lambda r: int(r["pos"])):
            data = json.loads(r["passage"])
            data["section_path"] = tuple(data.get("section_path") or ())
            passages.append(Passage(**data))
        return passage_context(passages, passage_id, chars)
