"""Tests for the inbound-mail parser: the shared corpus row by row, then messages built here.

The corpus (``settings.MAIL_DIR``: ``shared/data/mail`` beside the repository, or
``CONTENTO_MAIL_DIR``) is read in place; its manifest says what each message must become.
Without it, the tests that need it skip and say why.
"""

from __future__ import annotations

import base64
import csv
import functools
import unicodedata
from datetime import UTC, datetime
from email.message import EmailMessage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import SMTP
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contento.support.channels.email.parsing import (
    TOO_LARGE,
    TOO_MANY,
    ParsedMail,
    parse_message,
)

MAIL_DIR = Path(
    django_settings.MAIL_DIR
)  # CONTENTO_MAIL_DIR, else shared/data/mail beside the checkout
MANIFEST = MAIL_DIR / "manifest.tsv"
EXPECTED_KIND = {"ticket": "message", "autoreply": "auto_reply", "bounce": "bounce"}


def _manifest_rows() -> list[dict[str, str]]:
    if not MANIFEST.is_file():
        return []
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _manifest_rows()
needs_corpus = pytest.mark.skipif(
    not ROWS, reason=f"mail corpus not found at {MAIL_DIR} (set CONTENTO_MAIL_DIR)"
)


@functools.cache
def _parsed(name: str) -> ParsedMail:
    return parse_message((MAIL_DIR / name).read_bytes())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _body_contains(notes: str) -> str | None:
    if not notes.startswith("body_contains="):
        return None
    return _nfc(notes[len("body_contains=") :].split(";", 1)[0])


@needs_corpus
@pytest.mark.parametrize("row", ROWS or [{}], ids=[row["file"] for row in ROWS] or ["none"])
def test_manifest_row(row: dict[str, str]) -> None:
    parsed = _parsed(row["file"])
    assert not any(defect.startswith("unparseable") for defect in parsed.defects)
    assert parsed.kind == EXPECTED_KIND[row["expect"]], parsed.classification_reasons
    word = _body_contains(row["notes"])
    if word is not None:
        assert word in parsed.text or word in parsed.html
        split = "\n".join((parsed.visible_text, parsed.quoted_text, parsed.signature))
        assert word in split or word in parsed.html
    if row["thread_of"]:
        parent = _parsed(row["thread_of"])
        assert parent.message_id is not None
        assert parent.message_id in parsed.parent_message_ids


@needs_corpus
def test_manifest_has_every_file() -> None:
    files = {row["file"] for row in ROWS}
    on_disk = {p.name for p in MAIL_DIR.glob("*.eml")}
    on_disk |= {f"synthetic/{p.name}" for p in (MAIL_DIR / "synthetic").glob("*.eml")}
    assert files == on_disk


@needs_corpus
def test_corpus_details_that_the_manifest_does_not_pin() -> None:
    assert _parsed("43-windows-1251-from-outlook-express-year-3609.eml").date is None
    assert _parsed("61-unparseable-date-spam.eml").date is None
    assert _parsed("52-raw-utf8-headers-rfc6532.eml").from_address == "jdöe@mächine.example"
    assert _parsed("27-reply-mailing-list-precedence-bulk-raw-8bit-from.eml").from_name == (
        "Ingo Lütkebohle"
    )
    assert [a.filename for a in _parsed("10-attachment-raw-8bit-utf8-filename.eml").attachments]
    assert _parsed("10-attachment-raw-8bit-utf8-filename.eml").attachments[0].filename == (
        "ciële.txt"
    )
    eleven = _parsed("11-apple-mail-iso-8859-1-subject-inline-jpeg.eml")
    assert eleven.subject == "Eelanalüüsi päring"
    assert eleven.attachments[0].filename == "Eelanalüüsi päring.jpg"
    assert _parsed("63-references-with-invalid-entry.eml").references == (
        "<foo@bar.net>",
        "<baz@bar.net>",
    )
    assert _parsed("33-precedence-junk-bad-date-html.eml").in_reply_to == ("<someone@yahoo.com>",)
    sixty = _parsed("60-broken-header-folding-office365.eml")
    assert sixty.text == "Test headers"
    signed = _parsed("64-pgp-signed-multipart-signed.eml")
    assert not signed.attachments
    tnef = _parsed("42-koi8-r-outlook-with-winmail-dat.eml")
    assert [a.filename for a in tnef.attachments] == ["winmail.dat"]
    related = _parsed("84-inline-image-related-no-text.eml")
    assert all(attachment.inline for attachment in related.attachments)
    forwarded = _parsed("18-forwarded-as-message-rfc822.eml")
    assert [a.content_type for a in forwarded.attachments] == ["message/rfc822"]
    assert forwarded.text == "This is the first part."
    hundreds = _parsed("16-three-hundred-attachments.eml")
    assert len(hundreds.attachments) == 100
    assert {s.reason for s in hundreds.skipped_attachments} == {TOO_MANY}


