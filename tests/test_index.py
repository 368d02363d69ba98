"""The index folder: round trip, per-plan shards, incremental rebuilds, atomic writes, clear errors."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import plangraph.search.write.build as index_mod
from plangraph.errors import IndexStoreError, UsageError
from plangraph.model import Passage, PlanDoc
from plangraph.search.encoders import FakeEncoder
from plangraph.search.read.searcher import Searcher
from plangraph.search.write.build import build_index, embed_text, open_index
from plangraph.text import sentence_spans


def _shard(index_dir: Path) -> Path:
    """The first plan's shard folder of an index."""
    manifest = json.loads((index_dir / "manifest.json").read_text("utf-8"))
    return index_dir / next(iter(manifest["shards"].values()))


class CountingEncoder(FakeEncoder):
    """A fake encoder that remembers how many passages it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return super().encode_passages(texts)


@pytest.fixture()
def corpus(linan: PlanDoc, linping: PlanDoc) -> list[Passage]:
    return [*linan.passages, *linping.passages]


def test_round_trip(corpus: list[Passage], tmp_path: Path) -> None:
    enc = FakeEncoder()
    report = build_index(corpus, tmp_path / "idx", [enc], progress=False)
    assert report.passages == len(corpus) and report.embedded[enc.name] + report.reused[enc.name] == len(corpus)
    # a sentence-level encoder embeds sentences only: each passage's row is their mean
    assert report.embedded[enc.name] == 0 and report.sentences_embedded[enc.name] > len(corpus)

    index = open_index(tmp_path / "idx", [enc])
    assert tuple(index.passages) == tuple(corpus)
    stored = index.dense[enc.name].matrix()
    means = []
    for p in corpus:
        rows = enc.encode_passages([p.content[a:b] for a, b in sentence_spans(p.content)]).sum(axis=0)
        means.append(rows / np.linalg.norm(rows))
    # float16 on disk: cosines move by less than 1e-3
    np.testing.assert_allclose(stored, np.vstack(means), atol=1e-3)
    whole = enc.encode_passages([embed_text(p) for p in corpus])
    plain = build_index(corpus, tmp_path / "plain", [enc], sentence_level="none", progress=False)
    assert plain.embedded[enc.name] == len({embed_text(p) for p in corpus})
    np.testing.assert_allclose(open_index(tmp_path / "plain").dense[enc.name].matrix(), whole, atol=1e-3)
    spans = [sentence_spans(p.content) for p in corpus]
    n_sentences = sum(len(s) for s in spans)
    assert n_sentences > len(corpus)  # plan paragraphs hold several sentences
    m = index.manifest
    assert m["encoders"] == [{
        "name": enc.name, "dim": 64, "file": "fake_bigram-hash.passages.f16.npy",
        "sentences": {"file": "fake_bigram-hash.sentences.f16.npy"},
    }]
    assert index.sentence_spans == tuple(tuple(s) for s in spans)
    np.testing.assert_allclose(
        index.sentence_vectors[enc.name].matrix(),
        enc.encode_passages([p.content[a:b] for p, s in zip(corpus, spans) for a, b in s]), atol=1e-3,
    )
    assert len(index.sentence_vectors[enc.name]) == n_sentences
    # one shard folder per plan, named by plan and content hash
    assert sorted(m["shards"]) == ["linan", "linping"]
    assert all((tmp_path / "idx" / d / "shard.json").is_file() and d.startswith(f"shards/{plan}-")
               for plan, d in m["shards"].items())
    assert m["passages"] == len(corpus)
    assert set(m["corpus"]) == {p.plan_id for p in corpus} and len(m["corpus"]) == 2
    assert {"numpy", "tantivy", "jieba"} <= set(m["versions"])
    assert m["built"] and m["lexical"]["mode"] == "bigram"
    assert len(index.lexical) == len(corpus)


def test_rebuild_after_editing_one_plan_re_embeds_only_changed_passages(
    corpus: list[Passage], linping: PlanDoc, tmp_path: Path
) -> None:
    out = tmp_path / "idx"
    first = CountingEncoder()
    build_index(corpus, out, [first], sentence_level="none", progress=False)
    unique = len({embed_text(p) for p in corpus})
    assert first.calls == unique

    # Edit two passages of the Linping plan and add one new passage.
    edited = list(corpus)
    for i in (len(corpus) - 1, len(corpus) - 3):
        edited[i] = dataclasses.replace(edited[i], content=edited[i].content + "(修订)")
    edited.append(dataclasses.replace(linping.passages[0], passage_id="linping-new", content="新增一段:建设智慧校园。"))

    second = CountingEncoder()
    report = build_index(edited, out, [second], sentence_level="none", progress=False)
    assert second.calls == 3
    assert report.embedded[second.name] == 3
    assert report.reused[second.name] == len(edited) - 3
    assert report.shards_linked == 1  # Lin'an's shard is unchanged: linked, not rewritten
    index = open_index(out, [second])
    row = index.row_of["linping-new"]
    np.testing.assert_allclose(
        index.dense[second.name].row(row), second.encode_passages(["新增一段:建设智慧校园。"])[0], atol=1e-3
    )
    assert [h.passage_id for h in Searcher(index, [second]).search("新增一段建设智慧校园", 1)] == ["linping-new"]


def test_rebuild_re_embeds_only_the_sentences_that_changed(corpus: list[Passage], tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(corpus, out, [CountingEncoder()], progress=False)
    # Lin'an's opening paragraph: rewrite its last sentence only.
    row = next(i for i, p in enumerate(corpus) if len(sentence_spans(p.content)) >= 3)
    old = corpus[row]
    start, end = sentence_spans(old.content)[-1]
    edited = list(corpus)
    edited[row] = dataclasses.replace(old, content=old.content[:start] + "全面建成智慧校园。")

    again = CountingEncoder()
    report = build_index(edited, out, [again], progress=False)
    assert report.embedded[again.name] == 0  # the paragraph's row is the mean of its sentences'
    assert report.sentences_embedded[again.name] == 1  # of which one is new
    assert again.calls == 1
    index = open_index(out, [again])
    assert index.sentence_spans[row][-1] == (start, start + len("全面建成智慧校园。"))


def test_sentence_level_choices(corpus: list[Passage], tmp_path: Path) -> None:
    none = build_index(corpus[:10], tmp_path / "none", [FakeEncoder()], sentence_level="none", progress=False)
    index = open_index(none.path)
    assert index.sentence_vectors == {} and index.sentence_spans == ()
    assert "sentences" not in index.manifest["encoders"][0]
    with pytest.raises(UsageError, match="unknown sentence level 'words'; choose one of: auto, all, none"):
        build_index(corpus[:3], tmp_path / "x", [FakeEncoder()], sentence_level="words")


@pytest.mark.parametrize(("version", "opens"), [(2, False), (3, True), (4, False)])
def test_format_versions(corpus: list[Passage], tmp_path: Path, version: int, opens: bool) -> None:
    out = build_index(corpus[:10], tmp_path / "idx", [FakeEncoder()], sentence_level="none", progress=False).path
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["format"] == 3
    manifest["format"] = version
    (out / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    if opens:
        assert len(open_index(out)) == 10
    else:
        with pytest.raises(IndexStoreError, match=f"index format {version}; this version reads 3"):
            open_index(out)


def test_cache_folder_serves_a_new_index(corpus: list[Passage], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_index(corpus, tmp_path / "a", [CountingEncoder()], cache_dir=cache, progress=False)
    again = CountingEncoder()
    report = build_index(corpus, tmp_path / "b", [again], cache_dir=cache, progress=False)
    assert again.calls == 0 and report.embedded[again.name] == 0


def test_interrupted_build_leaves_the_previous_index_usable(
    corpus: list[Passage], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "idx"
    enc = FakeEncoder()
    build_index(corpus[:50], out, [enc], progress=False)
    before = sorted(p.name for p in out.iterdir())

    def crash(*_: object) -> None:
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr(index_mod, "add_ann", crash)
    with pytest.raises(RuntimeError, match="disk unplugged"):
        build_index(corpus, out, [enc], progress=False)

    index = open_index(out, [enc])
    assert len(index) == 50
    assert sorted(p.name for p in out.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["idx"]  # no temporary folder left


def test_crash_between_the_two_renames_is_recovered(corpus: list[Passage], tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(corpus[:20], out, [FakeEncoder()], progress=False)
    out.rename(tmp_path / ".idx.previous")  # the state right after moving the old index aside
    assert len(open_index(out)) == 20


def test_encoder_mismatch_names_the_folder_and_the_choices(corpus: list[Passage], tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(corpus[:10], out, [FakeEncoder()], progress=False)
    with pytest.raises(IndexStoreError) as err:
        open_index(out, [FakeEncoder(name="other/model")])
    assert str(err.value) == f"index {out}: was built with encoder(s) fake/bigram-hash, not other/model"
    assert err.value.hint == "search with one of: fake/bigram-hash, or rebuild with other/model"
    with pytest.raises(IndexStoreError, match="dimension 32, the index 64"):
        open_index(out, [FakeEncoder(dim=32)])


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "manifest.json").unlink(), "missing manifest.json"),
        (lambda d: (d / "manifest.json").write_text("{not json"), "manifest.json is not a valid manifest"),
        (lambda d: (_shard(d) / "fake_bigram-hash.passages.f16.npy").unlink(),
         "missing fake_bigram-hash.passages.f16.npy"),
        (lambda d: (_shard(d) / "fake_bigram-hash.passages.f16.npy").write_bytes(b"garbage"), "is corrupt"),
        (lambda d: (_shard(d) / "fake_bigram-hash.sentences.f16.npy").unlink(),
         "missing fake_bigram-hash.sentences.f16.npy"),
        (lambda d: shutil.rmtree(d / "lexical"), "lexical index .* no such folder"),
        (lambda d: (_shard(d) / "passages.jsonl").write_text("{\"passage_id\": 1}\n"),
         "passages.jsonl line 1 is corrupt"),
        (lambda d: shutil.rmtree(_shard(d)), "missing shard linan-"),
        (lambda d: (_shard(d) / "shard.json").write_text("[]"), "shard.json is corrupt"),
    ],
    ids=["no-manifest", "bad-manifest", "no-vectors", "bad-vectors", "no-sentence-vectors", "no-lexical",
         "bad-passages", "no-shard", "bad-shard"],
)
def test_corrupt_index_is_a_clear_error(
    corpus: list[Passage], tmp_path: Path, damage: object, message: str
) -> None:
    out = tmp_path / "idx"
    build_index(corpus[:10], out, [FakeEncoder()], progress=False)
    damage(out)  # type: ignore[operator]
    with pytest.raises(IndexStoreError, match=message) as err:
        # passages are read on first use, not when the index opens
        list(open_index(out).passages)
    assert str(out) in str(err.value)


def test_vector_count_must_match_passage_count(corpus: list[Passage], tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(corpus[:10], out, [FakeEncoder()], progress=False)
    shard = _shard(out)
    lines = (shard / "passages.jsonl").read_text("utf-8").splitlines()
    (shard / "passages.jsonl").write_text("\n".join(lines[:9]) + "\n", "utf-8")
    meta = json.loads((shard / "shard.json").read_text("utf-8"))
    meta["passages"] = 9
    meta["sentence_counts"] = meta["sentence_counts"][:9]
    (shard / "shard.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(IndexStoreError, match=r"holds \(10, 64\) vectors, expected \(9, 64\)"):
        open_index(out)


def test_opening_reads_no_passages_until_a_search_needs_them(corpus: list[Passage], tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(corpus, out, [FakeEncoder()], progress=False)
    index = open_index(out, [FakeEncoder()])
    assert len(index) == len(corpus) and index.plan_of(0) == corpus[0].plan_id
    assert all(s._rows is None for _, s in index.shards)  # nothing read yet
    hit = Searcher(index, [FakeEncoder()]).search("马溪幼儿园", 1, plan="linan")[0]
    assert "马溪幼儿园" in hit.text
    read = [s.plan for _, s in index.shards if s._rows is not None]
    assert read == ["linan"]  # only the shard holding the hit


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(IndexStoreError, match=f"index {tmp_path / 'nope'}: no such index folder"):
        open_index(tmp_path / "nope")


def test_bad_build_options(corpus: list[Passage], tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="choose one of: bigram, jieba, bigram\\+jieba"):
        build_index(corpus[:3], tmp_path / "x", [FakeEncoder()], lexical="words")
    with pytest.raises(UsageError, match="at least one encoder"):
        build_index(corpus[:3], tmp_path / "x", [])
    with pytest.raises(UsageError, match="duplicate passage id"):
        build_index([corpus[0], corpus[0]], tmp_path / "x", [FakeEncoder()])


def test_damaged_cache_folder_only_costs_re_embedding(corpus: list[Passage], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_index(corpus[:10], tmp_path / "a", [FakeEncoder()], cache_dir=cache, progress=False)
    assert (cache / "embeddings.sqlite").stat().st_size > 0
    (cache / "embeddings.sqlite").write_bytes(b"not a database" * 100)
    again = CountingEncoder()
    report = build_index(corpus[:10], tmp_path / "b", [again], cache_dir=cache, progress=False)
    sentences = {p.content[a:b] for p in corpus[:10] for a, b in sentence_spans(p.content)}
    assert report.sentences_embedded[again.name] == len(sentences)  # every one again
    assert again.calls == report.sentences_embedded[again.name]
    assert len(open_index(tmp_path / "b")) == 10


def test_a_cache_is_read_for_the_texts_of_a_build_only(corpus: list[Passage], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_index(corpus[:10], tmp_path / "a", [FakeEncoder()], cache_dir=cache, progress=False)
    again = CountingEncoder()
    report = build_index(corpus[:12], tmp_path / "b", [again], cache_dir=cache, progress=False)
    new = {p.content[a:b] for p in corpus[10:12] for a, b in sentence_spans(p.content)} - \
        {p.content[a:b] for p in corpus[:10] for a, b in sentence_spans(p.content)}
    assert 0 < report.sentences_embedded[again.name] == len(new) == again.calls  # the two new passages' sentences


def test_a_cache_of_arrays_moves_into_the_database(corpus: list[Passage], tmp_path: Path) -> None:
    import json

    import numpy as np

    from plangraph.search.write.embedding import text_key

    enc, cache = FakeEncoder(), tmp_path / "cache"
    cache.mkdir()
    texts = [embed_text(p) for p in corpus[:5]]
    np.save(cache / "fake.npy", enc.encode_passages(texts))
    keys = [text_key(enc.name, t) for t in texts]
    (cache / "fake.keys.json").write_text(json.dumps({"encoder": enc.name, "file": "fake.npy", "keys": keys}))
    again = CountingEncoder()
    report = build_index(corpus[:5], tmp_path / "b", [again], cache_dir=cache, sentence_level="none",
                         progress=False)
    assert report.embedded[again.name] == 0 and again.calls == 0
    assert not list(cache.glob("*.npy")) and (cache / "embeddings.sqlite").is_file()


def test_an_unchanged_plan_is_linked_unread(corpus: list[Passage], tmp_path: Path) -> None:
    from plangraph.search.write.build import update_index

    out = tmp_path / "idx"
    build_index(corpus, out, [FakeEncoder()], progress=False)
    plans = sorted({p.plan_id for p in corpus})
    first = [p for p in corpus if p.plan_id == plans[0]]

    def unread() -> list[Passage]:
        raise AssertionError("an unchanged plan's passages were read")

    report = update_index([(plans[0], lambda: first[:-1], False)] + [(p, unread, True) for p in plans[1:]],
                          out, [FakeEncoder()], progress=False)
    assert report.shards_linked == len(plans) - 1
    index = open_index(out, [FakeEncoder()])
    assert len(index) == len(corpus) - 1
    assert [s.size for _, s in index.shards if s.plan == plans[0]] == [len(first) - 1]
    hits = Searcher(index, [FakeEncoder()]).search(first[-1].content[:20], 10, plan=plans[0])
    assert hits and first[-1].passage_id not in {h.passage_id for h in hits}  # gone from the lexical side too


def test_a_passage_row_is_found_in_its_plan_shard_alone(corpus: list[Passage], tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(corpus, out, [FakeEncoder()], progress=False)
    index = open_index(out, [FakeEncoder()])
    last = [p for p in corpus if p.plan_id == "linping"][-1]
    row = index.row_in_plan("linping", last.passage_id)
    assert index.passages[row].passage_id == last.passage_id
    assert [s.plan for _, s in index.shards if s._rows is not None] == ["linping"]
    assert row == index.row_of[last.passage_id]  # reads every shard: the slow way agrees
    with pytest.raises(KeyError):
        index.row_in_plan("linan", last.passage_id)


def test_an_exact_phrase_reads_only_its_candidates_lines(corpus: list[Passage], tmp_path: Path) -> None:
    from plangraph.search.read.phrases import query_phrase
    from plangraph.search.read.searcher import EXACT
    from plangraph.text import fold_compact

    out = tmp_path / "idx"
    build_index(corpus, out, [FakeEncoder()], progress=False)
    index = open_index(out, [FakeEncoder()])
    phrase = query_phrase("学前教育")
    holding = [i for i, p in enumerate(corpus) if phrase in fold_compact(p.content)]
    assert {corpus[i].plan_id for i in holding} == {"linan", "linping"}
    rows = Searcher(index, [FakeEncoder()]).rankings("学前教育", retrievers=[EXACT])[EXACT]
    assert set(rows) <= set(holding) and len(rows) == min(len(holding), 100)  # 100: the fusion's depth
    assert all(s._rows is None for _, s in index.shards)  # no shard's passages parsed for it
    assert index.contents(rows) == {r: corpus[r].content for r in rows}
    second = [s for _, s in index.shards][1]
    assert second.passages  # a shard whose rows are read answers from them
    assert index.contents([len(index) - 1]) == {len(index) - 1: corpus[-1].content}


def test_a_corrupt_line_read_alone_is_a_clear_error(corpus: list[Passage], tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(corpus, out, [FakeEncoder()], progress=False)
    lines = (_shard(out) / "passages.jsonl").read_text("utf-8").splitlines()
    lines[2] = lines[2][:40]
    (_shard(out) / "passages.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    index = open_index(out, [FakeEncoder()])
    assert index.contents([0, 1]) == {0: corpus[0].content, 1: corpus[1].content}
    with pytest.raises(IndexStoreError, match="passages.jsonl line 3 is corrupt"):
        index.contents([2])


def test_a_section_of_one_plan_reads_only_that_plans_passages(corpus: list[Passage], tmp_path: Path) -> None:
    out = tmp_path / "idx"
    build_index(corpus, out, [FakeEncoder()], progress=False)
    index = open_index(out, [FakeEncoder()])
    section = next(p.section_path[:1] for p in corpus if p.plan_id == "linping" and p.section_path)
    hits = Searcher(index, [FakeEncoder()]).search("教师", 10, plan="linping", section=section)
    assert hits and all(h.plan == "linping" and h.section.startswith(section[0]) for h in hits)
    assert [s.plan for _, s in index.shards if s._rows is not None] == ["linping"]
