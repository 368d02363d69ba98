"""One plan's share of the search index: its passages and their vectors, in one folder.

Layout of a shard folder::

    shard.json                   plan id, counts, encoders (name, dimension, sentence level)
    passages.jsonl               one Passage per line, with sentence spans and cache keys
    <encoder>.passages.f16.npy   one float16 row per passage (L2-normalised)
    <encoder>.sentences.f16.npy  one row per sentence, for sentence-level encoders

A shard depends only on its plan's passages and the encoders, so adding, replacing
or removing a plan writes or deletes one folder. Its name, ``<plan>-<sha12>``
(:func:`shard_name`), changes whenever its content would, so an unchanged plan keeps
its folder. The lexical side is shared by all shards
(:mod:`plangraph.search.lexical_index`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.durable import fsync_path, fsync_write
from plangraph.errors import IndexStoreError
from plangraph.model import Passage
from plangraph.search.cache import EmbeddingCache
from plangraph.search.embedding import Embedder, text_key
from plangraph.search.encoders import Encoder
from plangraph.search.vectors import map_rows, save_rows
from plangraph.text import sentence_spans

if TYPE_CHECKING:
    import numpy as np

SHARD_FILE = "shard.json"
PASSAGES = "passages.jsonl"
SHARD_FORMAT = 2


def embed_text(passage: Passage, context: str = "none") -> str:
    """The text an encoder sees for a passage.

    With ``context="section"`` the innermost headings of the section path come
    first, so that a terse list item carries its topic. It is off by default: on
    the dev questions it lowered e5's MRR@10 (0.54 → 0.41); table rows already
    carry their table title and column labels in ``content``.
    """
    if context == "none" or not passage.section_path:
        return passage.content
    heads = [h for h in passage.section_path[-2:] if h and h not in passage.content]
    return " / ".join(heads) + "\n" + passage.content if heads else passage.content


def sentence_level_of(enc: Encoder, choice: str) -> bool:
    """Whether ``enc`` gets sentence vectors: ``auto`` follows the encoder's own
    ``sentence_vectors`` flag (set where it was measured to help)."""
    return choice == "all" or (choice == "auto" and bool(getattr(enc, "sentence_vectors", False)))


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("_")


def vector_file(encoder: str, level: str) -> str:
    """The file of an encoder's rows at ``level`` (``passages`` or ``sentences``)."""
    return f"{_safe(encoder)}.{level}.f16.npy"


@dataclass(frozen=True)
class ShardPlan:
    """What a shard will hold, before any embedding: the texts each encoder sees."""

    passages: tuple[Passage, ...]
    texts: tuple[str, ...]
    spans: tuple[tuple[tuple[int, int], ...], ...]
    sentences: tuple[str, ...]
    sentence_encoders: tuple[str, ...]
    context: str

    def texts_for(self, enc: Encoder) -> list[str]:
        """Every text ``enc`` embeds for this shard: its sentences for a sentence-level
        encoder (a passage's vector is then the mean of its sentences'), else the
        passages."""
        return list(self.sentences) if enc.name in self.sentence_encoders else list(self.texts)


def plan_shard(passages: Sequence[Passage], encoders: Sequence[Encoder], *, context: str = "none",
               sentence_level: str = "auto") -> ShardPlan:
    """The texts of one shard: passage texts, and sentences for sentence-level encoders."""
    sent_encs = tuple(e.name for e in encoders if sentence_level_of(e, sentence_level))
    spans = tuple(tuple(sentence_spans(p.content)) for p in passages) if sent_encs else ()
    sentences = tuple(p.content[s:e] for p, ps in zip(passages, spans) for s, e in ps)
    return ShardPlan(tuple(passages), tuple(embed_text(p, context) for p in passages), spans,
                     sentences, sent_encs, context)


def shard_name(plan_id: str, shard: ShardPlan, encoders: Sequence[Encoder]) -> str:
    """``<plan>-<sha12>``: the hash covers the passages, what each encoder embeds and how."""
    h = hashlib.sha256(f"{SHARD_FORMAT}\0{shard.context}\0{','.join(shard.sentence_encoders)}".encode())
    for enc in encoders:
        h.update(f"\0{enc.name}\0{enc.dim}".encode())
    for p in shard.passages:
        h.update(json.dumps(dataclasses.asdict(p), ensure_ascii=False, sort_keys=True).encode())
    return f"{_safe(plan_id)}-{h.hexdigest()[:12]}"


PASSAGE_MEAN = "mean-of-sentences"
"""How a sentence-level encoder's passage vectors are made: the normalised mean of the
passage's sentence vectors, not an embedding of the whole passage. Search ranks such
an encoder's passages by their best sentence and never reads these rows for ranking,
so embedding every paragraph a second time (its longest texts: half of e5's work on
the four plans) bought nothing; they stay for readers that want one row a passage."""