@needs_corpus
def test_corpus_bounces_name_the_failed_message() -> None:
    postfix = _parsed("39-bounce-postfix-shift-jis-original.eml")
    assert postfix.bounce_recipients == ("neko-nyaan@ntt.example.net",)
    assert postfix.bounce_original_message_id == "<20160429233445.8FDCD7D68ECB@mail.example.com>"
    assert postfix.bounce_permanent is True
    exim = _parsed("35-bounce-exim-plain-text.eml")
    assert exim.bounce_recipients == ("kijitora@example.ed.jp",)
    assert exim.bounce_original_message_id == "<E1P1ce6-000Egt-GZ@e1.example.org>"
    receipt = _parsed("32-read-receipt-mdn.eml")
    assert receipt.report_type == "disposition-notification"
    assert not receipt.allows_auto_answer


@needs_corpus
def test_corpus_replies_fold_their_quotes() -> None:
    for name, visible in [
        ("21-reply-outlook-from-sent-block.eml", "Hello"),
        ("22-reply-gmail-on-wrote.eml", "Hello"),
        ("23-reply-apple-mail-in-reply-to.eml", "Hello"),
        ("24-reply-yahoo-original-message.eml", "Hello"),
        ("25-reply-android-gmail-russian-attribution.eml", "Hello"),
        ("69-reply-hotmail-quoted-header.eml", "Hello"),
        ("70-reply-iphone-sent-from.eml", "Hello"),
        ("71-reply-aol-original-message.eml", "Hello"),
    ]:
        parsed = _parsed(name)
        assert parsed.visible_text == visible, name
        assert parsed.quoted_text, name
    assert _parsed("70-reply-iphone-sent-from.eml").signature == "Sent from my iPhone"
    s09 = _parsed("synthetic/s09-ru-reply-outlook-windows-1251.eml")
    assert "Отправлено:" in s09.quoted_text
    assert "Отправлено:" not in s09.visible_text


@needs_corpus
def test_whole_corpus_parses_quickly() -> None:
    # Not a timing assertion: parsing the corpus must simply not hang on a hostile message.
    for row in ROWS:
        assert isinstance(parse_message((MAIL_DIR / row["file"]).read_bytes()), ParsedMail)


# Messages built here -----------------------------------------------------------------------


