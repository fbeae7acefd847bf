"""The ONNX backend on a tiny transformer-shaped model built here: real onnxruntime, real
tokenizers, both output kinds, the environment setting and clear errors on bad folders."""

import json

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="onnx (a dev dependency) builds the test model")
pytest.importorskip("onnxruntime", reason="the ONNX backend needs onnxruntime")
tokenizers = pytest.importorskip("tokenizers", reason="the ONNX backend needs tokenizers")

from onnx import TensorProto, helper  # noqa: E402

import contento.text as text  # noqa: E402
from contento.text import backends  # noqa: E402
from contento.text.onnxmodel import OnnxBackend, OnnxModelError  # noqa: E402

VOCAB = ["[PAD]", "[UNK]", "good", "great", "bad", "awful", "the", "parcel", "furious"]
# Word vectors: dimension 0 is "positive", 1 "negative", 2 "anger", 3 "topic".
VECTORS = {
    "good": [2, 0, 0, 0],
    "great": [3, 0, 0, 0],
    "bad": [0, 2, 0, 0],
    "awful": [0, 3, 1, 0],
    "furious": [0, 2, 4, 0],
    "the": [0, 0, 0, 0.5],
    "parcel": [0, 0, 0, 3],
}


def _write_model(folder, *, logits=True, hidden=True, labels=None, problem_type=None):
    folder.mkdir()
    table = np.zeros((len(VOCAB), 4), dtype=np.float32)
    for word, vector in VECTORS.items():
        table[VOCAB.index(word)] = vector
    nodes = [helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"])]
    outputs = []
    inits = [helper.make_tensor("table", TensorProto.FLOAT, table.shape, table.ravel())]
    if hidden:
        outputs.append(
            helper.make_tensor_value_info(
                "last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", 4]
            )
        )
    if logits:
        # logits = sum over tokens of the word vectors, times W: (positive, neutral, negative,
        # anger) scores.
        weights = np.array(
            [[1, 0, -1, 0], [-1, 0, 1, 0], [0, 0, 0, 1], [0, 0.2, 0, 0]], dtype=np.float32
        )
        inits.append(helper.make_tensor("w", TensorProto.FLOAT, weights.shape, weights.ravel()))
        inits.append(helper.make_tensor("axes", TensorProto.INT64, [1], [1]))
        nodes += [
            # A sum over tokens: padding (a zero vector) adds nothing.
            helper.make_node("ReduceSum", ["last_hidden_state", "axes"], ["pooled"], keepdims=0),
            helper.make_node("MatMul", ["pooled", "w"], ["logits"]),
        ]
        outputs.append(helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 4]))
    graph = helper.make_graph(
        nodes,
        "tiny",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        outputs,
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, folder / "model.onnx")

    tok = tokenizers.Tokenizer(
        tokenizers.models.WordLevel({w: i for i, w in enumerate(VOCAB)}, unk_token="[UNK]")
    )
    tok.normalizer = tokenizers.normalizers.Lowercase()
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    tok.save(str(folder / "tokenizer.json"))
    config = {"id2label": labels or {"0": "POSITIVE", "1": "neutral", "2": "Neg", "3": "anger"}}
    if problem_type:
        config["problem_type"] = problem_type
    (folder / "config.json").write_text(json.dumps(config))
    return folder


@pytest.fixture
def use_backend():
    yield backends.set_backend
    backends.set_backend(None)


def test_classifier_and_embeddings_drive_the_same_api(tmp_path, use_backend):
    backend = OnnxBackend(_write_model(tmp_path / "m"))
    use_backend(backend)
    happy, unhappy, furious = text.analyze_many(
        ["Good, great parcel", "the parcel was bad and awful", "furious furious bad"]
    )
    assert happy.sentiment == "positive"
    assert not happy.angry
    assert unhappy.sentiment == "negative"
    assert furious.angry
    assert furious.anger > 0.5
    assert happy.model_version.endswith("+onnx/m")
    assert happy.model_version == text.model_version()

    vectors = text.embed(["good good", "great", "parcel"])
    assert vectors.shape == (3, 4)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[0] @ vectors[1] > 0.99 > vectors[0] @ vectors[2]
    # Mean pooling ignores padding: a short text in a batch with a long one is unchanged.
    alone = backend.embed(["good"])[0]
    padded = backend.embed(["good", "the parcel was good and great and the parcel"])[0]
    assert np.allclose(alone, padded, atol=1e-6)


def test_multi_label_models_use_sigmoid(tmp_path):
    backend = OnnxBackend(
        _write_model(tmp_path / "m", problem_type="multi_label_classification", hidden=False)
    )
    (probs,) = backend.classify(["furious"])
    assert 0 < probs["anger"] < 1
    assert 0 < probs["positive"] < 1
    assert sum(probs.values()) != pytest.approx(1.0)


def test_unknown_labels_are_dropped(tmp_path):
    labels = {"0": "LABEL_0", "1": "neutral", "2": "negative", "3": "toxic"}
    backend = OnnxBackend(_write_model(tmp_path / "m", labels=labels))
    (probs,) = backend.classify(["bad"])
    assert set(probs) == {"neutral", "negative"}


def test_the_environment_setting_selects_it(tmp_path, monkeypatch, use_backend):
    folder = _write_model(tmp_path / "sentiment-model")
    monkeypatch.setenv(backends.ENV_VAR, f"onnx:{folder}")
    use_backend(None)
    assert isinstance(backends.get_backend(), OnnxBackend)
    assert text.analyze("great great").sentiment == "positive"


def test_bad_folders_fail_with_a_reason(tmp_path):
    with pytest.raises(OnnxModelError, match="No model.onnx"):
        OnnxBackend(tmp_path)
    folder = _write_model(tmp_path / "m")
    (folder / "model.onnx").write_bytes(b"not a model")
    with pytest.raises(OnnxModelError, match="cannot load"):
        OnnxBackend(folder)
    only_logits = _write_model(tmp_path / "n", hidden=False, labels={"0": "spam"})
    with pytest.raises(OnnxModelError, match="neither logits"):
        OnnxBackend(only_logits)
    (folder / "config.json").write_text("{oops")
    with pytest.raises(OnnxModelError, match="not valid JSON"):
        OnnxBackend(folder)


def test_a_sentiment_only_export_borrows_e5_for_anger_and_themes(tmp_path, use_backend):
    labels = {"0": "positive", "1": "neutral", "2": "negative"}
    backend = OnnxBackend(_write_model(tmp_path / "m", hidden=False, labels=labels))
    assert backend.embedding_name == backends.E5Backend.name
    use_backend(backend)
    calm, angry = text.analyze_many(
        ["good great", "This is outrageous! I am furious, refund me NOW or I sue you!!"]
    )
    assert calm.sentiment == "positive"
    assert not calm.angry
    assert angry.angry
    assert angry.anger > calm.anger
    assert text.embed(["great"]).shape == (1, 384)
