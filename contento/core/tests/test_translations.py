"""Every interface message is translated into every supported language."""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language):
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert missing == [], f"{language}: {len(missing)} messages lack a translation: {missing[:5]}"
    for entry in po:
        if not entry.msgid_plural:  # a plural's singular may leave out the number
            wanted = sorted(PLACEHOLDER.findall(entry.msgid))
            assert sorted(PLACEHOLDER.findall(entry.msgstr)) == wanted, (language, entry.msgid)


# French sets a no-break space before : ; ? ! (an ordinary space would break the line there).
FRENCH_MISSPACED = re.compile(r"(?<=\S) [:;?!](?=\s|$)|(?<=[^\s\u00a0\u202f])[;?!](?=\s|$)")


def test_french_sets_a_no_break_space_before_high_punctuation():
    po = polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))
    wrong = [
        text
        for entry in po
        if not entry.obsolete
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if FRENCH_MISSPACED.search(text)
    ]
    assert wrong == []


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) is not installed")
def test_catalogs_hold_every_message_in_the_code(tmp_path):
    """Extract the messages afresh from a copy of the code and compare with the catalogs."""
    copy = tmp_path / "contento"
    shutil.copytree(
        settings.BASE_DIR, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "tests")
    )
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command(
            "makemessages",
            locale=["es"],
            ignore_patterns=["stats/*", "demo/corpus.py"],
            verbosity=0,
        )
    finally:
        os.chdir(cwd)
    fresh = {
        e.msgid
        for e in polib.pofile(str(copy / "locale/es/LC_MESSAGES/django.po"))
        if not e.obsolete
    }
    for language in LANGUAGES:
        committed = {
            e.msgid
            for e in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
            if not e.obsolete
        }
        new = sorted(fresh - committed)
        assert new == [], f"{language}: run `make messages`; new messages: {new[:5]}"


@pytest.mark.parametrize(
    ("language", "sign_in"),
    [
        ("es", "Iniciar sesión"),
        ("fr", "Se connecter"),
        ("ru", "Войти"),
        ("vi", "Đăng nhập"),
        ("id", "Masuk"),
    ],
)
def test_interface_speaks_the_chosen_language(db, language, sign_in):
    call_command("compiletranslations", verbosity=0)
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}">' in page
    assert sign_in.lower() in page.lower()


def test_language_switcher_sets_the_language(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "ru", "next": "/accounts/login/"})
    assert '<html lang="ru">' in client.get("/accounts/login/").content.decode()


# Where the messages customers read come from (pages, emails and form errors they see).
CUSTOMER_FACING = (
    "surveys/templates/surveys/public",
    "surveys/templates/surveys/questions",
    "surveys/templates/surveys/email",
    "support/templates/support/public",
    "support/templates/support/email",
    "support/forms.py",
    "distribution/templates/distribution/widget.html",
    "distribution/templates/distribution/email/invitation",
    "distribution/campaigns.py",
    "customers/templates/customers/unsubscribe.html",
    "accounts/templates/email",
)


def test_the_formal_vietnamese_register_covers_every_customer_message_that_says_ban():
    """A new customer-facing message with "bạn" needs its "quý khách" form in vi_Formal,
    else a workspace that chose the formal register would say "bạn" there."""
    vi = polib.pofile(str(LOCALE / "vi" / "LC_MESSAGES" / "django.po"))
    formal = {
        e.msgid for e in polib.pofile(str(LOCALE / "vi_Formal" / "LC_MESSAGES" / "django.po"))
    }
    missing = [
        e.msgid
        for e in vi
        if not e.obsolete
        and any(path.startswith(CUSTOMER_FACING) for path, _line in e.occurrences)
        and re.search(r"\bbạn\b", e.msgstr, re.IGNORECASE)
        and e.msgid not in formal
    ]
    assert missing == []