def _raw(
    headers: dict[str, str | bytes], body: bytes, *, content_type: bytes | None = None
) -> bytes:
    lines = []
    for name, value in headers.items():
        encoded = value if isinstance(value, bytes) else value.encode("utf-8")
        lines.append(name.encode("ascii") + b": " + encoded)
    if content_type is not None:
        lines += [b"MIME-Version: 1.0", b"Content-Type: " + content_type]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def _message(subject: str = "Help", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Ana Pérez <Ana@Example.COM>"
    message["To"] = "support@contento.example"
    message["Subject"] = subject
    message["Message-ID"] = "<m1@example.com>"
    message["Date"] = "Tue, 14 May 2024 10:12:00 +0200"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    return message


def test_multipart_alternative_prefers_plain_and_sanitises_html() -> None:
    message = _message()
    message.set_content("Plain body\n")
    message.add_alternative("<p>HTML body</p><script>alert(1)</script>", subtype="html")
    parsed = parse_message(message.as_bytes(policy=SMTP))
    assert parsed.text == "Plain body"
    assert parsed.html == "<p>HTML body</p>"
    assert parsed.from_name == "Ana Pérez"
    assert parsed.from_address == "ana@example.com"
    assert parsed.to[0].address == "support@contento.example"
    assert parsed.message_id == "<m1@example.com>"
    assert parsed.date == datetime(2024, 5, 14, 8, 12, tzinfo=UTC)
    assert parsed.kind == "message"
    assert parsed.allows_auto_answer


def test_html_only_mail_is_sanitised_and_converted_to_text() -> None:
    message = _message()
    message.set_content(
        "<html><head><style>p{color:red}</style></head><body>"
        '<p onclick="steal()">Hello <b>team</b></p>'
        '<img src="x" onerror="alert(1)"><img src="https://tracker.example/p.gif" alt="">'
        '<img src="cid:logo@x" alt="logo">'
        '<a href="javascript:alert(1)">click</a><a href="https://example.com/ok">ok</a>'
        "<script>document.cookie</script><iframe src='https://evil.example'></iframe>"
        "<blockquote>quoted line</blockquote></body></html>",
        subtype="html",
    )
    parsed = parse_message(message.as_bytes(policy=SMTP))
    html = parsed.html.lower()
    for forbidden in ("script", "onerror", "onclick", "javascript:", "iframe", "tracker", "style>"):
        assert forbidden not in html
    assert 'src="cid:logo@x"' in html
    assert 'href="https://example.com/ok"' in html
    assert parsed.text.splitlines()[0] == "Hello team"
    assert "> quoted line" in parsed.text
    assert "document.cookie" not in parsed.text


def test_attachments_over_the_limits_are_reported_not_kept() -> None:
    message = _message()
    message.set_content("See attached")
    message.add_attachment(b"a" * 10, maintype="application", subtype="pdf", filename="a.pdf")
    message.add_attachment(b"b" * 5000, maintype="application", subtype="pdf", filename="b.pdf")
    message.add_attachment(b"c" * 10, maintype="text", subtype="plain", filename="c.txt")
    parsed = parse_message(
        message.as_bytes(policy=SMTP), max_attachment_bytes=1000, max_attachments=1
    )
    assert [(a.filename, a.size, a.content) for a in parsed.attachments] == [
        ("a.pdf", 10, b"a" * 10)
    ]
    assert [(s.filename, s.size, s.reason) for s in parsed.skipped_attachments] == [
        ("b.pdf", 5000, TOO_LARGE),
        ("c.txt", 10, TOO_MANY),
    ]
    assert parsed.text == "See attached"


def test_rfc2231_and_raw_8bit_filenames_are_decoded() -> None:
    message = _message()
    message.set_content("files")
    message.add_attachment(
        b"%PDF", maintype="application", subtype="pdf", filename=("utf-8", "", "résumé ü.pdf")
    )
    raw = message.as_bytes(policy=SMTP)
    assert b"filename*=" in raw
    parsed = parse_message(raw)
    assert parsed.attachments[0].filename == "résumé ü.pdf"

    boundary = b"XYZ"
    body = (
        b"--XYZ\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
        b"--XYZ\r\nContent-Type: application/octet-stream;"
        b' name="\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb.txt"'
        b"\r\nContent-Disposition: attachment;\r\n filename*0*=iso-8859-1''%E9t%E9;"
        b"\r\n filename*1*=%2Etxt\r\n\r\ndata\r\n--XYZ--\r\n"
    )
    parsed = parse_message(
        _raw({"From": "a@b.example"}, body, content_type=b"multipart/mixed; boundary=" + boundary)
    )
    assert parsed.attachments[0].filename == "été.txt"
    body = body.replace(b"filename*0*=iso-8859-1''%E9t%E9;\r\n filename*1*=%2Etxt", b"x=1")
    parsed = parse_message(
        _raw({"From": "a@b.example"}, body, content_type=b"multipart/mixed; boundary=XYZ")
    )
    assert parsed.attachments[0].filename == "файл.txt"


def test_attachment_filenames_lose_paths() -> None:
    message = _message()
    message.set_content("x")
    message.add_attachment(b"x", maintype="text", subtype="plain", filename="..\\..\\evil.txt")
    parsed = parse_message(message.as_bytes(policy=SMTP))
    assert parsed.attachments[0].filename == "evil.txt"


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("koi8-r", "Здравствуйте! Подписка отменена, деньги списаны."),
        ("windows-1251", "Уведомления не приходят, проверьте журнал."),
        ("iso-8859-1", "Réclamation: la facture est erronée, ça coûte trop."),
        ("iso-8859-15", "Facture: 129,90 € pour ma sœur."),
        ("windows-1252", "Smart “quotes” – and a dash."),
        ("shift_jis", "テストメールです。"),
        ("euc-kr", "하나님을 믿습니다"),
        ("ks_c_5601-1987", "스티해"),
        ("big5", "繁體中文測試"),
        ("iso-2022-jp", "日本語のテスト"),
    ],
)
def test_declared_charsets_decode(charset: str, text: str) -> None:
    codec = {"ks_c_5601-1987": "cp949"}.get(charset, charset)
    body = text.encode(codec)
    raw = _raw(
        {"From": "a@b.example", "Subject": "x"},
        body,
        content_type=f"text/plain; charset={charset}".encode(),
    )
    assert parse_message(raw).text == text


