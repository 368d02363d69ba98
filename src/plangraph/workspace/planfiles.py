"""What readers take from each plan's shard besides the graph: the entities and the
concepts (themes, stages, target groups) stated in each passage, and the plan's rows of
the named queries answered from per-plan rows (:mod:`plangraph.graph.views`).

Read per plan, the first time one of its passages is asked about, so that a search
over thousands of plans reads the files of the plans its candidates come from (a
theme filter at 500 plans used to walk every commitment of the graph first: 44 s).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from plangraph.graph.views import ViewSpec, ordered, stored_rows, view_specs
from plangraph.ingest.segment import plan_of_id
from plangraph.model import EntityRef
from plangraph.workspace.folder import CONCEPTS_FILE, ENTITIES_FILE, PLANS_DIR, VIEWS_FILE, broken_index


class Foreground:
    """The searches in flight, which reading in the background waits for: at 500 plans,
    reading every plan's stored rows (8 s of Python) beside a first search made that
    search wait for the interpreter lock (7.4 s instead of 4.1 s)."""

    def __init__(self) -> None:
        self._running = 0
        self._changed = threading.Condition()

    @contextmanager
    def running(self) -> Iterator[None]:
        with self._changed:
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    def wait_idle(self, timeout_s: float = 30.0) -> None:
        """Return once no search is in flight (or after ``timeout_s``)."""
        with self._changed:
            self._changed.wait_for(lambda: self._running == 0, timeout_s)


class PlanFiles:
    """Per-plan lookups by passage id for one index (a :class:`Workspace`'s manifest).

    Args:
        path: the index folder.
        manifest: its manifest (plan id → shard).
        every_concept: passage id → concept keys for the whole graph, asked only for an
            index whose shards predate ``concepts.json``.
    """

    def __init__(self, path: Path, manifest: dict[str, Any],
                 every_concept: Callable[[], dict[str, frozenset[str]]]) -> None:
        self.path, self.manifest, self._every_concept = path, manifest, every_concept
        self._entities: dict[str, dict[str, tuple[EntityRef, ...]]] = {}
        self._concepts: dict[str, dict[str, frozenset[str]]] = {}
        self._lock = threading.Lock()
        self._views: dict[str, list[tuple[Any, ...]] | None] | None = None
        self._views_lock = threading.Lock()
        self.foreground = Foreground()

    def _read(self, plan: str, name: str) -> dict[str, Any] | None:
        """A JSON object of a plan's shard; None for a plan the index does not hold, or
        for a ``concepts.json`` or ``views.json`` the shard predates.

        Raises:
            IndexStoreError: the file is corrupt (or missing, for ``entities.json``).
        """
        record = self.manifest["plans"].get(plan)
        if record is None:
            return None
        path = self.path / PLANS_DIR / record["shard"] / name
        try:
            content = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            if name in (CONCEPTS_FILE, VIEWS_FILE):
                return None
            raise broken_index(self.path, f"missing {path}") from None
        except (ValueError, TypeError) as exc:
            raise broken_index(self.path, f"{path} is corrupt ({exc})") from None
        if not isinstance(content, dict):
            raise broken_index(self.path, f"{path} is corrupt (a JSON {type(content).__name__}, not an object)")
        return content

    def entities_for(self, passage_id: str) -> tuple[EntityRef, ...]:
        """Entities the graph says were stated in this passage."""
        plan = plan_of_id(passage_id)
        if plan not in self._entities:
            raw = self._read(plan, ENTITIES_FILE) or {}
            self._entities[plan] = {pid: tuple(EntityRef(*e) for e in refs) for pid, refs in raw.items()}
        return self._entities[plan].get(passage_id, ())

    def concepts_for(self, passage_id: str) -> frozenset[str]:
        """Keys of the themes, stages and target groups of the commitments stated in this passage."""
        plan = plan_of_id(passage_id)
        if plan not in self._concepts:
            raw = self._read(plan, CONCEPTS_FILE)
            if raw is None and plan in self.manifest["plans"]:  # an older shard: ask the graph, once
                with self._lock:
                    if plan not in self._concepts:
                        by_plan: dict[str, dict[str, frozenset[str]]] = {p: {} for p in self.manifest["plans"]}
                        for pid, keys in self._every_concept().items():
                            by_plan.setdefault(plan_of_id(pid), {})[pid] = keys
                        self._concepts.update(by_plan)
            else:
                self._concepts[plan] = {pid: frozenset(keys) for pid, keys in (raw or {}).items()}
        return self._concepts.get(plan, {}).get(passage_id, frozenset())

    def view_rows(self, spec: ViewSpec) -> list[tuple[Any, ...]] | None:
        """Every plan's stored rows of a view query in the query's order; None when a
        plan has none made by the current query text (an index built before views were,
        or by another version), so that the query runs as SPARQL."""
        return self.all_views().get(spec.name)

    def plans_view_rows(self, spec: ViewSpec, plans: list[str]) -> list[tuple[Any, ...]] | None:
        """The stored rows of a view query of only ``plans`` (in index order), in the
        query's order: what :meth:`view_rows` holds of them, without reading every plan's
        file (5 s cold at 500 plans). None as for :meth:`view_rows`."""
        if self._views is not None:
            every = self._views.get(spec.name)
            if every is None:
                return None
        out: list[tuple[Any, ...]] = []
        chosen = set(plans)
        for plan in (p for p in self.manifest["plans"] if p in chosen):
            try:
                rows = stored_rows(spec, self._read(plan, VIEWS_FILE))
            except ValueError as exc:
                shard = self.path / PLANS_DIR / self.manifest["plans"][plan]["shard"] / VIEWS_FILE
                raise broken_index(self.path, f"{shard} is corrupt ({exc})") from None
            if rows is None:
                return None
            out.extend(rows)
        return ordered(spec, out)

    def all_views(self, pause: Callable[[], None] | None = None) -> dict[str, list[tuple[Any, ...]] | None]:
        """Every view query's rows, read from every plan's ``views.json`` once (8 s at
        500 synthetic plans on 2 busy cores) and sorted; ``pause`` is called before each
        plan's file and each sort (a reader in the background lets searches go first)."""
        with self._views_lock:
            if self._views is None:
                specs = view_specs()
                views: dict[str, list[tuple[Any, ...]] | None] = {name: [] for name in specs}
                for plan in self.manifest["plans"]:
                    if pause is not None:
                        pause()
                    content = self._read(plan, VIEWS_FILE)
                    for name, one in specs.items():
                        try:
                            rows, so_far = stored_rows(one, content), views[name]
                        except ValueError as exc:
                            shard = self.path / PLANS_DIR / self.manifest["plans"][plan]["shard"] / VIEWS_FILE
                            raise broken_index(self.path, f"{shard} is corrupt ({exc})") from None
                        if rows is None or so_far is None:
                            views[name] = None
                        else:
                            so_far.extend(rows)
                done: dict[str, list[tuple[Any, ...]] | None] = {}
                for name, rows in views.items():
                    if pause is not None:
                        pause()
                    done[name] = None if rows is None else ordered(specs[name], rows)
                self._views = done
            return self._views
