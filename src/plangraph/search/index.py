"""Opening a search index: plan shards (passages, vectors) and one lexical index.

An index folder written by :func:`plangraph.search.write.build.build_index` is::

    manifest.json    format, encoders and dimensions, lexical mode, the shard of each plan
    shards/<plan>-<sha12>/   one folder per plan (:mod:`plangraph.search.shard`)
    lexical/         the tantivy index of all shards (:mod:`plangraph.search.lexical_index`)
    ann/             approximate indexes of large vector sets (:mod:`plangraph.search.ann`)

:func:`open_index` opens such a folder; :func:`open_shards` opens any mapping of plan
→ shard folder with a lexical index, for a caller that keeps its own manifest.
Opening reads the passages and maps the vector files; vectors are read when a
search first needs them.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

from plangraph.durable import readable
from plangraph.errors import IndexStoreError
from plangraph.model import Passage
from plangraph.search.ann import attach
from plangraph.search.encoders import Encoder
from plangraph.search.lexical_index import LexicalIndex, shard_key
from plangraph.search.shard import ShardData, read_shard
from plangraph.search.vectors import VectorSet

if TYPE_CHECKING:
    import numpy as np

FORMAT_VERSION = 3
"""Format 3: per-plan shards with float16 vectors and a tantivy lexical index."""
READABLE_FORMATS = (3,)
MANIFEST = "manifest.json"
SHARDS = "shards"
LEXICAL_DIR = "lexical"
ANN_DIR = "ann"


T = TypeVar("T")


class ShardSequence(Sequence[T]):
    """Rows of all shards as one sequence; a shard's rows are read when one is first used."""

    def __init__(self, shards: Sequence[ShardData], get: Callable[[ShardData], Sequence[T]]) -> None:
        self._shards = shards
        self._get = get
        self._first = [0]
        for shard in shards:
            self._first.append(self._first[-1] + shard.size)

    def __len__(self) -> int:
        return self._first[-1]

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...

    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        if isinstance(i, slice):
            return tuple(self)[i]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        k = bisect_right(self._first, i) - 1
        return self._get(self._shards[k])[i - self._first[k]]

    def __iter__(self) -> Iterator[T]:
        for shard in self._shards:
            yield from self._get(shard)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]