_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _windows_vietnamese(text: str) -> str:
    """Return ``text`` as Windows writes Vietnamese: base letters composed, tone marks apart."""
    clusters: list[list[str]] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and clusters:
            clusters[-1].append(char)
        else:
            clusters.append([char])
    out: list[str] = []
    for base, *marks in clusters:
        shape = "".join(mark for mark in marks if mark not in _TONE_MARKS)
        tones = "".join(mark for mark in marks if mark in _TONE_MARKS)
        out.append(unicodedata.normalize("NFC", base + shape) + tones)
    return "".join(out)


def test_windows_1258_vietnamese_is_nfc_normalised() -> None:
    # Windows writes tone marks as combining characters; the parser returns composed text.
    text = "Tôi nhận được hàng nhưng thiếu sản phẩm."
    body = _windows_vietnamese(text).encode("cp1258", errors="strict")
    encoded = _windows_vietnamese("Khiếu nại").encode("cp1258")
    subject = "=?windows-1258?Q?" + "".join(f"={b:02X}" for b in encoded)
    raw = _raw(
        {"From": "lan@mail-vn.example", "Subject": subject + "?="},
        body,
        content_type=b"text/plain; charset=windows-1258",
    )
    parsed = parse_message(raw)
    assert parsed.text == text
    assert parsed.subject == "Khiếu nại"


def test_encoded_headers_in_legacy_charsets() -> None:
    raw = _raw(
        {
            "From": "=?koi8-r?B?"
            + base64.b64encode("Ольга".encode("koi8-r")).decode()
            + "?= <o@pochta.example>",
            "Subject": "=?ISO-8859-1?Q?R=E9clamation_factur=E9e?=",
            "To": "=?windows-1251?B?"
            + base64.b64encode("Поддержка".encode("cp1251")).decode()
            + "?= <support@contento.example>",
        },
        b"x",
    )
    parsed = parse_message(raw)
    assert parsed.from_name == "Ольга"
    assert parsed.subject == "Réclamation facturée"
    assert parsed.to[0].name == "Поддержка"


def test_mislabelled_and_unknown_charsets_fall_back_to_utf8() -> None:
    text = "Envoyé par Bell Mobilité — ∮ E⋅da"
    for label in (b"us-ascii", b"X-UNKNOWN", b"us-askey", b"gb2312", b"none"):
        raw = _raw(
            {"From": "a@b.example"}, text.encode(), content_type=b"text/plain; charset=" + label
        )
        assert parse_message(raw).text == text, label
    raw = _raw({"From": "a@b.example"}, "café".encode("cp1252"), content_type=b"text/plain")
    assert parse_message(raw).text == "café"