def sentence_means(sentences: np.ndarray, spans: Sequence[Sequence[tuple[int, int]]]) -> np.ndarray:
    """One L2-normalised row per passage: the mean of its sentence rows (in order); a
    passage without sentences gets a zero row."""
    import numpy as np

    out = np.zeros((len(spans), sentences.shape[1]), np.float32)
    first = 0
    for i, passage_spans in enumerate(spans):
        n = len(passage_spans)
        if n:
            out[i] = sentences[first:first + n].astype(np.float32).sum(axis=0)
            first += n
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(out / norms, dtype=np.float32)


def write_plan_shard(shard_dir: str | Path, passages: Sequence[Passage], encoders: Sequence[Encoder],
                     cache: EmbeddingCache, *, context: str = "none", sentence_level: str = "auto",
                     embedder: Embedder | None = None, plan: ShardPlan | None = None) -> dict[str, int]:
    """Embed what ``cache`` lacks and write one shard folder (created; files fsynced).

    The caller makes the folder visible atomically (writes it under a temporary name
    and renames it, or lists it in its manifest only once this returns).

    Args:
        shard_dir: the folder to write (created with its parents).
        passages: the plan's passages in order.
        encoders: every encoder of the index.
        cache: embeddings by text hash; filled with what is embedded here.
        context: what encoders see besides the content (:func:`embed_text`).
        sentence_level: ``auto``, ``all`` or ``none`` (:func:`sentence_level_of`).
        embedder: how missing texts are embedded (default: in this process).
        plan: the :func:`plan_shard` of these passages, when the caller made it already.

    Returns:
        Texts embedded now per encoder (the rest came from the cache).
    """
    import numpy as np

    folder = Path(shard_dir)
    folder.mkdir(parents=True, exist_ok=True)
    shard = plan or plan_shard(passages, encoders, context=context, sentence_level=sentence_level)
    embedder = embedder or Embedder()
    embedded: dict[str, int] = {}
    keys: dict[str, list[str]] = {}
    specs = []
    sent_keys: dict[str, list[str]] = {}
    for enc in encoders:
        texts = shard.texts_for(enc)
        embedded[enc.name] = embedder.fill(enc, texts, cache)
        text_keys = [text_key(enc.name, t) for t in texts]
        have = cache.get_many(enc.name, text_keys)
        rows = [have.get(k) for k in text_keys]
        if any(r is None for r in rows):  # the embedder fills every key it was given
            raise RuntimeError(f"{enc.name}: embeddings missing after embedding {folder.name}")
        matrix = (np.vstack([r for r in rows if r is not None]).astype(np.float32) if rows
                  else np.zeros((0, enc.dim), np.float32))
        spec: dict[str, Any] = {"name": enc.name, "dim": int(enc.dim)}
        if enc.name in shard.sentence_encoders:
            save_rows(folder / vector_file(enc.name, "sentences"), matrix)
            save_rows(folder / vector_file(enc.name, "passages"), sentence_means(matrix, shard.spans))
            spec["sentences"] = len(shard.sentences)
            spec["passages"] = PASSAGE_MEAN
            sent_keys[enc.name] = text_keys
            keys[enc.name] = [text_key(enc.name, PASSAGE_MEAN + "\0" + t) for t in shard.texts]
        else:
            save_rows(folder / vector_file(enc.name, "passages"), matrix)
            keys[enc.name] = text_keys
        specs.append(spec)
    lines = []
    first = 0
    for i, p in enumerate(shard.passages):
        row = dataclasses.asdict(p)
        row["embed_keys"] = {name: ks[i] for name, ks in keys.items()}
        if shard.spans:
            n_sent = len(shard.spans[i])
            row["sentences"] = shard.spans[i]
            row["sentence_keys"] = {e: sent_keys[e][first:first + n_sent] for e in shard.sentence_encoders}
            first += n_sent
        lines.append(json.dumps(row, ensure_ascii=False))
    fsync_write(folder / PASSAGES, ("\n".join(lines) + "\n" if lines else "").encode())
    meta = {"format": SHARD_FORMAT, "plans": sorted({p.plan_id for p in shard.passages}),
            "passages": len(shard.passages), "sentences": len(shard.sentences), "context": shard.context,
            "encoders": specs, "sentence_counts": [len(sp) for sp in shard.spans]}
    fsync_write(folder / SHARD_FILE, json.dumps(meta, ensure_ascii=False, indent=1).encode())
    fsync_path(folder)
    return embedded


@dataclass(frozen=True)
class ShardRows:
    """A shard's passages as read from ``passages.jsonl``."""

    passages: tuple[Passage, ...]
    spans: tuple[tuple[tuple[int, int], ...], ...]
    embed_keys: Mapping[str, tuple[str, ...]]
    sentence_keys: Mapping[str, tuple[str, ...]]