class PassageIndex:
    """Opened shards: passages in shard order, vectors per encoder, the lexical index.

    Attributes:
        passages: every passage, shard after shard.
        dense: encoder name → its passage rows.
        sentence_vectors: encoder name → its sentence rows, for sentence-level encoders.
        sentence_spans: per passage, the ``(start, end)`` of each sentence in its
            ``content`` (empty when no encoder scores sentences).
        shard_rows: shard key (:func:`~plangraph.search.lexical_index.shard_key`) → the
            row of its first passage, for mapping lexical hits to rows.
    """

    def __init__(self, path: Path, manifest: dict[str, Any], shards: Sequence[tuple[str, ShardData]],
                 lexical: LexicalIndex) -> None:
        import numpy as np

        self.path = path
        self.manifest = manifest
        self.shards = tuple(shards)
        self.lexical = lexical
        data = [s for _, s in shards]
        self.passages: Sequence[Passage] = ShardSequence(data, lambda s: s.passages)
        specs = manifest["encoders"]
        sentence_level = any("sentences" in e for e in specs)
        self.sentence_spans: Sequence[tuple[tuple[int, int], ...]] = (
            ShardSequence(data, lambda s: s.spans) if sentence_level else ())
        self._plans = [s.plan for s in data]
        self._shard_of_row = np.repeat(np.arange(len(data), dtype=np.int32), [s.size for s in data])
        self.dense = {e["name"]: VectorSet([s.vectors[e["name"]] for _, s in shards], int(e["dim"]))
                      for e in specs}
        self.sentence_vectors = {
            e["name"]: VectorSet([s.sentence_vectors[e["name"]] for _, s in shards], int(e["dim"]))
            for e in specs if "sentences" in e}
        self.shard_rows: dict[int, int] = {}
        self._first_rows: list[int] = []
        first = 0
        for name, s in shards:
            self.shard_rows[shard_key(name)] = first
            self._first_rows.append(first)
            first += s.size
        counts = [c for s in data for c in s.sentence_counts] if sentence_level else []
        # first sentence row of each passage, and one past the last
        self._bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    @cached_property
    def row_of(self) -> dict[str, int]:
        """Passage id → row (reads every shard's passages)."""
        return {p.passage_id: i for i, p in enumerate(self.passages)}

    def row_in_plan(self, plan: str, passage_id: str) -> int:
        """The row of a passage of ``plan``, reading only that plan's shard.

        Raises:
            KeyError: the index holds no such passage of that plan.
        """
        first = 0
        for _, shard in self.shards:
            if shard.plan == plan:
                for i, p in enumerate(shard.passages):
                    if p.passage_id == passage_id:
                        return first + i
            first += shard.size
        raise KeyError(passage_id)

    def contents(self, rows: Iterable[int]) -> dict[int, str]:
        """Row → the passage's ``content``, reading from each shard only the lines of the
        rows asked for unless its passages are read already (:meth:`ShardData.contents`)."""
        by_shard: dict[int, list[int]] = {}
        for row in rows:
            by_shard.setdefault(int(self._shard_of_row[row]), []).append(row)
        out: dict[int, str] = {}
        for k, wanted in by_shard.items():
            first = self._first_rows[k]
            texts = self.shards[k][1].contents(r - first for r in wanted)
            out.update((first + i, text) for i, text in texts.items())
        return out

    def plan_of(self, row: int) -> str:
        """The plan of passage ``row``, without reading its shard's passages."""
        return self._plans[int(self._shard_of_row[row])]

    @property
    def plan_ids(self) -> list[str]:
        """The plan of every row (a list as long as the index: :meth:`plan_of`,
        :attr:`plan_set` and :meth:`plan_mask` answer without it)."""
        return [self._plans[i] for i in self._shard_of_row.tolist()]

    @cached_property
    def plan_set(self) -> frozenset[str]:
        """The plans the index holds."""
        return frozenset(self._plans)

    def plan_mask(self, plans: Iterable[str]) -> np.ndarray:
        """One bool per row: whether its plan is one of ``plans`` (made shard by shard)."""
        import numpy as np

        chosen = set(plans)
        return np.repeat(np.fromiter((p in chosen for p in self._plans), dtype=bool, count=len(self._plans)),
                         [s.size for _, s in self.shards])

    @property
    def encoder_names(self) -> tuple[str, ...]:
        return tuple(e["name"] for e in self.manifest["encoders"])

    def __len__(self) -> int:
        return len(self.passages)

    def sentence_scores(self, encoder: str, query: np.ndarray) -> np.ndarray:
        """Each passage's score for one query vector: the cosine of its best
        sentence (MaxP). Only for encoders in :attr:`sentence_vectors`. It reads the
        encoder's sentence rows as one float32 matrix: for checks; search ranks with
        :meth:`dense_ranking`, which does not."""
        import numpy as np

        if not len(self.passages):
            return np.zeros(0, dtype=np.float32)
        sims = self.sentence_vectors[encoder].scores(query)
        return np.maximum.reduceat(sims, self._bounds[:-1])

    def best_sentence_score(self, encoder: str, row: int, query: np.ndarray) -> float:
        """The cosine of passage ``row``'s best sentence with one query vector (MaxP for
        one passage: reads only that passage's sentence rows)."""
        lo, hi = int(self._bounds[row]), int(self._bounds[row + 1])
        sims = self.sentence_vectors[encoder].rows(lo, hi) @ query
        return float(sims.max()) if len(sims) else 0.0

    def dense_ranking(self, encoder: str, query: np.ndarray, depth: int,
                      allowed: np.ndarray | None = None) -> list[int]:
        """The ``depth`` best passage rows for one query vector, best first: by best
        sentence for sentence-level encoders, else by the passage's own vector.
        ``allowed`` (one bool per passage) keeps only some passages."""
        import numpy as np

        sentences = self.sentence_vectors.get(encoder)
        if sentences is None:
            return [int(r) for r in self.dense[encoder].top(query, depth, allowed)[0]]
        if sentences.ann is not None and allowed is None:
            # the best sentences, approximately; a passage ranks by its best one
            rows, _ = sentences.top(query, depth * 4)
            owners = np.searchsorted(self._bounds, rows, side="right") - 1
            return [int(r) for r in dict.fromkeys(owners.tolist())][:depth]
        # Exact MaxP without scoring every passage: ranked by their best sentence,
        # passages come in the order their first sentence appears among the best
        # sentences, so ask for the best few hundred sentences and for more only when
        # they name fewer than ``depth`` passages.
        mask = None if allowed is None else np.repeat(np.asarray(allowed, dtype=bool), np.diff(self._bounds))
        available = len(sentences) if mask is None else int(mask.sum())
        want = depth * 4
        while True:
            rows, _ = sentences.top(query, min(want, available), mask)
            owners = np.searchsorted(self._bounds, rows, side="right") - 1
            ranked = [int(r) for r in dict.fromkeys(owners.tolist())]
            if len(ranked) >= depth or want >= available:
                return ranked[:depth]
            want *= 4

    def best_sentence(self, encoder: str, row: int, query: np.ndarray) -> tuple[int, int]:
        """The span (in ``content``) of passage ``row``'s sentence closest to ``query``."""
        import numpy as np

        lo, hi = int(self._bounds[row]), int(self._bounds[row + 1])
        best = int(np.argmax(self.sentence_vectors[encoder].rows(lo, hi) @ query))
        return self.sentence_spans[row][best]


