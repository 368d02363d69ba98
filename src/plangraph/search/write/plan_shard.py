"""Writing one plan's shard (:mod:`plangraph.search.shard` describes the folder): the
texts each encoder embeds (:func:`plan_shard`), the folder's name (:func:`shard_name`)
and the embedding and writing itself (:func:`write_plan_shard`).

A shard depends only on its plan's passages and the encoders, so adding, replacing
or removing a plan writes or deletes one folder. Its name, ``<plan>-<sha12>``, changes
whenever its content would, so an unchanged plan keeps its folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.durable import fsync_path, fsync_write
from plangraph.model import Passage
from plangraph.search.encoders import Encoder
from plangraph.search.shard import PASSAGES, SHARD_FILE, SHARD_FORMAT, safe_name, vector_file
from plangraph.search.vectors import save_rows
from plangraph.search.write.cache import EmbeddingCache
from plangraph.search.write.embedding import Embedder, text_key
from plangraph.text import sentence_spans

if TYPE_CHECKING:
    import numpy as np


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
    return f"{safe_name(plan_id)}-{h.hexdigest()[:12]}"


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
