"""The survey builder: create surveys, edit questions and translations, import and export.

Every edit loads the survey's definition document, changes it and saves it back through
`do_update_survey`, so the builder, the JSON import and the API share one validation.
"""

import json

import segno
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from contento.accounts import audit
from contento.accounts.access import member_required
from contento.customers.models import Customer
from contento.surveys import definition, gallery
from contento.surveys.access import access_survey
from contento.surveys.actions import (
    do_copy_survey,
    do_create_survey,
    do_delete_survey,
    do_delete_test_responses,
    do_invite_customers,
    do_set_survey_status,
    do_update_survey,
)
from contento.surveys.definition import InvalidDefinition
from contento.surveys.forms import (
    QuestionForm,
    SurveyForm,
    TranslationForm,
    describe_condition,
    options_text,
)
from contento.surveys.links import personal_url
from contento.surveys.models import Response, Survey

LANGUAGE_NAMES = dict(SurveyForm.base_fields["default_language"].choices)


@member_required("survey.view")
def survey_list(request, membership):
    archived = request.GET.get("archived") == "1"
    surveys = Survey.objects.filter(organization=membership.organization)
    surveys = (
        surveys.filter(status=Survey.Status.ARCHIVED)
        if archived
        else surveys.exclude(status=Survey.Status.ARCHIVED)
    )
    surveys = surveys.annotate(
        complete=Count(
            "responses",
            filter=Q(responses__status=Response.Status.COMPLETE, responses__is_test=False),
        )
    )
    return render(request, "surveys/list.html", {"surveys": surveys, "archived": archived})


