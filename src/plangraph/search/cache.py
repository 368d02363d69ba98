"""Embeddings kept between builds, keyed by the hash of (encoder name, embedded text).

A cache folder holds, per encoder, ``<encoder>.npy`` (the rows) and
``<encoder>.keys.json`` (their keys). It outlives any one index, so a fresh index
over mostly known text embeds only what is new. A damaged cache file is ignored:
it only costs re-embedding.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


class EmbeddingCache:
    """Vectors keyed by ``hash(encoder name, embedded text)``.

    Fed from the previous index at the target path and, when given, a cache folder
    (``<encoder>.npy`` + ``<encoder>.keys.json``) that outlives indexes.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self._rows: dict[str, dict[str, Any]] = {}

    def get(self, encoder: str, key: str) -> np.ndarray | None:
        return self._rows.get(encoder, {}).get(key)

    def put(self, encoder: str, key: str, row: np.ndarray) -> None:
        self._rows.setdefault(encoder, {})[key] = row

    def load_folder(self) -> None:
        import numpy as np

        if self.folder is None or not self.folder.is_dir():
            return
        for keys_file in self.folder.glob("*.keys.json"):
            try:
                meta = json.loads(keys_file.read_text("utf-8"))
                rows = np.load(keys_file.with_name(meta["file"]))
            except (OSError, ValueError, KeyError):
                continue  # a damaged cache only costs re-embedding
            if len(rows) != len(meta["keys"]):
                continue
            for key, row in zip(meta["keys"], rows):
                self.put(meta["encoder"], key, row)

    def save_folder(self) -> None:
        import numpy as np

        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, rows in self._rows.items():
            stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
            keys = sorted(rows)
            tmp = self.folder / f".{stem}.npy.tmp"
            with open(tmp, "wb") as fh:
                np.save(fh, np.vstack([rows[k] for k in keys]).astype(np.float32))
            os.replace(tmp, self.folder / f"{stem}.npy")
            meta = {"encoder": name, "file": f"{stem}.npy", "keys": keys}
            tmpj = self.folder / f".{stem}.keys.json.tmp"
            tmpj.write_text(json.dumps(meta), "utf-8")
            os.replace(tmpj, self.folder / f"{stem}.keys.json")