def test_bad_header_words_do_not_break_the_subject() -> None:
    raw = b"Subject: =?NONE?B?VEVTVA=?=\r\n\r\nTEST\r\n"
    parsed = parse_message(raw)
    assert parsed.subject == "TEST"
    assert parsed.from_address == ""
    assert parsed.message_id is None
    assert parsed.date is None
    raw = _raw({"Subject": "=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?= ok", "From": "x@y.example"}, b"b")
    assert parse_message(raw).subject == "café ok"


@pytest.mark.parametrize(
    "value",
    ["Mon, 30 Jun 3609 15:33:50 +0600", "Pn, 29 paX 2007 21:13:00 +0100", "", "<HR>", "1 Jan 1901"],
)
def test_absurd_or_garbled_dates_are_none(value: str) -> None:
    assert parse_message(_raw({"From": "a@b.example", "Date": value}, b"x")).date is None


def test_dates_without_zone_are_utc() -> None:
    parsed = parse_message(_raw({"Date": "Tue, 14 May 2024 10:12:00 -0000"}, b"x"))
    assert parsed.date == datetime(2024, 5, 14, 10, 12, tzinfo=UTC)


def test_message_ids_are_normalised() -> None:
    raw = _raw(
        {
            "Message-ID": " <abc@host.example> ",
            "In-Reply-To": "parent@host.example",
            "References": "<a@x.example> <broken id@x.example>\r\n <b@x.example> <noatsign>",
        },
        b"x",
    )
    parsed = parse_message(raw)
    assert parsed.message_id == "<abc@host.example>"
    assert parsed.in_reply_to == ("<parent@host.example>",)
    assert parsed.references == ("<a@x.example>", "<b@x.example>")
    assert parsed.parent_message_ids == ["<parent@host.example>", "<b@x.example>", "<a@x.example>"]


@pytest.mark.parametrize(
    ("headers", "kind", "bulk"),
    [
        ({"Auto-Submitted": "auto-replied"}, "auto_reply", True),
        ({"Auto-Submitted": "auto-generated"}, "auto_reply", True),
        ({"Auto-Submitted": "no"}, "message", False),
        ({"X-Autoreply": "yes"}, "auto_reply", True),
        ({"X-Autorespond": "Out of office"}, "auto_reply", True),
        ({"Subject": "Automatic reply: [Ticket #7] Help"}, "auto_reply", True),
        ({"Subject": "Out of Office: Help"}, "auto_reply", True),
        ({"Subject": "Réponse automatique : Help"}, "auto_reply", True),
        ({"Subject": "Abwesenheitsnotiz: Help"}, "auto_reply", True),
        ({"Subject": "Автоответ: Help"}, "auto_reply", True),
        ({"Subject": "Respuesta automática: Help"}, "auto_reply", True),
        ({"Subject": "Trả lời tự động: Help"}, "auto_reply", True),
        ({"Subject": "Balasan otomatis: Help"}, "auto_reply", True),
        ({"Precedence": "bulk"}, "message", True),
        ({"List-Id": "<users.lists.example>"}, "message", True),
        ({"X-Auto-Response-Suppress": "All"}, "message", True),
        ({"Subject": "Re: Automatic reply: Help"}, "message", False),
        ({"Subject": "Delivery failed for my parcel"}, "message", False),
        ({"Subject": "Fwd: Undeliverable: Help"}, "message", False),
        ({"Subject": "Undeliverable: Help"}, "bounce", True),
        ({"Subject": "Mail delivery failed: returning message"}, "bounce", True),
        ({"From": "MAILER-DAEMON@mx.example"}, "bounce", True),
        ({"X-Failed-Recipients": "gone@example.com"}, "bounce", True),
    ],
)
def test_classification(headers: dict[str, str], kind: str, bulk: bool) -> None:
    base = {"From": "Person <person@example.com>", "Subject": "Help"}
    parsed = parse_message(_raw({**base, **headers}, b"Hello"))
    assert (parsed.kind, parsed.is_bulk) == (kind, bulk)
    assert parsed.allows_auto_answer is (kind == "message" and not bulk)


