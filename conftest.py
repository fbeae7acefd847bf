"""Test personas and fixtures shared by every test module.

One workspace ("Acme") with a member of each role, and an outsider who owns another workspace
("Other"), so every page and endpoint can also be tried as someone who must not get in.
"""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from contento.accounts.actions import (
    do_add_member,
    do_create_api_token,
    do_create_organization,
    do_create_user,
)
from contento.accounts.roles import Role
from contento.core import sms

PASSWORD = "correct-horse-battery"

# A survey definition using every question type, two pages, two languages and display logic.
FULL_DEFINITION = {
    "format": "contento.survey/1",
    "default_language": "en",
    "languages": ["en", "es"],
    "title": {"en": "Customer survey", "es": "Encuesta de clientes"},
    "thank_you": {"en": "Thanks!", "es": "¡Gracias!"},
    "questions": [
        {
            "key": "nps",
            "type": "nps",
            "required": True,
            "page": 1,
            "text": {"en": "How likely are you to recommend us?", "es": "¿Nos recomendaría?"},
        },
        {"key": "why", "type": "text", "page": 1, "text": {"en": "Why?", "es": "¿Por qué?"}},
        {"key": "csat", "type": "csat", "page": 2, "text": {"en": "How satisfied are you?"}},
        {
            "key": "ces",
            "type": "ces",
            "page": 2,
            "text": {"en": "It was easy.", "es": "Fue fácil."},
        },
        {
            "key": "stars",
            "type": "rating",
            "page": 2,
            "min": 0,
            "max": 4,
            "text": {"en": "Stars"},
            "min_label": {"en": "Awful"},
            "max_label": {"en": "Great", "es": "Genial"},
        },
        {
            "key": "plan",
            "type": "single",
            "page": 2,
            "text": {"en": "Your plan"},
            "choices": [
                {"key": "basic", "label": {"en": "Basic", "es": "Básico"}},
                {"key": "pro", "label": {"en": "Pro"}},
            ],
        },
        {
            "key": "channels",
            "type": "multiple",
            "page": 2,
            "text": {"en": "Channels"},
            "choices": [
                {"key": "phone", "label": {"en": "Phone", "es": "Teléfono"}},
                {"key": "email", "label": {"en": "Email"}},
                {"key": "chat", "label": {"en": "Chat"}},
            ],
        },
        {
            "key": "drivers",
            "type": "matrix",
            "page": 2,
            "text": {"en": "Rate us on"},
            "items": [
                {"key": "speed", "label": {"en": "Speed"}},
                {"key": "price", "label": {"en": "Price"}},
            ],
        },
        {
            "key": "gap",
            "type": "expectation",
            "page": 2,
            "min": 1,
            "max": 7,
            "text": {"en": "Speed"},
        },
        {
            "key": "fix",
            "type": "text",
            "page": 3,
            "required": True,
            "text": {"en": "What should we fix?"},
            "show_if": {"question": "nps", "op": "lte", "value": 6},
        },
    ],
}


@pytest.fixture(autouse=True)
def _settings_for_tests(settings, tmp_path):
    translation.activate("en")
    # Tests share one process: an in-memory cache, never the files a running server uses.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "contento.core.sms.LocmemBackend"
    sms.outbox.clear()
    settings.RATELIMIT_ENABLE = False
    # Every commit with a comment asks for a drain (no per-process memo), and a drain ends as
    # soon as it runs out of answers; test_answer_analysis.py tests the memo and the linger.
    settings.ANALYSIS_REQUEST_MEMO_SECONDS = 0
    settings.SITE_URL = "http://testserver"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class Personas:
    def __init__(self):
        self.owner = do_create_user(
            email="olivia@acme.test", password=PASSWORD, name="Olivia Owner"
        )
        self.org = do_create_organization(name="Acme", owner=self.owner)
        self.members = {Role.OWNER: self.owner}
        for role, name in ((Role.MANAGER, "mark"), (Role.AGENT, "alice"), (Role.ANALYST, "ann")):
            user = do_create_user(email=f"{name}@acme.test", password=PASSWORD, name=name.title())
            do_add_member(organization=self.org, user=user, role=role)
            self.members[role] = user
        self.outsider = do_create_user(
            email="oscar@other.test", password=PASSWORD, name="Oscar Outsider"
        )
        self.other_org = do_create_organization(name="Other", owner=self.outsider)

    def client(self, role_or_user=None) -> Client:
        """Return a client signed in as the member with this role (or this user), else anonymous."""
        client = Client()
        if role_or_user is None:
            return client
        user = self.members.get(role_or_user) if isinstance(role_or_user, str) else role_or_user
        client.force_login(user)
        return client

    def token(self, role_or_user) -> str:
        user = self.members.get(role_or_user) if isinstance(role_or_user, str) else role_or_user
        membership = user.memberships.first()
        return do_create_api_token(membership, "test")[1]


@pytest.fixture
def personas(db) -> Personas:
    return Personas()


@pytest.fixture
def survey(personas):
    from contento.surveys.actions import do_create_survey

    return do_create_survey(personas.org, FULL_DEFINITION, user=personas.owner)


@pytest.fixture
def live_survey(survey):
    from contento.surveys.actions import do_set_survey_status

    return do_set_survey_status(survey, "live")
