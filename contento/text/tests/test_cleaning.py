from hypothesis import given
from hypothesis import strategies as st

from contento.text.cleaning import MAX_CHARS, clean, strip_placeholders


def test_clean_strips_html_and_entities():
    assert clean("<p>Hello&nbsp;<b>world</b></p><script>alert(1)</script>") == "Hello world"


def test_clean_removes_surrogates_and_control_characters():
    assert clean("ok\ud800 fine\x00\x07\u200b!") == "ok fine !"


def test_clean_accepts_bytes_and_none():
    assert clean(None) == ""
    assert clean(b"caf\xc3\xa9 \xff") == "café"
    assert clean(42) == ""


def test_clean_truncates_at_a_word():
    out = clean("word " * 5000)
    assert len(out) <= MAX_CHARS
    assert out.endswith("word")


def test_strip_placeholders():
    assert strip_placeholders("[USERNAME] @bob see https://x.y/z #great") == "see great"


@given(st.text())
def test_clean_always_returns_clean_text(text):
    out = clean(text)
    assert isinstance(out, str)
    assert len(out) <= MAX_CHARS
    out.encode("utf-8")  # no lone surrogates left
    assert out == out.strip()
