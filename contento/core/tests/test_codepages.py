"""Guessing an undeclared encoding among the plausible code pages only."""

import pytest

from contento.core.codepages import decode_guessing, guess_codepage, plausible_codepages

RUSSIAN = "Не работает интернет"


@pytest.mark.parametrize("codec", ["cp1251", "koi8_r"])
def test_short_russian_text_is_read_in_its_code_page(codec):
    assert guess_codepage(RUSSIAN.encode(codec), ("ru",)) == codec
    assert decode_guessing(RUSSIAN.encode(codec), ("ru",)) == (RUSSIAN, codec)


def test_an_open_guess_is_never_made():
    # KOI8-R read openly comes out as Japanese cp932; here Japanese is not a candidate at all.
    assert "cp932" not in plausible_codepages()
    assert guess_codepage(RUSSIAN.encode("koi8_r")) in {"koi8_r", "cp1251"}


def test_utf8_is_utf8_and_the_workspaces_pages_come_first():
    assert decode_guessing("Ñandú".encode()) == ("Ñandú", "utf-8")
    assert plausible_codepages(("vi",))[0] == "cp1258"
    assert plausible_codepages(("ru",))[:2] == ["cp1251", "koi8_r"]
