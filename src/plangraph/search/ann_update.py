"""The ANN side of a new index generation: the previous generation's IVF files
updated for the shards that came and went (:func:`plangraph.search.ann.update_ann`),
reading the vectors of new shards only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from plangraph.search.ann import file_stem
from plangraph.search.folders import link_tree
from plangraph.search.index import ANN_DIR, LEXICAL_DIR, open_shards
from plangraph.search.shard import read_shard
from plangraph.search.vectors import VectorSet


def add_ann(tmp: Path, out: Path, manifest: dict[str, Any]) -> None:
    """ANN indexes for vector sets past the measured size, updated from the previous
    index's when it had them (adding and removing shards, not retraining)."""
    from plangraph.search.ann import update_ann
    from plangraph.search.vectors import ANN_MIN_ROWS

    metas = {pid: json.loads((tmp / d / "shard.json").read_text("utf-8")) for pid, d in manifest["shards"].items()}
    total = int(manifest["passages"])
    sentences = sum(int(m["sentences"]) for m in metas.values())
    if max(total, sentences) < ANN_MIN_ROWS // 2 and not (out / ANN_DIR).is_dir():
        return
    if (out / ANN_DIR).is_dir():
        link_tree(out / ANN_DIR, tmp / ANN_DIR)
    listing = _AnnListing.of(tmp, manifest, metas)
    if listing.complete(ANN_MIN_ROWS):
        update_ann(listing, tmp / ANN_DIR, min_rows=ANN_MIN_ROWS)  # type: ignore[arg-type]
        return
    index = open_shards({pid: tmp / d for pid, d in manifest["shards"].items()}, tmp / LEXICAL_DIR,
                        manifest=manifest, mode=manifest["lexical"]["mode"], path=tmp)
    update_ann(index, tmp / ANN_DIR, min_rows=ANN_MIN_ROWS)


class _AnnListing:
    """What :func:`plangraph.search.ann.update_ann` reads of an index (shard names, vector
    sets and their sizes), with real rows only for shards the ANN files do not hold yet:
    the others stand in as zero-cost rows of the right count, never read."""

    def __init__(self, shards: list[tuple[str, Any]], dense: dict[str, VectorSet],
                 sentence_vectors: dict[str, VectorSet], held: dict[str, set[str]]) -> None:
        self.shards, self.dense, self.sentence_vectors, self._held = shards, dense, sentence_vectors, held

    @classmethod
    def of(cls, tmp: Path, manifest: dict[str, Any], metas: dict[str, dict[str, Any]]) -> _AnnListing:
        import numpy as np

        held: dict[str, set[str]] = {}
        for meta_file in (tmp / ANN_DIR).glob("*.json") if (tmp / ANN_DIR).is_dir() else ():
            try:
                held[meta_file.stem] = set(json.loads(meta_file.read_text("utf-8"))["shards"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
        dense: dict[str, list[Any]] = {}
        sent: dict[str, list[Any]] = {}
        dims: dict[str, int] = {}
        shards: list[tuple[str, Any]] = []
        for pid, rel in manifest["shards"].items():
            folder, meta = tmp / rel, metas[pid]
            shards.append((folder.name, None))
            opened = None
            for spec in meta["encoders"]:
                name, dim = str(spec["name"]), int(spec["dim"])
                dims[name] = dim
                level, n = ("sentences", int(spec["sentences"])) if "sentences" in spec else \
                    ("passages", int(meta["passages"]))
                if folder.name in held.get(file_stem(f"{name}.{level}"), set()):
                    part: Any = np.broadcast_to(np.zeros(dim, np.float32), (n, dim))
                else:
                    opened = opened or read_shard(folder)
                    part = (opened.sentence_vectors if level == "sentences" else opened.vectors)[name]
                (sent if level == "sentences" else dense).setdefault(name, []).append(part)
        return cls(shards, {k: VectorSet(v, dims[k]) for k, v in dense.items()},
                   {k: VectorSet(v, dims[k]) for k, v in sent.items()}, held)

    def complete(self, min_rows: int) -> bool:
        """Whether no vector set needs an index trained on all its rows."""
        sets = {f"{k}.passages": v for k, v in self.dense.items() if k not in self.sentence_vectors}
        sets.update({f"{k}.sentences": v for k, v in self.sentence_vectors.items()})
        return all(file_stem(label) in self._held or len(vs) < min_rows for label, vs in sets.items())
