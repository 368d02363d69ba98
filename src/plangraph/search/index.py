"""Opening a search index folder written by :func:`plangraph.search.build.build_index`.

:class:`PassageIndex` holds the passages, one faiss index of passage vectors per
encoder, the sentence vectors of sentence-level encoders (as a numpy matrix: search
scores every sentence anyway) and the BM25 index. :func:`open_index` checks that
the folder is whole and was built by the encoders that will embed the queries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plangraph.search.encoders import Encoder
from plangraph.errors import IndexStoreError
from plangraph.search.lexical import BM25Index
from plangraph.model import Passage
from plangraph.durable import recover

if TYPE_CHECKING:
    import numpy as np

FORMAT_VERSION = 2
"""Format 2 added sentence vectors; a format-1 folder (none) still opens."""
READABLE_FORMATS = (1, 2)
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
LEXICAL = "lexical.json"


class PassageIndex:
    """An opened index folder: passages, one faiss index per encoder, BM25, and
    sentence vectors for the encoders that score sentences.

    Attributes:
        sentence_spans: per passage, the ``(start, end)`` of each sentence in its
            ``content`` (empty when no encoder scores sentences).
        sentence_vectors: encoder name → one row per sentence, passages in order.
        sentence_keys: encoder name → the cache key of each sentence row.
    """

    def __init__(
        self,
        path: Path,
        manifest: dict[str, Any],
        passages: tuple[Passage, ...],
        embed_keys: dict[str, list[str]],
        dense: dict[str, Any],
        lexical: BM25Index,
        *,
        sentence_spans: tuple[tuple[tuple[int, int], ...], ...] = (),
        sentence_vectors: dict[str, np.ndarray] | None = None,
        sentence_keys: dict[str, list[str]] | None = None,
    ) -> None:
        import numpy as np

        self.path = path
        self.manifest = manifest
        self.passages = passages
        self.embed_keys = embed_keys
        self.dense = dense
        self.lexical = lexical
        self.row_of = {p.passage_id: i for i, p in enumerate(passages)}
        self.sentence_spans = sentence_spans
        self.sentence_vectors = sentence_vectors or {}
        self.sentence_keys = sentence_keys or {}
        counts = [len(s) for s in sentence_spans]
        # first sentence row of each passage, and one past the last
        self._bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    @property
    def encoder_names(self) -> tuple[str, ...]:
        return tuple(e["name"] for e in self.manifest["encoders"])

    def __len__(self) -> int:
        return len(self.passages)

    def sentence_scores(self, encoder: str, query: np.ndarray) -> np.ndarray:
        """Each passage's score for one query vector: the cosine of its best
        sentence (MaxP). Only for encoders in :attr:`sentence_vectors`."""
        import numpy as np

        sims = self.sentence_vectors[encoder] @ query
        if not len(self.passages):
            return np.zeros(0, dtype=np.float32)
        return np.maximum.reduceat(sims, self._bounds[:-1])

    def best_sentence(self, encoder: str, row: int, query: np.ndarray) -> tuple[int, int]:
        """The span (in ``content``) of passage ``row``'s sentence closest to ``query``."""
        import numpy as np

        lo, hi = int(self._bounds[row]), int(self._bounds[row + 1])
        best = int(np.argmax(self.sentence_vectors[encoder][lo:hi] @ query))
        return self.sentence_spans[row][best]


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
    if manifest.get("format") not in READABLE_FORMATS:
        raise _fail(folder, f"index format {manifest.get('format')!r}; this version reads "
                            f"{', '.join(map(str, READABLE_FORMATS))}")

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
    spans: list[tuple[tuple[int, int], ...]] = []
    sent_keys: dict[str, list[str]] = {s["name"]: [] for s in specs if "sentences" in s}
    line_no = 0
    try:
        with open(folder / PASSAGES, encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = json.loads(line)
                for name, key in row.pop("embed_keys", {}).items():
                    keys.setdefault(name, []).append(key)
                passage_spans = tuple((int(s), int(e)) for s, e in row.pop("sentences", ()))
                for name, ks in row.pop("sentence_keys", {}).items():
                    sent_keys.setdefault(name, []).extend(ks)
                row["section_path"] = tuple(row.get("section_path") or ())
                passages.append(Passage(**row))
                if sent_keys:
                    if not passage_spans:
                        raise ValueError(f"passage {passages[-1].passage_id} has no sentence spans")
                    spans.append(passage_spans)
    except FileNotFoundError:
        raise _fail(folder, f"missing {PASSAGES}") from None
    except (ValueError, TypeError) as exc:
        raise _fail(folder, f"{PASSAGES} line {line_no} is corrupt ({exc})") from None
    if len(passages) != n:
        raise _fail(folder, f"{PASSAGES} has {len(passages)} passages, the manifest says {n}")

    dense: dict[str, Any] = {}
    sentence_vectors: dict[str, np.ndarray] = {}
    n_sentences = sum(len(s) for s in spans)
    for spec in specs:
        dense[spec["name"]] = _read_vectors(folder, spec["file"], spec["name"], n, int(spec["dim"]))
        if "sentences" in spec:
            file = spec["sentences"]["file"]
            if len(sent_keys[spec["name"]]) != n_sentences:
                raise _fail(folder, f"{PASSAGES} lists {len(sent_keys[spec['name']])} sentence keys of "
                                    f"{spec['name']} for {n_sentences} sentences")
            index = _read_vectors(folder, file, spec["name"], n_sentences, int(spec["dim"]))
            sentence_vectors[spec["name"]] = index.reconstruct_n(0, index.ntotal)
    try:
        lexical = BM25Index.from_json(json.loads((folder / lex_file).read_text("utf-8")))
    except FileNotFoundError:
        raise _fail(folder, f"missing {lex_file}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise _fail(folder, f"{lex_file} is corrupt ({exc})") from None
    if len(lexical) != n:
        raise _fail(folder, f"{lex_file} covers {len(lexical)} passages, the manifest says {n}")
    return PassageIndex(
        folder, manifest, tuple(passages), keys, dense, lexical,
        sentence_spans=tuple(spans), sentence_vectors=sentence_vectors, sentence_keys=sent_keys,
    )


def _read_vectors(folder: Path, file: str, encoder: str, rows: int, dim: int) -> Any:
    import faiss

    fpath = folder / file
    if not fpath.is_file():
        raise _fail(folder, f"missing {file} (vectors of {encoder})")
    try:
        index = faiss.read_index(str(fpath))
    except RuntimeError as exc:
        raise _fail(folder, f"{file} is corrupt ({str(exc).splitlines()[0]})") from None
    if index.ntotal != rows or index.d != dim:
        raise _fail(folder, f"{file} holds {index.ntotal} vectors of dimension {index.d}; "
                            f"expected {rows} of dimension {dim}")
    return index
