import json
import subprocess
import sys
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import contento.text as text
from contento.text import Analysis, analyze, analyze_many, backends
from contento.text.cleaning import MAX_CHARS, clean

# Customer-service messages written for these tests (not taken from, nor tuned on, any data
# set): (language, message, expected sentiment).
SMOKE = [
    ("en", "Thank you, the agent solved my billing problem in five minutes!", "positive"),
    ("en", "I have been waiting three weeks for a refund and nobody answers.", "negative"),
    ("en", "Can you tell me when my subscription renews?", "neutral"),
    ("es", "Muchas gracias, el envío llegó antes de lo previsto y todo perfecto.", "positive"),
    ("es", "Llevo un mes esperando el reembolso y nadie me contesta.", "negative"),
    ("es", "¿Cuándo se renueva mi suscripción?", "neutral"),
    ("fr", "Merci beaucoup, le conseiller a réglé mon problème très vite.", "positive"),
    ("fr", "Toujours pas de remboursement après trois semaines, c'est inadmissible.", "negative"),
    ("fr", "Pouvez-vous me dire quand mon abonnement sera renouvelé ?", "neutral"),
    ("ru", "Спасибо, оператор быстро решил мою проблему!", "positive"),
    ("ru", "Третью неделю жду возврат денег, никто не отвечает.", "negative"),
    ("ru", "Подскажите, когда продлевается моя подписка?", "neutral"),
    ("vi", "Cảm ơn bạn, nhân viên hỗ trợ rất nhanh và nhiệt tình.", "positive"),
    ("vi", "Tôi chờ hoàn tiền ba tuần rồi mà không ai trả lời.", "negative"),
    ("vi", "Khi nào gói đăng ký của tôi được gia hạn?", "neutral"),
    ("id", "Terima kasih, masalah tagihan saya langsung beres.", "positive"),
    ("id", "Sudah tiga minggu menunggu refund dan tidak ada yang menjawab.", "negative"),
    ("id", "Kapan langganan saya diperpanjang?", "neutral"),
]
ANGRY = [
    "This is a scam, you stole my money and your staff are useless liars!",
    "¡Son unos ladrones, exijo mi dinero ya!",
    "Вы просто мошенники, верните деньги немедленно!",
]


@pytest.fixture(scope="module")
def smoke(default_backend):
    return analyze_many([message for _, message, _ in SMOKE])


def test_smoke_messages_languages(smoke):
    assert [a.language for a in smoke] == [language for language, _, _ in SMOKE]


def test_smoke_messages_sentiment(smoke):
    right = [a.sentiment == expected for a, (_, _, expected) in zip(smoke, SMOKE, strict=True)]
    # Polar messages must never flip; the bench measures the rest.
    for a, (_, message, expected) in zip(smoke, SMOKE, strict=True):
        if expected != "neutral":
            assert a.sentiment in (expected, "neutral"), message
    assert sum(right) / len(right) >= 0.7


def test_angry_messages_are_angry(default_backend):
    results = analyze_many(ANGRY)
    assert all(a.sentiment == "negative" for a in results)
    assert sum(a.angry for a in results) >= 2


def test_analysis_fields_are_in_range(smoke):
    for a in smoke:
        assert -1.0 <= a.sentiment_score <= 1.0
        assert 0.0 <= a.anger <= 1.0
        assert a.angry == (a.anger >= 0.5)
        assert set(a.emotions) == set(text.EMOTIONS)
        assert a.joy is not None
        assert 0.0 <= a.joy <= 1.0
        assert a.model_version == text.model_version()


def test_round_trip_through_json(smoke):
    for a in smoke:
        stored = json.loads(json.dumps(a.to_dict()))
        assert Analysis.from_dict(stored) == a


def test_from_dict_tolerates_old_or_partial_rows():
    a = Analysis.from_dict({"sentiment": "bogus", "extra": 1})
    assert a.sentiment == "neutral"
    assert a.language == "unknown"
    assert a.emotions == {}


