"""Per-plan shards: the lexical index adds and removes plans, exact phrases equal a scan,
embedding on workers fills the same cache, approximate search follows the shards."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from plangraph.model import PlanDoc
from plangraph.search.ann import attach
from plangraph.search.encoders import FakeEncoder
from plangraph.search.index import open_index, open_shards
from plangraph.search.lexical_index import LexicalIndex, shard_key
from plangraph.search.read.searcher import EXACT, Searcher
from plangraph.search.shard import read_shard
from plangraph.search.write.ann_update import update_ann
from plangraph.search.write.build import build_index
from plangraph.search.write.cache import EmbeddingCache
from plangraph.search.write.embedding import Embedder, text_key
from plangraph.search.write.plan_shard import write_plan_shard
from plangraph.text import fold_compact, sentence_spans


def _rows(*shards: tuple[str, int]) -> dict[int, int]:
    return {shard_key(name): first for name, first in shards}


def test_lexical_index_adds_replaces_and_removes_one_plan(linan: PlanDoc, linping: PlanDoc, tmp_path: Path) -> None:
    lex = LexicalIndex.create(tmp_path / "lex")
    a, b = [p.content for p in linan.passages], [p.content for p in linping.passages]
    lex.add_shards([("linan", "linan-1", a), ("linping", "linping-1", b)])
    assert len(lex) == len(a) + len(b)
    rows = _rows(("linan-1", 0), ("linping-1", len(a)))
    top = lex.scores("马溪幼儿园", 5, rows)
    assert top[0][0] < len(a) and "马溪幼儿园" in a[top[0][0]]

    # replace Lin'an by a new shard: its old documents go, the new ones come
    lex.add_shards([("linan", "linan-2", a[:10])])
    assert len(LexicalIndex.open(tmp_path / "lex")) == 10 + len(b)
    rows = _rows(("linan-2", 0), ("linping-1", 10))
    assert all(r < 10 or r >= 10 for r, _ in lex.scores("教育", 50, rows))
    lex.remove_plans(["linan"])
    rows = _rows(("linping-1", 0))
    hits = lex.scores("学前教育", 100, rows)
    assert hits and all(0 <= r < len(b) for r, _ in hits)
    assert len(lex) == len(b)


def test_documents_of_unlisted_shards_are_ignored(linan: PlanDoc, linping: PlanDoc, tmp_path: Path) -> None:
    lex = LexicalIndex.create(tmp_path / "lex")
    a, b = [p.content for p in linan.passages], [p.content for p in linping.passages]
    # a writer killed after adding a shard its manifest never listed
    lex.add_shards([("linan", "linan-1", a), ("linping", "linping-stale", b)])
    hits = lex.scores("教师队伍建设", 20, _rows(("linan-1", 0)))
    assert len(hits) == 20 and all(r < len(a) for r, _ in hits)


def test_bm25_scores_compare_across_plans(linan: PlanDoc, tmp_path: Path) -> None:
    # the same text in two plans scores the same: one IDF for the whole index
    text = next(p.content for p in linan.passages if "马溪" in p.content)
    lex = LexicalIndex.create(tmp_path / "lex")
    lex.add_shards([("linan", "a", [p.content for p in linan.passages]), ("copy", "b", [text])])
    hits = dict(lex.scores("马溪幼儿园", 50, _rows(("a", 0), ("b", 10_000))))
    row_a = next(i for i, p in enumerate(linan.passages) if p.content == text)
    assert hits[10_000] == pytest.approx(hits[row_a])


def test_exact_phrases_are_the_passages_containing_them(linan: PlanDoc, linping: PlanDoc, tmp_path: Path) -> None:
    passages = [*linan.passages, *linping.passages]
    build_index(passages, tmp_path / "idx", [FakeEncoder()], sentence_level="none", progress=False)
    searcher = Searcher(open_index(tmp_path / "idx"), [FakeEncoder()])
    folded = [fold_compact(p.content) for p in searcher.index.passages]
    # phrases cut from the text itself: Han, digits, Latin letters, punctuation, spaces
    phrases = {f[i : i + n] for k, f in enumerate(folded[::7]) for i, n in ((k % 11, 3), (k % 5, 6)) if len(f) > i + n}
    # a query's edge punctuation is not part of the phrase searched for
    phrases = {ph for ph in phrases if ph[0].isalnum() and ph[-1].isalnum()}
    phrases |= {"马溪幼儿园", "银龄讲学", "2025年", "100%", "不存在的短语"}
    for phrase in sorted(phrases):
        expected = {i for i, f in enumerate(folded) if phrase in f}
        got = searcher.rankings(phrase, retrievers=[EXACT], depth=len(folded)).get(EXACT, [])
        assert set(got) == expected, phrase


def test_worker_processes_and_a_local_dask_cluster_fill_the_same_cache(
    linan: PlanDoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dask.distributed")
    # the caller's main script (a Streamlit page, say) must not run again in each worker
    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('the main script ran in a worker')\n", "utf-8")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    texts = [p.content for p in linan.passages[:120]]
    enc = FakeEncoder(in_process=False)  # as if it were expensive: goes to the workers
    here = EmbeddingCache()
    assert Embedder(batch_size=16).fill(enc, texts, here) == len(set(texts))
    for embedder in (Embedder(2, batch_size=16), Embedder(2, "local", batch_size=16)):
        cache = EmbeddingCache()
        with embedder:
            assert embedder.fill(enc, texts, cache) == len(set(texts))
            assert embedder.fill(enc, texts, cache) == 0  # all cached now
        for t in texts:
            np.testing.assert_array_equal(cache.get(enc.name, text_key(enc.name, t)),
                                          here.get(enc.name, text_key(enc.name, t)))


def test_a_plan_shard_opens_with_any_shard_list(linan: PlanDoc, linping: PlanDoc, tmp_path: Path) -> None:
    enc, cache = FakeEncoder(), EmbeddingCache()
    embedded = write_plan_shard(tmp_path / "plans" / "linan-x", linan.passages, [enc], cache)
    assert embedded[enc.name] > len(linan.passages)  # passages and sentences
    assert write_plan_shard(tmp_path / "plans" / "linping-y", linping.passages, [enc], cache)[enc.name] > 0
    assert write_plan_shard(tmp_path / "again", linan.passages, [enc], cache) == {enc.name: 0}
    lex = LexicalIndex.create(tmp_path / "lex")
    lex.add_shards([("linan", "linan-x", [p.content for p in linan.passages]),
                    ("linping", "linping-y", [p.content for p in linping.passages])])
    # a manifest that lists Linping only: Lin'an's lexical documents are left out
    index = open_shards({"linping": tmp_path / "plans" / "linping-y"}, tmp_path / "lex", [enc])
    searcher = Searcher(index, [enc])
    hits = searcher.search("学前教育", 10)
    assert hits and {h.plan for h in hits} == {"linping"}
    assert len(read_shard(tmp_path / "plans" / "linan-x").passages) == len(linan.passages)


def test_approximate_index_follows_added_and_removed_plans(linan: PlanDoc, linping: PlanDoc, tmp_path: Path) -> None:
    enc = FakeEncoder()
    out = tmp_path / "idx"
    build_index([*linan.passages, *linping.passages], out, [enc], sentence_level="none", progress=False)
    index = open_index(out, [enc])
    assert update_ann(index, tmp_path / "ann", min_rows=100) == [f"{enc.name}.passages"]
    attach(index, tmp_path / "ann")
    vectors = index.dense[enc.name]
    assert vectors.ann is not None
    exact = vectors.matrix()
    recall = []
    for row in range(0, len(index), 5):
        flat = set(np.argsort(-(exact @ exact[row]), kind="stable")[:10].tolist())
        approx = set(vectors.top(exact[row], 10)[0].tolist())
        recall.append(len(flat & approx) / 10)
    assert np.mean(recall) >= 0.9

    # drop Linping: the ANN index loses its rows, Lin'an's rows keep their meaning
    build_index(linan.passages, out, [enc], sentence_level="none", progress=False)
    smaller = open_index(out, [enc])
    attach(smaller, tmp_path / "ann")
    assert smaller.dense[enc.name].ann is None  # covers other shards: not used
    update_ann(smaller, tmp_path / "ann", min_rows=100)
    attach(smaller, tmp_path / "ann")
    ann = smaller.dense[enc.name].ann
    assert ann is not None and ann.ntotal == len(linan.passages)
    rows = smaller.dense[enc.name].matrix()
    assert [int(smaller.dense[enc.name].top(rows[i], 1)[0][0]) for i in (0, 30, 150)] == [0, 30, 150]


def test_adding_a_plan_embeds_only_that_plan(linan: PlanDoc, linping: PlanDoc, tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(linan.passages, out, [FakeEncoder()], progress=False)
    before = set((out / "shards").iterdir())
    report = build_index([*linan.passages, *linping.passages], out, [FakeEncoder()], progress=False)
    assert report.shards_linked == 1  # Lin'an's shard is taken as it was
    assert report.sentences_embedded["fake/bigram-hash"] == len(
        {p.content[a:b] for p in linping.passages for a, b in sentence_spans(p.content)})
    after = set((out / "shards").iterdir())
    assert {p.name for p in before} < {p.name for p in after} and len(after) == 2
    assert len(open_index(out).lexical) == len(linan.passages) + len(linping.passages)
    # and removing it again deletes its lexical documents from the updated index
    build_index(linan.passages, out, [FakeEncoder()], progress=False)
    index = open_index(out)
    assert len(index.lexical) == len(linan.passages) == len(index)


def test_a_new_generation_updates_the_approximate_index_reading_new_shards_only(
        linan: PlanDoc, linping: PlanDoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import plangraph.search.shard as shard_mod
    import plangraph.search.vectors as vectors_mod

    monkeypatch.setattr(vectors_mod, "ANN_MIN_ROWS", 100)
    enc, out = FakeEncoder(), tmp_path / "idx"
    build_index(linan.passages, out, [enc], sentence_level="none", progress=False)
    assert len(list((out / "ann").glob("*.passages.json"))) == 1  # trained past the (lowered) size
    opened: list[str] = []
    real_read = shard_mod.read_shard

    def spy(folder: Path) -> object:
        opened.append(Path(folder).name.split("-")[0])
        return real_read(folder)

    import plangraph.search.write.ann_update as ann_update

    monkeypatch.setattr(ann_update, "read_shard", spy)
    build_index([*linan.passages, *linping.passages], out, [enc], sentence_level="none", progress=False)
    assert opened == ["linping"]  # Lin'an's rows are in the ANN file already
    index = open_index(out, [enc])
    vectors = index.dense[enc.name]
    assert vectors.ann is not None and vectors.ann.ntotal == len(index)
    rows = vectors.matrix()
    for i in (0, len(linan.passages) - 1, len(linan.passages), len(index) - 1):
        assert int(vectors.top(rows[i], 1)[0][0]) == i


def test_ann_training_rows_are_gathered_from_the_parts() -> None:
    from plangraph.search.vectors import VectorSet
    from plangraph.search.write.ann_update import gather

    rng = np.random.default_rng(3)
    parts = [rng.standard_normal((n, 8)).astype(np.float16) for n in (5, 0, 17, 1, 9)]
    vs = VectorSet(parts, 8)
    rows = np.sort(rng.choice(len(vs), size=12, replace=False))
    np.testing.assert_array_equal(gather(vs, rows), vs.matrix()[rows])
    assert gather(vs, rows[:0]).shape == (0, 8)


def test_sentence_means_follow_the_spans() -> None:
    from plangraph.search.write.plan_shard import sentence_means

    rows = np.array([[3, 0], [0, 4], [1, 1], [0, 2]], dtype=np.float32)
    spans = [((0, 1), (1, 2)), (), ((2, 3),), ((3, 4),)]
    means = sentence_means(rows, spans)
    np.testing.assert_allclose(means, [[0.6, 0.8], [0, 0], [2 ** -0.5, 2 ** -0.5], [0, 1]], atol=1e-6)


def test_a_new_generation_reads_no_unchanged_shard(linan: PlanDoc, linping: PlanDoc, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Below the ANN size no shard's vectors are read, and an unchanged shard's counts come
    from the previous manifest (``sizes``), not its shard.json: a generation of 3,000 plans
    read 3,000 files for one change."""
    import json

    import plangraph.search.write.ann_update as ann_update
    import plangraph.search.write.build as build_mod

    out, enc = tmp_path / "idx", FakeEncoder()
    build_index(linan.passages, out, [enc], progress=False)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["sizes"] == {"linan": [len(linan.passages), read_shard(
        out / manifest["shards"]["linan"]).meta["sentences"]]}
    sized, opened = [], []
    real_size = build_mod.shard_size
    monkeypatch.setattr(build_mod, "shard_size", lambda folder: sized.append(folder.name) or real_size(folder))
    monkeypatch.setattr(ann_update, "read_shard", lambda folder: opened.append(folder) or read_shard(folder))
    ann_dir = out / "ann"
    ann_dir.mkdir(exist_ok=True)  # as a build of more rows than half the ANN size leaves it: no file in it
    build_index([*linan.passages, *linping.passages], out, [enc], progress=False)
    assert [name.split("-")[0] for name in sized] == ["linping"] and opened == []
    after = json.loads((out / "manifest.json").read_text("utf-8"))
    assert after["sizes"]["linan"] == manifest["sizes"]["linan"]
    assert sum(n for n, _ in after["sizes"].values()) == after["passages"] == len(open_index(out))


