"""Embeddings kept between builds, keyed by the hash of (encoder name, embedded text).

A cache folder holds ``embeddings.sqlite``: one row per (encoder, key) with the vector
as float32 bytes. It outlives any one index, so a fresh index over mostly known text
embeds only what is new. It is a database rather than one array per encoder so that
a build reads and writes only the rows of the plans it changes: adding one plan to
an index of thousands looks up that plan's keys and appends its new rows, instead of
loading and rewriting every vector ever embedded. Rows embedded in this run are held
in memory until :meth:`EmbeddingCache.save_folder` writes them.

A damaged cache is ignored: it only costs re-embedding.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

DB_FILE = "embeddings.sqlite"
_BATCH = 500  # keys per SELECT … IN (…), under SQLite's variable limit


class EmbeddingCache:
    """Vectors keyed by ``hash(encoder name, embedded text)``.

    Fed from the previous index at the target path and, when given, a cache folder
    that outlives indexes (opened by :meth:`load_folder`).
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._rows: dict[str, dict[str, Any]] = {}
        self._db: sqlite3.Connection | None = None

    def get(self, encoder: str, key: str) -> np.ndarray | None:
        return self.get_many(encoder, [key]).get(key)

    def get_many(self, encoder: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """The rows of those ``keys`` the cache has (missing keys are left out)."""
        import numpy as np

        here = self._rows.get(encoder, {})
        out: dict[str, np.ndarray] = {}
        rest: list[str] = []
        for k in keys:
            if k in here:
                out[k] = here[k]
            elif k not in out:
                rest.append(k)
        if self._db is not None and rest:
            try:
                for i in range(0, len(rest), _BATCH):
                    part = rest[i:i + _BATCH]
                    marks = ",".join("?" * len(part))
                    for key, blob in self._db.execute(
                            f"SELECT key, vec FROM rows WHERE encoder = ? AND key IN ({marks})", [encoder, *part]):
                        out[key] = np.frombuffer(blob, dtype=np.float32)
            except sqlite3.DatabaseError:
                self._db = None  # a damaged cache only costs re-embedding
        return out

    def put(self, encoder: str, key: str, row: np.ndarray) -> None:
        self._rows.setdefault(encoder, {})[key] = row

    def load_folder(self) -> None:
        """Open the cache folder's database (created if missing)."""
        if self.folder is None or self._db is not None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.folder / DB_FILE)
            db.execute("CREATE TABLE IF NOT EXISTS rows (encoder TEXT NOT NULL, key TEXT NOT NULL, "
                       "vec BLOB NOT NULL, PRIMARY KEY (encoder, key)) WITHOUT ROWID")
            db.commit()
        except (OSError, sqlite3.DatabaseError):
            return  # unwritable or damaged: build without it
        self._db = db
        self._import_arrays()

    def _import_arrays(self) -> None:
        """Move a cache written as ``<encoder>.npy`` + ``.keys.json`` (before the
        database) into it, so that its vectors are not embedded again."""
        import numpy as np

        assert self.folder is not None
        for keys_file in sorted(self.folder.glob("*.keys.json")):
            try:
                meta = json.loads(keys_file.read_text("utf-8"))
                rows = np.load(keys_file.with_name(meta["file"]))
                if len(rows) == len(meta["keys"]):
                    for key, row in zip(meta["keys"], rows):
                        self.put(meta["encoder"], key, row)
                    self.save_folder()
                keys_file.with_name(meta["file"]).unlink(missing_ok=True)
            except (OSError, ValueError, KeyError):
                pass
            keys_file.unlink(missing_ok=True)

    def save_folder(self) -> None:
        """Write the rows embedded since the last save to the database and let go of
        them (they are read back from it when needed)."""
        import numpy as np

        if self.folder is None:
            return
        self.load_folder()
        if self._db is None:
            return
        try:
            with self._db:
                for name, rows in self._rows.items():
                    self._db.executemany(
                        "INSERT OR REPLACE INTO rows (encoder, key, vec) VALUES (?, ?, ?)",
                        ((name, k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in rows.items()))
        except sqlite3.DatabaseError:
            self._db = None
            return
        self._rows.clear()

    def missing(self, encoder: str, keys: Sequence[str]) -> list[str]:
        """Those of ``keys`` the cache lacks, each once, in order (the database is
        asked for keys only: the vectors are read when a shard is written)."""
        here = self._rows.get(encoder, {})
        rest = list(dict.fromkeys(k for k in keys if k not in here))
        stored: set[str] = set()
        if self._db is not None and rest:
            try:
                for i in range(0, len(rest), _BATCH):
                    part = rest[i:i + _BATCH]
                    marks = ",".join("?" * len(part))
                    stored.update(key for (key,) in self._db.execute(
                        f"SELECT key FROM rows WHERE encoder = ? AND key IN ({marks})", [encoder, *part]))
            except sqlite3.DatabaseError:
                self._db = None  # a damaged cache only costs re-embedding
                stored.clear()
        return [k for k in rest if k not in stored]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
