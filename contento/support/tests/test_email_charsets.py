"""Tests for lenient charset and encoded-word decoding."""

from __future__ import annotations

import pytest

from contento.support.channels.email.charsets import (
    decode_bytes,
    decode_header_value,
    resolve_charset,
)


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