def test_auto_reply_to_an_auto_reply_is_never_answered() -> None:
    # The mail-loop case: our acknowledgement reached an out-of-office responder.
    message = _message(
        "Réponse automatique : [Ticket #1187] Nous avons bien reçu votre demande",
        Auto_Submitted="auto-replied",
        In_Reply_To="<ticket-1187-1@contento.example>",
    )
    message.set_content("Je suis absent.")
    parsed = parse_message(message.as_bytes(policy=SMTP))
    assert parsed.kind == "auto_reply"
    assert not parsed.allows_auto_answer
    assert parsed.parent_message_ids == ["<ticket-1187-1@contento.example>"]


def _bounce(action: str, status: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n"
        "To: support@contento.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        "Final-Recipient: rfc822; Gone@Customer.example\r\n"
        f"Action: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
        "--b1\r\nContent-Type: message/rfc822\r\n\r\n"
        "Message-ID: <ticket-42-3@contento.example>\r\n"
        "Subject: [Ticket #42] Update\r\n\r\nYour ticket was updated.\r\n"
        "--b1--\r\n"
    ).encode()


def test_bounce_names_recipient_and_original_message() -> None:
    parsed = parse_message(_bounce("failed", "5.1.1"))
    assert parsed.kind == "bounce"
    assert parsed.report_type == "delivery-status"
    assert parsed.bounce_recipients == ("gone@customer.example",)
    assert parsed.bounce_original_message_id == "<ticket-42-3@contento.example>"
    assert parsed.bounce_status == "5.1.1"
    assert parsed.bounce_permanent is True
    assert parsed.text == "Your message could not be delivered."
    assert [a.filename for a in parsed.attachments] == ["[Ticket #42] Update.eml"]


def test_delayed_delivery_warning_is_a_temporary_bounce() -> None:
    parsed = parse_message(_bounce("delayed", "4.4.7"))
    assert parsed.kind == "bounce"
    assert parsed.bounce_permanent is False


def test_read_receipt_is_an_auto_reply() -> None:
    raw = (
        b"From: customer@example.com\r\nSubject: Read: [Ticket #42] Update\r\n"
        b'Content-Type: multipart/report; report-type=disposition-notification; boundary="r"\r\n'
        b"\r\n--r\r\nContent-Type: text/plain\r\n\r\nYour message was displayed.\r\n"
        b"--r\r\nContent-Type: message/disposition-notification\r\n\r\n"
        b"Disposition: manual-action/MDN-sent-manually; displayed\r\n--r--\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.kind == "auto_reply"
    assert parsed.report_type == "disposition-notification"
    assert parsed.text == "Your message was displayed."


def test_forwarded_message_is_an_attachment_not_the_text() -> None:
    outer = MIMEMultipart()
    outer["From"] = "boss@example.com"
    outer["Subject"] = "Fwd: complaint"
    outer.attach(MIMEText("Please handle this one."))
    inner = MIMEText("The inner complaint text.")
    inner["Subject"] = "complaint"
    outer.attach(MIMEMessage(inner))
    parsed = parse_message(outer.as_bytes())
    assert parsed.text == "Please handle this one."
    assert "inner complaint" not in parsed.text
    assert parsed.attachments[0].filename == "complaint.eml"
    assert b"The inner complaint text." in parsed.attachments[0].content


def test_bare_forward_shows_the_forwarded_text() -> None:
    outer = MIMEMultipart()
    outer["From"] = "boss@example.com"
    inner = MIMEText("Only the forwarded text.")
    outer.attach(MIMEMessage(inner))
    assert parse_message(outer.as_bytes()).text == "Only the forwarded text."


def test_tnef_and_signatures() -> None:
    message = _message()
    message.set_content("body")
    message.add_attachment(
        b"\x78\x9f\x3e\x22", maintype="application", subtype="ms-tnef", filename="winmail.dat"
    )
    message.add_attachment(
        b"-----BEGIN PGP SIGNATURE-----", maintype="application", subtype="pgp-signature"
    )
    parsed = parse_message(message.as_bytes(policy=SMTP))
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("winmail.dat", "application/ms-tnef")
    ]


