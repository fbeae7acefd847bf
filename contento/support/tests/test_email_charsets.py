"""Tests for lenient charset and encoded-word decoding."""

from __future__ import annotations

import pytest

from contento.support.channels.email.charsets import (
    decode_bytes,
    decode_header_value,
    resolve_charset,
)
from contento.support.channels.email.parsing import parse_message


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf-8", "utf-8"),
        ("UTF8", "utf-8"),
        ('"iso-8859-1"', "cp1252"),
        ("ks_c_5601-1987", "cp949"),
        ("gb2312", "gb18030"),
        ("x-mac-cyrillic", "mac-cyrillic"),
        ("iso-8859-8-i", "iso8859-8"),
        ("us-ascii", "ascii"),
        ("utf-8*en", "utf-8"),
        ("x-unknown", None),
        ("none", None),
        ("base64", None),
        ("rot13", None),
        ("", None),
        (None, None),
    ],
)
def test_resolve_charset(label: str | None, codec: str | None) -> None:
    assert resolve_charset(label) == codec


def test_decode_bytes_prefers_the_label_then_utf8() -> None:
    assert decode_bytes("привет".encode("koi8-r"), "koi8-r") == "привет"
    assert decode_bytes("привет".encode(), "koi8-r") == "привет"  # mislabelled UTF-8
    assert decode_bytes("发票".encode(), "gb2312") == "发票"
    assert decode_bytes("é".encode("cp1252"), None) == "é"
    assert decode_bytes("Ñ‚".encode("cp1252"), "us-ascii") == "т"
    assert decode_bytes(b"\xff\xfe\xfa", "utf-8") == "\ufffd" * 3
    assert decode_bytes(b"", "bogus") == ""


def test_decode_bytes_reads_truncated_utf8_as_utf8() -> None:
    data = "Картинка с очень длинным именем".encode()[:-1]
    assert decode_bytes(data, None).startswith("Картинка с очень длинным имен")


def test_encoded_words() -> None:
    assert decode_header_value("=?UTF-8?B?w6k=?= =?UTF-8?B?w6k=?=") == "éé"
    assert decode_header_value("=?utf-8?q?caf=C3?=\r\n =?utf-8?q?=A9?=") == "café"
    assert decode_header_value("Re: =?ISO-8859-1?Q?Fouch=E9?= ok") == "Re: Fouché ok"
    assert decode_header_value("=?NONE?B?VEVTVA=?=") == "TEST"
    assert decode_header_value("=?x-bogus?Q?plain?=") == "plain"
    assert decode_header_value("=?utf-8?B?!!!?=") == ""
    assert decode_header_value(None) == ""


def test_raw_8bit_headers() -> None:
    raw = "Säying Hello".encode().decode("ascii", "surrogateescape")
    assert decode_header_value(raw) == "Säying Hello"
    raw = "Lütkebohle".encode("latin-1").decode("ascii", "surrogateescape")
    assert decode_header_value(raw) == "Lütkebohle"
    raw = "Атиков".encode("cp1251").decode("ascii", "surrogateescape")
    assert decode_header_value(raw, hint="windows-1251") == "Атиков"


# Text without a declared charset, as old mail programs write it: guessed among the plausible
# code pages of the workspace's languages, never openly (KOI8-R would come out as Japanese).
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _windows_1258(text: str) -> bytes:
    """Vietnamese as windows-1258 writes it: tone marks as combining characters."""
    import unicodedata

    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + "".join(c for c in parts if c in _TONES))
    return "".join(out).encode("cp1258")


UNLABELLED = [
    ("ru", "Здравствуйте! У меня не работает интернет уже второй день.", "cp1251"),
    ("ru", "Здравствуйте! У меня не работает интернет уже второй день.", "koi8_r"),
    ("fr", "Bonjour, ma commande n’est pas arrivée à temps. Merci de vérifier.", "cp1252"),
    ("es", "Buenos días: el pedido llegó dañado y el envío tardó mucho.", "cp1252"),
]


@pytest.mark.parametrize(("language", "text", "codec"), UNLABELLED)
def test_unlabelled_text_is_read_in_the_plausible_code_page(language, text, codec):
    raw = (
        b"From: a@example.net\r\nTo: help@acme.test\r\nSubject: x\r\n"
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text.encode(codec)
    )
    assert parse_message(raw, languages=(language,)).text == text
    assert parse_message(raw).text == text  # also without knowing the workspace's language


def test_unlabelled_vietnamese_is_read_as_windows_1258():
    text = "Xin chào, tôi không nhận được hàng đã đặt tuần trước. Vui lòng kiểm tra giúp tôi."
    raw = b"From: a@example.net\r\nSubject: x\r\n\r\n" + _windows_1258(text)
    assert parse_message(raw, languages=("vi",)).text == text


def test_an_unlabelled_russian_subject_is_read_too():
    subject = "Не работает интернет"
    raw = b"From: a@example.net\r\nSubject: " + subject.encode("koi8_r") + b"\r\n\r\nx"
    assert parse_message(raw, languages=("ru",)).subject == subject
