"""The template gallery: seven surveys in six languages, each with its analysis."""

import pytest
from django.conf import settings
from django.urls import reverse

from contento.accounts.roles import Role
from contento.surveys import definition
from contento.surveys.gallery import TEMPLATES
from contento.surveys.models import Question, Survey
from contento.surveys.navigation import pages_for

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.key)
def test_every_template_is_a_valid_survey_in_every_language(template):
    document = definition.validate(template.definition())
    assert sorted(document["languages"]) == sorted(LANGUAGES)
    for question in document["questions"]:
        assert set(question["text"]) == set(LANGUAGES), question["key"]
        for choice in question.get("choices", []):
            assert set(choice["label"]) == set(LANGUAGES), (question["key"], choice["key"])


def test_a_template_becomes_a_draft_in_the_workspaces_language(personas):
    personas.org.default_language = "vi"
    personas.org.save()
    client = personas.client(Role.MANAGER)
    response = client.post(reverse("surveys:gallery"), {"template": "servqual"})
    survey = Survey.objects.get(organization=personas.org)
    assert response["Location"] == reverse("surveys:build", args=[survey.code])
    assert survey.status == Survey.Status.DRAFT
    assert survey.default_language == "vi"
    assert survey.questions.filter(kind=Question.Kind.EXPECTATION).count() == 5
    assert "gaps" in [page.key for page in pages_for(survey)]  # its analysis is offered


def test_the_kano_template_offers_the_kano_page(personas):
    personas.client(Role.MANAGER).post(reverse("surveys:gallery"), {"template": "kano"})
    survey = Survey.objects.get(organization=personas.org)
    assert "kano" in [page.key for page in pages_for(survey)]


def test_the_gallery_is_for_editors(personas):
    assert personas.client(Role.ANALYST).get(reverse("surveys:gallery")).status_code == 403
    unknown = personas.client(Role.MANAGER).post(reverse("surveys:gallery"), {"template": "x"})
    assert unknown.status_code == 404
    assert not Survey.objects.exists()
