"""One plan's share of the search index: its passages and their vectors, in one folder.

Layout of a shard folder::

    shard.json                   plan id, counts, encoders (name, dimension, sentence level)
    passages.jsonl               one Passage per line, with sentence spans and cache keys
    <encoder>.passages.f16.npy   one float16 row per passage (L2-normalised)
    <encoder>.sentences.f16.npy  one row per sentence, for sentence-level encoders

This module reads a shard (:func:`read_shard`); :mod:`plangraph.search.write.plan_shard`
writes one. The lexical side is shared by all shards (:mod:`plangraph.search.lexical_index`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.errors import IndexStoreError
from plangraph.model import Passage
from plangraph.search.vectors import map_rows

if TYPE_CHECKING:
    import numpy as np

SHARD_FILE = "shard.json"
PASSAGES = "passages.jsonl"
SHARD_FORMAT = 2


def safe_name(name: str) -> str:
    """``name`` with only letters, digits, ``-``, ``_`` and ``.`` (others become ``_``)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("_")


def vector_file(encoder: str, level: str) -> str:
    """The file of an encoder's rows at ``level`` (``passages`` or ``sentences``)."""
    return f"{safe_name(encoder)}.{level}.f16.npy"


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

    def contents(self, positions: Iterable[int]) -> dict[int, str]:
        """The ``content`` of the passages at ``positions`` (in this shard): from its rows
        when they have been read, else parsing only those lines of ``passages.jsonl``.

        A search's exact-phrase check reads the text of candidates that may come from a
        hundred plans; reading each of their shards' rows for it took 3.9 s at 500 plans.

        Raises:
            IndexStoreError: ``passages.jsonl`` is missing, corrupt or disagrees with ``shard.json``.
        """
        wanted = set(positions)
        if self._rows is not None or not wanted:
            return {i: self.rows().passages[i].content for i in wanted}
        try:
            with open(self.path / PASSAGES, "rb") as fh:
                lines = [line for line in fh.read().split(b"\n") if line.strip()]
        except FileNotFoundError:
            raise _shard_error(self.path, f"missing {PASSAGES}") from None
        if len(lines) != self.size:  # the full read says what is wrong
            return {i: self.rows().passages[i].content for i in wanted}
        out: dict[int, str] = {}
        for i in wanted:
            try:
                out[i] = str(json.loads(lines[i])["content"])
            except (ValueError, KeyError, TypeError) as exc:
                raise _shard_error(self.path, f"{PASSAGES} line {i + 1} is corrupt ({exc})") from None
        return out

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
    """Open one shard folder written by
    :func:`plangraph.search.write.plan_shard.write_plan_shard`: read ``shard.json``,
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
