"""What search reads of each plan's shard besides the graph: the entities and the
concepts (themes, stages, target groups) stated in each passage.

Read per plan, the first time one of its passages is asked about, so that a search
over thousands of plans reads the files of the plans its candidates come from (a
theme filter at 500 plans used to walk every commitment of the graph first: 44 s).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from plangraph.ingest.segment import plan_of_id
from plangraph.model import EntityRef
from plangraph.workspace.folder import CONCEPTS_FILE, ENTITIES_FILE, PLANS_DIR, broken_index


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

    def _read(self, plan: str, name: str) -> Any:
        """A JSON file of a plan's shard; None for a plan the index does not hold, or
        for a ``concepts.json`` the shard predates.

        Raises:
            IndexStoreError: the file is corrupt (or missing, for ``entities.json``).
        """
        record = self.manifest["plans"].get(plan)
        if record is None:
            return None
        path = self.path / PLANS_DIR / record["shard"] / name
        try:
            return json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            if name == CONCEPTS_FILE:
                return None
            raise broken_index(self.path, f"missing {path}") from None
        except (ValueError, TypeError) as exc:
            raise broken_index(self.path, f"{path} is corrupt ({exc})") from None

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