class ShardData:
    """An opened shard: metadata read, vectors memory-mapped, passages read on first use.

    Attributes:
        plan: the plan id of its passages.
        sentence_counts: sentences per passage (empty without sentence-level encoders).
    """

    def __init__(self, path: Path, meta: Mapping[str, Any], vectors: Mapping[str, np.ndarray],
                 sentence_vectors: Mapping[str, np.ndarray]) -> None:
        self.path = path
        self.meta = meta
        self.vectors = vectors
        self.sentence_vectors = sentence_vectors
        self.size = int(meta["passages"])
        plans = list(meta.get("plans") or [])
        self.plan = str(plans[0]) if plans else ""
        self.sentence_counts: list[int] = [int(c) for c in meta.get("sentence_counts", ())]
        self._rows: ShardRows | None = None

    def rows(self) -> ShardRows:
        """The passages, sentence spans and cache keys (read once).

        Raises:
            IndexStoreError: ``passages.jsonl`` is missing, corrupt or disagrees with ``shard.json``.
        """
        if self._rows is None:
            self._rows = _read_rows(self.path, self.meta)
        return self._rows

    @property
    def passages(self) -> tuple[Passage, ...]:
        return self.rows().passages

    @property
    def spans(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        return self.rows().spans

    @property
    def embed_keys(self) -> Mapping[str, tuple[str, ...]]:
        return self.rows().embed_keys

    @property
    def sentence_keys(self) -> Mapping[str, tuple[str, ...]]:
        return self.rows().sentence_keys


def _shard_error(folder: Path, problem: str) -> IndexStoreError:
    return IndexStoreError(f"index shard {folder}: {problem}", hint="rebuild it with `plangraph build`")


def read_shard(shard_dir: str | Path) -> ShardData:
    """Open one shard folder written by :func:`write_plan_shard`: read ``shard.json``,
    map the vector files; the passages are read when first used.

    Raises:
        IndexStoreError: a file is missing or corrupt, or counts disagree.
    """
    folder = Path(shard_dir)
    try:
        meta = json.loads((folder / SHARD_FILE).read_text("utf-8"))
        n = int(meta["passages"])
        specs = list(meta["encoders"])
        counts = [int(c) for c in meta.get("sentence_counts", ())]
        if any("sentences" in s for s in specs) and len(counts) != n:
            raise ValueError(f"{len(counts)} sentence counts for {n} passages")
    except FileNotFoundError:
        raise _shard_error(folder, f"missing {SHARD_FILE}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise _shard_error(folder, f"{SHARD_FILE} is corrupt ({exc})") from None
    vectors, sentence_vectors = {}, {}
    for spec in specs:
        name, dim = spec["name"], int(spec["dim"])
        vectors[name] = map_rows(folder / vector_file(name, "passages"), n, dim)
        if "sentences" in spec:
            sentence_vectors[name] = map_rows(folder / vector_file(name, "sentences"), sum(counts), dim)
    return ShardData(folder, meta, vectors, sentence_vectors)


def _read_rows(folder: Path, meta: Mapping[str, Any]) -> ShardRows:
    n = int(meta["passages"])
    specs = list(meta["encoders"])
    passages: list[Passage] = []
    spans: list[tuple[tuple[int, int], ...]] = []
    keys: dict[str, list[str]] = {s["name"]: [] for s in specs}
    sent_keys: dict[str, list[str]] = {s["name"]: [] for s in specs if "sentences" in s}
    line_no = 0
    try:
        with open(folder / PASSAGES, encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                for name, key in row.pop("embed_keys", {}).items():
                    keys.setdefault(name, []).append(key)
                passage_spans = tuple((int(s), int(e)) for s, e in row.pop("sentences", ()))
                for name, ks in row.pop("sentence_keys", {}).items():
                    sent_keys.setdefault(name, []).extend(ks)
                row["section_path"] = tuple(row.get("section_path") or ())
                passages.append(Passage(**row))
                if sent_keys:
                    if not passage_spans:
                        raise ValueError(f"passage {passages[-1].passage_id} has no sentence spans")
                    spans.append(passage_spans)
    except FileNotFoundError:
        raise _shard_error(folder, f"missing {PASSAGES}") from None
    except (ValueError, TypeError) as exc:
        raise _shard_error(folder, f"{PASSAGES} line {line_no} is corrupt ({exc})") from None
    if len(passages) != n:
        raise _shard_error(folder, f"{PASSAGES} has {len(passages)} passages, {SHARD_FILE} says {n}")
    if [len(s) for s in spans] != [int(c) for c in meta.get("sentence_counts", ())]:
        raise _shard_error(folder, f"{PASSAGES} disagrees with the sentence counts of {SHARD_FILE}")
    n_sent = sum(len(s) for s in spans)
    for name, ks in sent_keys.items():
        if len(ks) != n_sent:
            raise _shard_error(folder, f"{PASSAGES} lists {len(ks)} sentence keys of {name} for {n_sent} sentences")
    return ShardRows(tuple(passages), tuple(spans), {k: tuple(v) for k, v in keys.items()},
                     {k: tuple(v) for k, v in sent_keys.items()})