@member_required("survey.edit")
def survey_new(request, membership):
    form = SurveyForm(
        request.POST or None, initial={"default_language": membership.organization.default_language}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        survey = do_create_survey(
            membership.organization,
            {
                "title": data["title"],
                "description": data["description"],
                "thank_you": data["thank_you"],
                "default_language": data["default_language"],
                "languages": [data["default_language"], *data["languages"]],
            },
            user=request.user,
        )
        if data["thank_by_email"]:
            survey.thank_by_email = True
            survey.save(update_fields=["thank_by_email"])
        messages.success(request, _("Survey created. Add its questions."))
        return redirect("surveys:build", survey.code)
    return render(request, "surveys/new.html", {"form": form})


@member_required("survey.edit")
def survey_import(request, membership):
    errors, raw = [], ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        raw = (
            upload.read(definition.MAX_BYTES + 1).decode("utf-8", "replace")
            if upload
            else request.POST.get("definition", "")
        )
        try:
            document = definition.parse(raw)
            survey = do_create_survey(membership.organization, document, user=request.user)
        except json.JSONDecodeError as error:
            errors = [_("This is not valid JSON: %(error)s") % {"error": error}]
        except InvalidDefinition as error:
            errors = [str(e) for e in error.errors]
        else:
            messages.success(request, _("Survey imported."))
            return redirect("surveys:build", survey.code)
    return render(request, "surveys/import.html", {"errors": errors, "raw": raw})


def _save(request, survey, doc) -> bool:
    try:
        do_update_survey(survey, doc)
    except InvalidDefinition as error:
        for problem in error.errors:
            messages.error(request, str(problem))
        return False
    return True


@member_required("survey.edit")
def survey_build(request, membership, code):
    survey = access_survey(membership, code, "survey.edit")
    doc = definition.export(survey)
    lang = survey.default_language
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            new_default = data["default_language"]
            doc["languages"] = list(dict.fromkeys([new_default, *data["languages"]]))
            for name in ("title", "description", "thank_you"):
                texts = doc.get(name, {})
                texts[lang] = data[name]
                if new_default != lang and new_default not in texts:
                    texts[new_default] = data[name]
                doc[name] = {k: v for k, v in texts.items() if k in doc["languages"] and v}
            doc["default_language"] = new_default
            if _save(request, survey, doc):
                Survey.objects.filter(pk=survey.pk).update(thank_by_email=data["thank_by_email"])
                messages.success(request, _("Survey saved."))
            return redirect("surveys:build", survey.code)
    form = SurveyForm(
        initial={
            "title": survey.title,
            "description": survey.description,
            "thank_you": survey.thank_you,
            "thank_by_email": survey.thank_by_email,
            "default_language": lang,
            "languages": survey.languages,
        }
    )
    return render(
        request,
        "surveys/build.html",
        {
            "survey": survey,
            "form": form,
            "questions": [
                {**q, "condition": describe_condition(q.get("show_if"))} for q in doc["questions"]
            ],
            "question_form": QuestionForm(
                initial={"page": doc["questions"][-1]["page"] if doc["questions"] else 1},
                earlier=[(q["key"], q["text"].get(lang, "")) for q in doc["questions"]],
                taken=[q["key"] for q in doc["questions"]],
                language=lang,
            ),
            "languages": [(c, LANGUAGE_NAMES.get(c, c)) for c in survey.all_languages[1:]],
            "all_languages": [(c, LANGUAGE_NAMES.get(c, c)) for c in survey.all_languages],
            "public_url": request.build_absolute_uri(survey.get_public_url()),
            "test_count": Response.all_objects.filter(survey=survey, is_test=True).count(),
        },
    )


@require_POST
@member_required("survey.edit")
def copy_survey(request, membership, code):
    """A new draft with the same questions, with or without the translations."""
    survey = access_survey(membership, code, "survey.edit")
    with transaction.atomic():
        copy = do_copy_survey(
            survey, translations=request.POST.get("translations") == "1", user=request.user
        )
    messages.success(request, _("This is a copy; the original is unchanged."))
    return redirect("surveys:build", copy.code)


@require_POST
@member_required("survey.edit")
def delete_tests(request, membership, code):
    survey = access_survey(membership, code, "survey.edit")
    count = do_delete_test_responses(survey)
    messages.success(
        request,
        ngettext("%(count)d test response deleted.", "%(count)d test responses deleted.", count)
        % {"count": count},
    )
    return redirect("surveys:build", survey.code)


@member_required("survey.delete")
def delete_survey(request, membership, code):
    """Delete the survey with all its responses, after its title is typed."""
    survey = access_survey(membership, code, "survey.delete")
    error = None
    if request.method == "POST":
        try:
            with transaction.atomic():
                audit.record(
                    membership,
                    "survey.deleted",
                    survey,
                    responses=Response.objects.filter(survey=survey).count(),
                )
                do_delete_survey(survey, confirm=request.POST.get("confirm", ""))
        except ValueError as problem:
            error = str(problem)
        else:
            messages.success(request, _("The survey and its responses are deleted."))
            return redirect("surveys:list")
    return render(
        request,
        "surveys/delete.html",
        {
            "survey": survey,
            "error": error,
            "responses": Response.objects.filter(survey=survey).count(),
        },
    )


def _question_form_initial(qdef: dict, lang: str) -> dict:
    def text(name):
        return (qdef.get(name) or {}).get(lang, "")

    return {
        "kind": qdef["type"],
        "key": qdef["key"],
        "text": text("text"),
        "help": text("help"),
        "required": qdef["required"],
        "page": qdef["page"],
        "min": qdef.get("min"),
        "max": qdef.get("max"),
        "min_label": text("min_label"),
        "max_label": text("max_label"),
        "options": options_text(qdef),
        "randomize": qdef.get("randomize", False),
        "shuffle": qdef.get("shuffle", False),
        **QuestionForm.initial_conditions(qdef.get("show_if")),
    }


@member_required("survey.edit")
def question_edit(request, membership, code, key=None):
    survey = access_survey(membership, code, "survey.edit")
    doc = definition.export(survey)
    index = next((i for i, q in enumerate(doc["questions"]) if q["key"] == key), None)
    if key is not None and index is None:
        raise Http404
    previous = doc["questions"][index] if index is not None else None
    lang = survey.default_language
    before = doc["questions"][:index] if index is not None else doc["questions"]
    form = QuestionForm(
        request.POST or None,
        initial=_question_form_initial(previous, lang) if previous else None,
        earlier=[(q["key"], q["text"].get(lang, "")) for q in before],
        taken=[q["key"] for q in doc["questions"]],
        language=lang,
    )
    if request.method == "POST" and form.is_valid():
        qdef = form.to_definition(survey.default_language, previous)
        if index is None:
            doc["questions"].append(qdef)
        else:
            doc["questions"][index] = qdef
        if _save(request, survey, doc):
            messages.success(request, _("Question saved."))
            return redirect("surveys:build", survey.code)
    return render(request, "surveys/question.html", {"survey": survey, "form": form, "key": key})


@require_POST
@member_required("survey.edit")
def question_action(request, membership, code, key):
    survey = access_survey(membership, code, "survey.edit")
    doc = definition.export(survey)
    keys = [q["key"] for q in doc["questions"]]
    if key not in keys:
        raise Http404
    index, action = keys.index(key), request.POST.get("action")
    questions = doc["questions"]
    if action == "delete":
        questions.pop(index)
    elif action in ("up", "down"):
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(questions):
            questions[index], questions[other] = questions[other], questions[index]
            # Moving across a page boundary takes the neighbour's page, so pages stay in order.
            questions[other]["page"], questions[index]["page"] = (
                (questions[index]["page"], questions[other]["page"])
                if questions[index]["page"] != questions[other]["page"]
                else (questions[other]["page"], questions[index]["page"])
            )
    if _save(request, survey, doc):
        messages.success(request, _("Survey saved."))
    return redirect("surveys:build", survey.code)


def _strings(doc: dict, lang: str) -> list[dict]:
    default = doc["default_language"]
    strings = []

    def add(name, texts):
        texts = texts or {}
        if texts.get(default):
            strings.append({"name": name, "source": texts[default], "current": texts.get(lang, "")})

    for field in ("title", "description", "thank_you"):
        add(field, doc.get(field))
    for qi, q in enumerate(doc["questions"]):
        for field in ("text", "help", "min_label", "max_label"):
            add(f"q{qi}.{field}", q.get(field))
        for ci, c in enumerate(q.get("choices", []) + q.get("items", [])):
            add(f"q{qi}.c{ci}.label", c["label"])
    return strings


def _apply_strings(doc: dict, lang: str, values: dict) -> None:
    def put(texts, value):
        if value.strip():
            texts[lang] = value.strip()
        else:
            texts.pop(lang, None)

    for name, value in values.items():
        parts = name.split(".")
        if len(parts) == 1:
            put(doc.setdefault(parts[0], {}), value)
            continue
        q = doc["questions"][int(parts[0][1:])]
        if len(parts) == 2:
            put(q.setdefault(parts[1], {}), value)
        else:
            group = q.get("choices", []) + q.get("items", [])
            put(group[int(parts[1][1:])]["label"], value)


@member_required("survey.edit")
def translate(request, membership, code, lang):
    survey = access_survey(membership, code, "survey.edit")
    if lang not in survey.all_languages[1:]:
        raise Http404
    doc = definition.export(survey)
    strings = _strings(doc, lang)
    form = TranslationForm(request.POST or None, strings=strings)
    if request.method == "POST" and form.is_valid():
        _apply_strings(doc, lang, form.cleaned_data)
        if _save(request, survey, doc):
            messages.success(request, _("Translation saved."))
            return redirect("surveys:build", survey.code)
    missing = sum(1 for s in strings if not s["current"])
    return render(
        request,
        "surveys/translate.html",
        {
            "survey": survey,
            "form": form,
            "lang": lang,
            "lang_name": LANGUAGE_NAMES.get(lang, lang),
            "missing": missing,
        },
    )


@member_required("survey.view")
def definition_json(request, membership, code):
    survey = access_survey(membership, code, "survey.view")
    response = JsonResponse(
        definition.export(survey), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.code}.json"'
    return response


@member_required("survey.edit")
def definition_edit(request, membership, code):
    survey = access_survey(membership, code, "survey.edit")
    errors = []
    raw = json.dumps(definition.export(survey), ensure_ascii=False, indent=2)
    if request.method == "POST":
        raw = request.POST.get("definition", "")
        try:
            do_update_survey(survey, definition.parse(raw))
        except json.JSONDecodeError as error:
            errors = [_("This is not valid JSON: %(error)s") % {"error": error}]
        except InvalidDefinition as error:
            errors = [str(e) for e in error.errors]
        else:
            messages.success(request, _("Survey saved."))
            return redirect("surveys:build", survey.code)
    return render(
        request, "surveys/definition.html", {"survey": survey, "raw": raw, "errors": errors}
    )


@require_POST
@member_required("survey.edit")
def set_status(request, membership, code):
    survey = access_survey(membership, code, "survey.edit")
    before = survey.status
    try:
        do_set_survey_status(survey, request.POST.get("status", ""))
    except ValueError as error:
        messages.error(request, str(error))
    else:
        audit.record(membership, "survey.status", survey, before=before, after=survey.status)
        messages.success(
            request, _("Survey status: %(status)s.") % {"status": survey.get_status_display()}
        )
    return redirect("surveys:build", survey.code)


@member_required("survey.edit")
def invite(request, membership, code):
    survey = access_survey(membership, code, "survey.edit")
    customers = Customer.objects.filter(organization=membership.organization)
    if request.method == "POST":
        language = request.POST.get("language", "")
        chosen = customers.exclude(email="")
        if language:
            chosen = chosen.filter(language=language)
        try:
            created = do_invite_customers(survey, chosen)
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("%(count)s invitations are being sent.") % {"count": len(created)}
            )
        return redirect("surveys:invite", survey.code)
    sample = [(c, personal_url(survey, c)) for c in customers[:20]]
    return render(
        request,
        "surveys/invite.html",
        {
            "survey": survey,
            "sample": sample,
            "invited": survey.invitations.count(),
            "sent": survey.invitations.filter(status="sent").count(),
            "languages": [(c, LANGUAGE_NAMES.get(c, c)) for c in survey.all_languages],
        },
    )


@member_required("survey.edit")
def template_gallery(request, membership):
    """Ready-made surveys in six languages; choosing one makes a draft to adapt."""
    if request.method == "POST":
        template = gallery.BY_KEY.get(request.POST.get("template", ""))
        if template is None:
            raise Http404("No such template.")
        language = membership.organization.default_language
        survey = do_create_survey(
            membership.organization, template.definition(language), user=request.user
        )
        messages.success(
            request,
            _("Your survey is ready to adapt. Its analysis: %(analysis)s")
            % {"analysis": template.analysis},
        )
        return redirect("surveys:build", survey.code)
    return render(request, "surveys/gallery.html", {"templates": gallery.TEMPLATES})


@member_required("survey.view")
def survey_qr(request, membership, code, kind):
    """The QR code of the survey's open link, to print for a counter or a receipt."""
    survey = access_survey(membership, code, "survey.view")
    if kind not in {"svg", "png"}:
        raise Http404("No such format.")
    qr = segno.make(survey.organization.public_link(survey.get_public_url()), error="m")
    response = HttpResponse(content_type="image/svg+xml" if kind == "svg" else "image/png")
    qr.save(response, kind=kind, scale=10, border=4)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.code}-qr.{kind}"'
    return response