def test_inline_images_are_marked_inline() -> None:
    message = _message()
    message.set_content("text")
    message.add_alternative('<p>Look <img src="cid:img1@x"></p>', subtype="html")
    html_part = message.get_payload()[1]
    html_part.add_related(b"\x89PNG", maintype="image", subtype="png", cid="<img1@x>")
    message.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="doc.pdf")
    parsed = parse_message(message.as_bytes(policy=SMTP))
    inline = {a.content_id: a.inline for a in parsed.attachments}
    assert inline == {"img1@x": True, None: False}


def test_quote_folding_in_a_parsed_reply() -> None:
    message = _message("Re: [Ticket #1042] Acceso")
    message.set_content(
        "Gracias, ya funciona.\n\nEnviado desde mi iPhone\n\n"
        "El mar, 14 may 2024 a las 10:12, Soporte (<support@contento.example>) escribió:\n\n"
        "> Hola, Javier:\n> Pruebe de nuevo.\n"
    )
    parsed = parse_message(message.as_bytes(policy=SMTP))
    assert parsed.visible_text == "Gracias, ya funciona."
    assert parsed.signature == "Enviado desde mi iPhone"
    assert parsed.quoted_text.startswith("El mar, 14 may 2024")


def test_nul_bytes_and_empty_input_do_not_break_parsing() -> None:
    parsed = parse_message(_raw({"From": "a@b.example"}, b"a\x00b"))
    assert parsed.text == "ab"
    empty = parse_message(b"")
    assert (empty.text, empty.kind, empty.from_address) == ("", "message", "")


def test_broken_header_folding_is_repaired() -> None:
    raw = (
        b"From: a@b.example\r\nX-Long: first half\r\nsecond-half-without-indent\r\n"
        b"Subject: kept\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n"
    )
    parsed = parse_message(raw)
    assert (parsed.subject, parsed.text) == ("kept", "body")


def test_priority_headers() -> None:
    assert parse_message(_raw({"X-Priority": "1 (Highest)"}, b"x")).priority == "high"
    assert parse_message(_raw({"Importance": "Low"}, b"x")).priority == "low"
    assert parse_message(_raw({}, b"x")).priority == "normal"


_HEADER_NAMES = st.sampled_from(
    [
        "From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Auto-Submitted",
        "Precedence", "Reply-To", "MIME-Version", "X-Failed-Recipients",
    ]
)  # fmt: skip
_HEADER_VALUES = st.one_of(
    st.binary(max_size=80),
    st.sampled_from(
        [
            b"multipart/mixed; boundary=b",
            b"multipart/report; report-type=delivery-status; boundary=b",
            b"message/rfc822",
            b"text/plain; charset=x-unknown",
            b"text/html; charset=utf-16",
            b"base64",
            b"quoted-printable",
            b"=?utf-8?B?w6k=?= =?koi8-r?Q?=F0?=",
            b"attachment; filename*=utf-8''%ZZ%E9",
            b"<a@b> <c d@e>",
        ]
    ),
)
_BODIES = st.one_of(
    st.binary(max_size=400),
    st.sampled_from(
        [
            b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: message/rfc822\r\n",
            b"--b\r\n\r\n--b--",
            b"=C3=A9=\r\n=ZZ",
        ]
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    parsed = parse_message(raw)
    assert isinstance(parsed.text, str)
    assert parsed.kind in ("message", "auto_reply", "bounce")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_HEADER_NAMES, _HEADER_VALUES), max_size=12), _BODIES)
def test_arbitrary_headers_and_bodies_never_raise(
    headers: list[tuple[str, bytes]], body: bytes
) -> None:
    raw = b"".join(name.encode() + b": " + value + b"\r\n" for name, value in headers)
    parsed = parse_message(raw + b"\r\n" + body)
    assert not any(defect.startswith("unparseable") for defect in parsed.defects)
    assert all(isinstance(a.content, bytes) for a in parsed.attachments)
