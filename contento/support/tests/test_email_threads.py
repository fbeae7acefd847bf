"""Tests for the threading helpers: message ids, subject tags, plus-addresses."""

from __future__ import annotations

import pytest

from contento.support.channels.email.threads import (
    candidate_parent_ids,
    message_ids,
    normalise_message_id,
    strip_reply_prefixes,
    ticket_reference_from_address,
    ticket_reference_from_addresses,
    ticket_reference_from_subject,
)


def test_message_ids_drop_invalid_entries_and_duplicates() -> None:
    value = "<a@x.example>, <invalid.   \r\n something@x.example> <a@x.example> <b@y.example>"
    assert message_ids(value) == ["<a@x.example>", "<b@y.example>"]
    assert message_ids("bare@host.example") == ["<bare@host.example>"]
    assert message_ids("<noat> junk") == []
    assert message_ids("") == []
    assert normalise_message_id("  <id@host>  ") == "<id@host>"
    assert normalise_message_id(None) is None


def test_candidate_parents_prefer_in_reply_to_then_nearest_reference() -> None:
    assert candidate_parent_ids(["<c@x>"], ["<a@x>", "<b@x>", "<c@x>"]) == [
        "<c@x>",
        "<b@x>",
        "<a@x>",
    ]
    assert candidate_parent_ids([], ["<a@x>", "<b@x>"]) == ["<b@x>", "<a@x>"]
    assert candidate_parent_ids([], []) == []


@pytest.mark.parametrize(
    ("subject", "prefix", "reference"),
    [
        ("Re: [#AB12CD] Internet down", "", "AB12CD"),
        ("RE: AW: [# AB12CD ] Internet down", "", "AB12CD"),
        ("Re: [Ticket #1042] No puedo acceder", "Ticket", "1042"),
        ("Re: [ticket#1042] lower case", "Ticket", "1042"),
        ("Re: [Ticket #1042] without the prefix argument", "", None),
        ("Fwd: [#OLD1] Re: [#NEW2] two tags", "", "NEW2"),
        ("Order #1042 is late", "Ticket", None),
        ("", "", None),
    ],
)
def test_ticket_reference_from_subject(subject: str, prefix: str, reference: str | None) -> None:
    assert ticket_reference_from_subject(subject, prefix) == reference


def test_ticket_reference_from_plus_address() -> None:
    assert ticket_reference_from_address("support+AB12CD@example.com") == "AB12CD"
    assert ticket_reference_from_address("Support+AB12CD@Example.com", "support@example.com") == (
        "AB12CD"
    )
    assert ticket_reference_from_address("sales+AB12CD@example.com", "support@example.com") is None
    assert ticket_reference_from_address("support@example.com") is None
    assert ticket_reference_from_address("support+bad tag@example.com") is None
    assert (
        ticket_reference_from_addresses(
            ["ana@example.com", "support+X9@example.com"], "support@example.com"
        )
        == "X9"
    )


def test_strip_reply_prefixes() -> None:
    assert strip_reply_prefixes("R: R: R: I: FR-selca") == "FR-selca"
    assert strip_reply_prefixes("RE[2]: Fwd: AW: Hello") == "Hello"
    assert strip_reply_prefixes("Ответ: Привет") == "Привет"
    assert strip_reply_prefixes("Reunion plans") == "Reunion plans"
