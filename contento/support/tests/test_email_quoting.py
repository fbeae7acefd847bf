"""Tests for splitting a reply into new text, quoted history and signature."""

from __future__ import annotations

import pytest

from contento.support.channels.email.quoting import split_reply


@pytest.mark.parametrize(
    ("text", "quote_starts"),
    [
        ("Thanks!\n\nOn Mon, Apr 2, 2012 at 6:26 PM, Bob <b@x.example> wrote:\n> Hi", "On Mon"),
        ("Thanks!\n\nOn Mon, Apr 2, 2012 at 6:26 PM, Bob\n<b@x.example> wrote:\n\n> Hi", "On Mon"),
        (
            "Gracias.\n\nEl mar, 14 may 2024 a las 10:12, Ana (<a@x.example>) escribió:\n> Hola",
            "El",
        ),
        ("Merci.\n\nLe mar. 14 mai 2024 à 10:12, Ana <a@x.example> a écrit :\n> Bonjour", "Le"),
        ("Danke.\n\nAm 14.05.2024 um 10:12 schrieb Ana <a@x.example>:\n> Hallo", "Am"),
        ('Спасибо.\n\n14.05.2024, 10:12, "Анна" <a@x.example> написал(а):\n> Привет', "14.05"),
        ("Спасибо.\n\nвт, 14 мая 2024 г. в 10:12, Анна <a@x.example>:\n> Привет", "вт"),
        ("Cảm ơn.\n\nVào Th 3, 14 thg 5, 2024 lúc 10:12 Lan <l@x.example> đã viết:\n> Chào", "Vào"),
        (
            "Terima kasih.\n\nPada tanggal Rab, 8 Mei 2024 pukul 14.20 Dimas <d@x.example>"
            " menulis:\n> Halo",
            "Pada",
        ),
        ("Thanks\n\n-----Original Message-----\nFrom: Bob\nSent: today\nSubject: x\n\nHi", "-----"),
        ("Gracias\n\n----- Mensaje original -----\nDe: Bob\n\nHola", "-----"),
        (
            "Thanks\n\n________________________________\nFrom: Support <s@x.example>\n"
            "Sent: Tuesday\nTo: Me\nSubject: x\n\nHi",
            "____",
        ),
        (
            "Merci\n\nDe : Support <s@x.example>\nEnvoyé : mardi\nÀ : Moi\nObjet : x\n\nBonjour",
            "De :",
        ),
        ("Danke\n\nVon: Support <s@x.example>\nGesendet: Dienstag\nAn: Ich\nBetreff: x\n", "Von:"),
        ("Спасибо\n\nОт: Поддержка <s@x.example>\nОтправлено: 20 июня\nКому: Я\nТема: x\n", "От:"),
        ("Cảm ơn\n\nTừ: Hỗ trợ <s@x.example>\nĐã gửi: Thứ ba\nĐến: Tôi\nChủ đề: x\n", "Từ:"),
        (
            "Terima kasih\n\nDari: Dukungan <s@x.example>\nTerkirim: Selasa\nKepada: Saya\n"
            "Perihal: x\n",
            "Dari:",
        ),
        ("Thanks\n\n> quoted one\n> quoted two\n", "> quoted one"),
        ("Thanks\n\n---------- Forwarded message ---------\nFrom: Bob\n\nOld text", "-----"),
    ],
)
def test_quote_markers_in_several_languages(text: str, quote_starts: str | None) -> None:
    split = split_reply(text)
    first_line = text.split("\n", 1)[0]
    if quote_starts is None:
        # Markers the splitter does not know must at least never lose text.
        assert first_line in split.visible
        return
    assert split.visible == first_line
    assert split.quoted.startswith(quote_starts)


@pytest.mark.parametrize(
    ("text", "signature"),
    [
        ("Works now.\n\nSent from my iPhone", "Sent from my iPhone"),
        ("Funciona.\n\nEnviado desde mi iPhone", "Enviado desde mi iPhone"),
        ("Ça marche.\n\nEnvoyé de mon iPhone", "Envoyé de mon iPhone"),
        ("Geht.\n\nVon meinem iPhone gesendet", "Von meinem iPhone gesendet"),
        ("Работает.\n\nОтправлено с iPhone", "Отправлено с iPhone"),
        ("Được rồi.\n\nGửi từ iPhone của tôi", "Gửi từ iPhone của tôi"),
        ("Sudah bisa.\n\nDikirim dari iPhone saya", "Dikirim dari iPhone saya"),
        ("Works.\n\n-- \nAna Pérez\nACME Ltd.", "Ana Pérez\nACME Ltd."),
        ("Works.\n\nGet Outlook for Android", "Get Outlook for Android"),
    ],
)
def test_signatures(text: str, signature: str) -> None:
    split = split_reply(text)
    assert split.signature == signature
    assert split.visible == text.split("\n", 1)[0]


def test_signature_before_the_quote() -> None:
    split = split_reply(
        "Hello\n\nSent from my iPhone\n\nOn Apr 3, 2012, at 4:19 PM, bob wrote:\n\n> Hi"
    )
    assert (split.visible, split.signature) == ("Hello", "Sent from my iPhone")
    assert split.quoted.startswith("On Apr 3")


def test_inline_answers_are_not_folded() -> None:
    text = "Bob wrote:\n> Does it work?\nYes.\n> And the invoice?\nPaid today."
    split = split_reply(text)
    assert split.visible == text
    assert split.quoted == ""


def test_all_quote_stays_visible() -> None:
    text = "-----Original Message-----\nFrom: Bob\nSent: today\n\nPlease see below"
    assert split_reply(text).visible == text


def test_plain_text_is_untouched() -> None:
    text = "Line one\nFrom now on I will write: more\nThe end"
    split = split_reply(text)
    assert (split.visible, split.quoted, split.signature) == (text, "", "")


def test_carriage_returns_are_normalised() -> None:
    assert split_reply("Hi\r\n\r\n> old\r\n").visible == "Hi"