def test_added_shards_go_to_a_file_of_their_own(linan: PlanDoc, linping: PlanDoc, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a plan writes its vectors to a small file beside the ANN base file, which is
    neither read nor written; removing it drops that file; once the added files hold
    ADDED_SHARE_MAX of the base's rows they are merged into it. Search sees the same rows."""
    import json

    import plangraph.search.write.ann_update as ann_update

    enc, out, ann = FakeEncoder(), tmp_path / "idx", tmp_path / "ann"
    label = f"{enc.name}.passages".replace("/", "_")

    def change(docs: list[PlanDoc]) -> tuple[dict, object]:  # type: ignore[type-arg]
        build_index([p for d in docs for p in d.passages], out, [enc], sentence_level="none", progress=False)
        index = open_index(out, [enc])
        update_ann(index, ann, min_rows=100)
        attach(index, ann)
        vectors = index.dense[enc.name]
        assert vectors.ann is not None and vectors.ann.ntotal == len(index)
        rows = vectors.matrix()
        for i in range(0, len(index), 7):  # every row finds itself first, whichever file holds it
            assert int(vectors.top(rows[i], 1)[0][0]) == i
        return json.loads((ann / f"{label}.json").read_text("utf-8")), (ann / f"{label}.faiss").stat().st_ino

    meta, base = change([linan])
    assert meta["added"] == {} and (ann / f"{label}.empty.faiss").is_file()
    meta, again = change([linan, linping])
    assert again == base and len(meta["added"]) == 1  # the base file was not written
    [(file, held)] = meta["added"].items()
    assert [n.split("-")[0] for n in held] == ["linping"] and (ann / file).stat().st_size < (
        ann / f"{label}.faiss").stat().st_size
    meta, again = change([linan])  # Linping goes: its file with it
    assert again == base and meta["added"] == {} and not list(ann.glob(f"{label}.added-*"))
    monkeypatch.setattr(ann_update, "ADDED_SHARE_MAX", 0.0)
    meta, again = change([linan, linping])  # past the share: merged into a new base file
    assert again != base and meta["added"] == {} and set(meta["shards"]) == {
        p.name for p in (out / "shards").iterdir()}