def test_analysis_is_frozen():
    with pytest.raises(AttributeError):
        Analysis().sentiment = "positive"  # type: ignore[misc]


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "😀😀😀",
        "<p><br></p>",
        "\ud83d oops \udc00",
        "\x00\x01\x02",
        b"\xff\xfe",
        12,
        "a",
    ],
)
def test_bad_input_gives_a_valid_analysis(default_backend, value):
    a = analyze(value)
    assert isinstance(a, Analysis)
    assert a.sentiment in ("positive", "neutral", "negative", "mixed")
    assert not a.angry or a.sentiment in ("negative", "mixed")


def test_empty_text_is_neutral_and_unknown(default_backend):
    a = analyze("   ")
    assert (a.language, a.sentiment, a.sentiment_score, a.angry) == (
        "unknown",
        "neutral",
        0.0,
        False,
    )


def test_very_long_text_is_truncated_not_refused(default_backend):
    long = "The delivery was late and the support rude. " * 2000
    a = analyze(long)
    assert len(clean(long)) <= MAX_CHARS
    assert a == analyze(clean(long))


def test_mixed_languages(default_backend):
    a = analyze("Great product pero el envío fue horrible y nadie contesta")
    assert a.language in ("en", "es")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=200), st.none(), st.binary(max_size=50)), max_size=4))
def test_any_input_gives_valid_analyses(default_backend, values):
    results = analyze_many(values)
    assert len(results) == len(values)
    for a in results:
        assert -1.0 <= a.sentiment_score <= 1.0
        assert 0.0 <= a.anger <= 1.0
        assert isinstance(a.language, str)
        assert 0.0 <= a.language_confidence <= 1.0


def test_repeated_texts_are_embedded_once(fake_backend):
    analyze_many(["same words here"] * 5 + ["other words here"])
    calls = fake_backend.calls
    analyze_many(["same words here", "other words here"])
    assert fake_backend.calls == calls


def test_backend_swap_changes_model_version(fake_backend):
    a = analyze("The parcel was late.")
    assert a.model_version.endswith("+fake-1")
    backends.set_backend(None)
    assert text.model_version() != a.model_version


def test_backend_classifier_is_used_when_given():
    fake = __import__("contento.text.tests.conftest", fromlist=["FakeBackend"]).FakeBackend(
        name="fake-clf", labels={"positive": 0.1, "neutral": 0.1, "negative": 0.8, "anger": 0.9}
    )
    backends.set_backend(fake)
    try:
        a = analyze("Anything at all")
        assert (a.sentiment, a.sentiment_score, a.angry, a.emotions) == ("negative", -0.7, True, {})
    finally:
        backends.set_backend(None)


def test_backend_from_environment(monkeypatch):
    monkeypatch.setenv(backends.ENV_VAR, "contento.text.tests.conftest:FakeBackend")
    backends.set_backend(None)
    try:
        assert backends.get_backend().name == "fake-1"
    finally:
        monkeypatch.delenv(backends.ENV_VAR)
        backends.set_backend(None)


def test_bad_backend_setting_is_reported(monkeypatch):
    monkeypatch.setenv(backends.ENV_VAR, "no-colon-here")
    backends.set_backend(None)
    try:
        with pytest.raises(ValueError, match=backends.ENV_VAR):
            backends.get_backend()
    finally:
        monkeypatch.delenv(backends.ENV_VAR)
        backends.set_backend(None)


def test_backend_loads_once_across_threads(monkeypatch):
    built = []

    def factory():
        built.append(1)
        return __import__("contento.text.tests.conftest", fromlist=["x"]).FakeBackend()

    backends.set_backend(factory)
    try:
        threads = [threading.Thread(target=backends.get_backend) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert built == [1]
    finally:
        backends.set_backend(None)


def test_library_imports_no_django():
    code = (
        "import sys, contento.text as t; t.tokenize('x y', 'en'); "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603
