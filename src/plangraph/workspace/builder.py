"""Build an index folder from plan files: ingest, extract, graph, search index.

A build writes a complete new folder beside the old one and swaps it in at the
end (:mod:`plangraph.workspace.folder`), so an interrupted build leaves the last good
index usable.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from plangraph.errors import InputError
from plangraph.workspace.folder import (
    CACHE_DIR,
    ENTITIES_FILE,
    FORMAT,
    GRAPH_FILE,
    MANIFEST,
    PLANS_FILE,
    SEARCH_DIR,
    TEXTS_DIR,
    default_index,
    fsync_path,
    fsync_write,
    swap_into_place,
)


@dataclass(frozen=True)
class BuildSummary:
    """What :func:`build` did, for people and for the benchmark."""

    index: Path
    plans: tuple[str, ...]
    failures: tuple[tuple[str, str], ...]
    counts: dict[str, dict[str, int]]
    shacl_conforms: bool
    shacl_violations: tuple[str, ...]
    embedded: dict[str, int]
    reused: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)
    sentences_embedded: dict[str, int] = field(default_factory=dict)


def build(paths: Iterable[str | Path], out_dir: str | Path | None = None, *,
          encoders: Sequence[str] = ("e5", "use"), sentence_level: str = "auto",
          progress: bool = True) -> BuildSummary:
    """Ingest plan files, extract, build the graph and the search index.

    One broken plan is reported in :attr:`BuildSummary.failures` and skipped.
    ``sentence_level`` is passed to :func:`plangraph.search.build.build_index`.

    Raises:
        InputError: no plan at all could be ingested.
    """
    from plangraph.search.encoders import get_encoder
    from plangraph.extract.pipeline import extract
    from plangraph.graph.build import build_graph, passage_entities
    from plangraph.graph.ontology import validate
    from plangraph.search.build import build_index
    from plangraph.ingest.pipeline import ingest_files

    out = Path(out_dir) if out_dir else default_index()
    chosen = [get_encoder(e) for e in encoders]  # an unknown name fails before any work
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    docs, failures = ingest_files(list(paths))
    if not docs:
        detail = "; ".join(f.error.message for f in failures) or "no plan files given"
        raise InputError(f"no plan could be ingested ({detail})")
    seconds["ingest"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    extractions = [extract(d) for d in docs]
    seconds["extract"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ds = build_graph(zip(docs, extractions))
    report = validate(ds)
    seconds["graph"] = time.perf_counter() - t0

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.building-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        t0 = time.perf_counter()
        ds.serialize(destination=str(tmp / GRAPH_FILE), format="trig")
        seconds["write graph"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        passages = [p for d in docs for p in d.passages]
        hashes = {d.plan_id: d.meta.sha256 for d in docs}
        rep = build_index(passages, tmp / SEARCH_DIR, chosen, sentence_level=sentence_level,
                          corpus_hashes=hashes, cache_dir=out.parent / CACHE_DIR, progress=progress)
        seconds["index"] = time.perf_counter() - t0
        from plangraph.ingest.docjson import plan_to_json

        plans = [{k: v for k, v in plan_to_json(d).items()
                  if k in ("plan", "meta", "counts", "findings", "format", "pages")} for d in docs]
        (tmp / PLANS_FILE).write_text(json.dumps(plans, ensure_ascii=False, indent=1), "utf-8")
        # the text every offset indexes: for an HTML, Word or PDF plan it exists only here
        (tmp / TEXTS_DIR).mkdir()
        for d in docs:
            (tmp / TEXTS_DIR / f"{d.plan_id}.txt").write_text(d.original, "utf-8", newline="")
        entities = {pid: [[e.iri, e.kind, e.label] for e in refs] for pid, refs in passage_entities(ds).items()}
        (tmp / ENTITIES_FILE).write_text(json.dumps(entities, ensure_ascii=False), "utf-8")
        counts = {x.plan_id: x.counts() for x in extractions}
        manifest = {
            "format": FORMAT,
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "plans": {d.plan_id: {"file": d.meta.source_file, "sha256": d.meta.sha256} for d in docs},
            "skipped": {f.path: f.error.message for f in failures},
            "encoders": list(encoders),
            "counts": counts,
            "shacl": {"conforms": report.conforms, "violations": len(report.violations)},
        }
        fsync_write(tmp / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        for name in (GRAPH_FILE, PLANS_FILE, ENTITIES_FILE):
            fsync_path(tmp / name)
        fsync_path(tmp)
        swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return BuildSummary(
        out, tuple(d.plan_id for d in docs), tuple((f.path, f.error.message) for f in failures),
        counts, report.conforms, tuple(str(v) for v in report.violations[:20]),
        dict(rep.embedded), dict(rep.reused), seconds, dict(rep.sentences_embedded))
