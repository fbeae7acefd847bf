"""Tests for HTML sanitising and HTML-to-text conversion of inbound mail."""

from __future__ import annotations

from contento.support.channels.email.markup import html_to_text, sanitize_html


def test_sanitize_removes_active_content_and_remote_images() -> None:
    html = sanitize_html(
        '<div onmouseover="x()" style="color:red;position:fixed;background:url(http://t)">'
        '<img src="https://t.example/pixel.gif" alt="pixel"><img src="cid:a@b">'
        '<a href="javascript:alert(1)">bad</a><a href="mailto:a@b.example">mail</a>'
        "<form action='/x'><input name=q></form><svg onload=alert(1)></svg>"
        "<style>body{}</style><script>1</script></div>"
    )
    assert "onmouseover" not in html
    assert "onload" not in html
    assert "position" not in html
    assert "url(" not in html
    assert "color:red" in html
    assert "pixel.gif" not in html
    assert 'src="cid:a@b"' in html
    assert "javascript" not in html
    assert 'href="mailto:a@b.example"' in html
    assert "<form" not in html
    assert "<input" not in html
    assert "<script" not in html
    assert sanitize_html("   ") == ""


def test_html_to_text_keeps_structure() -> None:
    text = html_to_text(
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<p>Hello&nbsp;<b>there</b></p><ul><li>one</li><li>two</li></ul>"
        "<div>On Monday Bob wrote:<br><blockquote>old<br>text</blockquote></div>"
        "<pre>  keep   spacing</pre></body></html>"
    )
    assert text.splitlines() == [
        "T",
        "",
        "Hello there",
        "",
        "- one",
        "- two",
        "On Monday Bob wrote:",
        "> old",
        "> text",
        "  keep   spacing",
    ]


def test_html_to_text_of_broken_markup() -> None:
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold"
    assert html_to_text("") == ""