def _fail(path: Path, problem: str, hint: str | None = None) -> IndexStoreError:
    return IndexStoreError(
        f"index {path}: {problem}", hint=hint or "rebuild it with `plangraph build` (or build_index)"
    )


def check_encoders(path: Path, specs: Sequence[Mapping[str, Any]], encoders: Sequence[Encoder]) -> None:
    """Each query encoder must be one the index was built with (same name and dimension).

    Raises:
        IndexStoreError: naming the encoders the index has.
    """
    by_name = {s["name"]: s for s in specs}
    for enc in encoders:
        spec = by_name.get(enc.name)
        if spec is None:
            raise _fail(
                path,
                f"was built with encoder(s) {', '.join(by_name) or 'none'}, not {enc.name}",
                hint=f"search with one of: {', '.join(by_name)}, or rebuild with {enc.name}",
            )
        if int(spec["dim"]) != enc.dim:
            raise _fail(path, f"encoder {enc.name} has dimension {enc.dim}, the index {spec['dim']}")


def open_shards(shards: Mapping[str, str | Path], lexical: str | Path, encoders: Sequence[Encoder] = (), *,
                manifest: dict[str, Any] | None = None, mode: str = "bigram", path: Path | None = None,
                ann: str | Path | None = None) -> PassageIndex:
    """Open the given plan shards with a lexical index that covers them.

    Lexical documents of shards not listed (a stale writer's) are ignored.

    Args:
        shards: plan id → shard folder, in the order rows should have.
        lexical: the tantivy folder.
        encoders: query encoders to check against the shards.
        manifest: what :attr:`PassageIndex.manifest` holds (default: made from the
            first shard's encoders).
        mode: the lexical tokenisation.
        path: the index's folder, for messages.
        ann: a folder of approximate indexes to attach where they match.

    Raises:
        IndexStoreError: a shard is missing or corrupt, shards disagree on encoders,
            or an encoder does not match.
    """
    opened: list[tuple[str, ShardData]] = []
    for shard_dir in shards.values():
        folder = Path(shard_dir)
        if not folder.is_dir():
            raise _fail(path or folder.parent, f"missing shard {folder.name}")
        opened.append((folder.name, read_shard(folder)))
    specs = manifest["encoders"] if manifest else (list(opened[0][1].meta["encoders"]) if opened else [])
    want = [(s["name"], int(s["dim"]), "sentences" in s) for s in specs]
    for name, data in opened:
        have = [(s["name"], int(s["dim"]), "sentences" in s) for s in data.meta["encoders"]]
        if have != want:
            raise _fail(path or data.path.parent, f"shard {name} was embedded with {have}, the index with {want}")
    check_encoders(path or Path(lexical).parent, specs, encoders)
    meta = manifest or {"format": FORMAT_VERSION, "encoders": specs, "lexical": {"mode": mode},
                        "passages": sum(d.size for _, d in opened)}
    index = PassageIndex(path or Path(lexical).parent, meta, opened, LexicalIndex.open(lexical, mode))
    if ann is not None:
        attach(index, Path(ann))
    return index


def open_index(path: str | Path, encoders: Sequence[Encoder] | None = None) -> PassageIndex:
    """Open an index folder and check that it is whole.

    Args:
        path: the index folder.
        encoders: when given, the encoders that will embed queries; each must be one
            the index was built with (same name and dimension).

    Raises:
        IndexStoreError: the folder or a file is missing or corrupt, counts disagree,
            or an encoder does not match the one that built the index.
    """
    folder = readable(Path(path))  # a build that died between its renames: a writer puts it back
    if not folder.is_dir():
        raise _fail(folder, "no such index folder")
    mpath = folder / MANIFEST
    try:
        manifest = json.loads(mpath.read_text("utf-8"))
        n = int(manifest["passages"])
        list(manifest["encoders"])
        shards = {str(k): folder / str(v) for k, v in dict(manifest["shards"]).items()}
        mode = str(manifest["lexical"]["mode"])
        lex_dir = folder / str(manifest["lexical"]["dir"])
    except FileNotFoundError:
        raise _fail(folder, f"missing {MANIFEST}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise _fail(folder, f"{MANIFEST} is not a valid manifest ({exc})") from None
    if manifest.get("format") not in READABLE_FORMATS:
        raise _fail(folder, f"index format {manifest.get('format')!r}; this version reads "
                            f"{', '.join(map(str, READABLE_FORMATS))}")
    check_encoders(folder, manifest["encoders"], encoders or ())
    index = open_shards(shards, lex_dir, encoders or (), manifest=manifest, mode=mode, path=folder,
                        ann=folder / ANN_DIR)
    if len(index) != n:
        raise _fail(folder, f"the shards hold {len(index)} passages, the manifest says {n}")
    return index
