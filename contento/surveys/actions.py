"""State changes of surveys and responses.

Views, API endpoints, tasks, commands and tests change surveys only through these functions.
"""

import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contento.core import idempotency, queues
from contento.core.idempotency import IdempotencyKey
from contento.surveys import definition as definition_format
from contento.surveys import rollups
from contento.surveys.analysis import schedule_analysis
from contento.surveys.definition import DefinitionError, InvalidDefinition
from contento.surveys.localize import LocalSurvey, localize
from contento.surveys.models import (
    Answer,
    AnswerTheme,
    Choice,
    ChoiceTranslation,
    Invitation,
    Question,
    QuestionTranslation,
    Response,
    Survey,
    SurveyTranslation,
)
from contento.surveys.questions import AnswerError, get_type
from contento.surveys.signals import response_completed

# Surveys ---------------------------------------------------------------------------------------


@transaction.atomic
def do_create_survey(organization, document: dict, user=None) -> Survey:
    """Create a draft survey from a definition document (raise InvalidDefinition if it is bad)."""
    doc = definition_format.validate(document)
    survey = Survey(organization=organization, created_by=user)
    _write_survey(survey, doc)
    return survey


@transaction.atomic
def do_update_survey(survey: Survey, document: dict) -> Survey:
    """Replace a survey's definition, keeping questions and choices matched by key.

    Questions and choices that already have answers cannot be removed or change type: that
    would lose or reinterpret what customers said.
    """
    doc = definition_format.validate(document)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    _check_keeps_answers(survey, doc)
    _write_survey(survey, doc)
    return survey


def _check_keeps_answers(survey: Survey, doc: dict) -> None:
    new = {q["key"]: q for q in doc["questions"]}
    answered_questions = set(
        Answer.objects.filter(survey=survey).values_list("question__key", flat=True).distinct()
    )
    errors = []
    for question in survey.questions.prefetch_related("choices"):
        if question.key not in answered_questions:
            continue
        if question.key not in new:
            errors.append(
                DefinitionError(f"questions ({question.key})", "has answers and cannot be removed")
            )
            continue
        if new[question.key]["type"] != question.kind:
            errors.append(
                DefinitionError(
                    f"questions ({question.key}).type", "has answers and cannot change type"
                )
            )
            continue
        kept = {
            c["key"]
            for c in new[question.key].get("choices", []) + new[question.key].get("items", [])
        }
        used = set(
            Answer.objects.filter(question=question)
            .exclude(choice=None, item=None)
            .values_list("choice__key", "item__key")
            .distinct()
        )
        used_keys = {k for pair in used for k in pair if k}
        for key in sorted(used_keys - kept):
            errors.append(
                DefinitionError(
                    f"questions ({question.key}).choices ({key})",
                    "has answers and cannot be removed",
                )
            )
    if errors:
        raise InvalidDefinition(errors)


def _write_survey(survey: Survey, doc: dict) -> None:
    default = doc["default_language"]
    survey.default_language = default
    survey.languages = doc["languages"]
    survey.title = doc["title"][default]
    survey.description = doc["description"].get(default, "")
    survey.thank_you = doc["thank_you"].get(default, "")
    survey.save()
    survey.translations.all().delete()
    SurveyTranslation.objects.bulk_create(
        SurveyTranslation(
            survey=survey,
            language=lang,
            title=doc["title"].get(lang, ""),
            description=doc["description"].get(lang, ""),
            thank_you=doc["thank_you"].get(lang, ""),
        )
        for lang in doc["languages"][1:]
    )
    existing = {q.key: q for q in survey.questions.all()}
    for position, qdoc in enumerate(doc["questions"]):
        question = existing.pop(qdoc["key"], None) or Question(survey=survey, key=qdoc["key"])
        question.kind = qdoc["type"]
        question.page = qdoc["page"]
        question.position = position
        question.required = qdoc["required"]
        question.text = qdoc["text"][default]
        question.help_text = qdoc["help"].get(default, "")
        qsettings = get_type(qdoc["type"]).settings_from_definition(qdoc)
        for label in ("min_label", "max_label"):
            if qdoc.get(label, {}).get(default):
                qsettings[label] = qdoc[label][default]
        for flag in ("randomize", "shuffle"):
            if qdoc.get(flag):
                qsettings[flag] = True
        question.settings = qsettings
        question.logic = qdoc.get("show_if")
        question.save()
        question.translations.all().delete()
        QuestionTranslation.objects.bulk_create(
            QuestionTranslation(
                question=question,
                language=lang,
                text=qdoc["text"].get(lang, ""),
                help_text=qdoc["help"].get(lang, ""),
                labels={
                    label: qdoc[label][lang]
                    for label in ("min_label", "max_label")
                    if qdoc.get(label, {}).get(lang)
                },
            )
            for lang in doc["languages"][1:]
        )
        _write_choices(question, qdoc.get("choices", []) + qdoc.get("items", []), doc)
    for question in existing.values():  # removed from the definition; checked to be unanswered
        question.delete()


def _write_choices(question: Question, cdocs: list[dict], doc: dict) -> None:
    default = doc["default_language"]
    existing = {c.key: c for c in question.choices.all()}
    for position, cdoc in enumerate(cdocs):
        choice = existing.pop(cdoc["key"], None) or Choice(question=question, key=cdoc["key"])
        choice.label = cdoc["label"][default]
        choice.position = position
        choice.save()
        choice.translations.all().delete()
        ChoiceTranslation.objects.bulk_create(
            ChoiceTranslation(choice=choice, language=lang, label=label)
            for lang, label in cdoc["label"].items()
            if lang != default
        )
    for choice in existing.values():
        choice.delete()


def do_set_survey_status(survey: Survey, status: str) -> Survey:
    """Publish (live), close, archive or return a survey to draft.

    An archived survey answers no one and leaves the list of surveys; its responses and
    figures stay, and it can be taken out of the archive as a closed survey.
    """
    if status not in Survey.Status.values:
        raise ValueError(f"Unknown status {status!r}.")
    if status == Survey.Status.LIVE and not survey.questions.exists():
        raise ValueError(_("Add at least one question before publishing the survey."))
    Survey.objects.filter(pk=survey.pk).update(status=status, updated_at=timezone.now())
    survey.status = status
    return survey


def _only_language(node, language: str, codes: frozenset):
    """The definition document `node` with every text in `language` only."""
    if isinstance(node, dict):
        if node and set(node) <= codes:
            return {language: node[language]} if language in node else {}
        return {key: _only_language(value, language, codes) for key, value in node.items()}
    if isinstance(node, list):
        return [_only_language(item, language, codes) for item in node]
    return node


@transaction.atomic
def do_copy_survey(survey: Survey, *, translations: bool = True, user=None) -> Survey:
    """Return a new draft with the survey's questions (and translations, if wanted), titled
    as a copy; responses are not copied."""
    document = definition_format.export(survey)
    if not translations:
        codes = frozenset(code for code, _name in settings.LANGUAGES)
        document = _only_language(document, survey.default_language, codes)
        document["languages"] = [survey.default_language]
    titles = document.get("title") or {}
    for language, title in titles.items():
        with translation.override(language):
            titles[language] = (_("Copy of %(title)s") % {"title": title})[:200]
    return do_create_survey(survey.organization, document, user=user)


@transaction.atomic
def do_delete_survey(survey: Survey, *, confirm: str) -> None:
    """Delete a survey with its responses, answers and counts, when `confirm` is its title.

    The counts are the survey's own rows, so nothing else needs recounting; the customers
    stay. Raises ValueError otherwise.
    """
    if confirm.strip() != survey.title.strip():
        raise ValueError(_("Type the survey's title exactly to delete it."))
    Survey.objects.filter(pk=survey.pk).delete()


@transaction.atomic
def do_delete_response(response: Response) -> None:
    """Delete one response and take its answers out of every count."""
    response = Response.all_objects.select_for_update().get(pk=response.pk)
    _replace_answers(response, list(response.survey.questions.values_list("id", flat=True)), [])
    response.delete()


def do_delete_test_responses(survey: Survey) -> int:
    """Delete the answers given from the survey's preview; return how many responses."""
    deleted, by_model = Response.all_objects.filter(survey=survey, is_test=True).delete()
    return by_model.get(Response._meta.label, 0)


# Responses -------------------------------------------------------------------------------------


class ResponseRejected(ValueError):
    """Answers that do not satisfy the survey; `errors` maps question keys to messages."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


class IdempotencyConflict(ValueError):
    """An Idempotency-Key reused with a different request body."""


def stored_values(response: Response, local: LocalSurvey) -> dict:
    """Return the canonical value of every answered question of a response, by key."""
    rows = defaultdict(list)
    for answer in Answer.all_objects.filter(response=response):
        rows[answer.question_id].append(answer)
    choices_by_id = {c.id: c for lq in local.questions for c in lq.question.choices.all()}
    values = {}
    for lq in local.questions:
        if lq.question.id in rows:
            values[lq.key] = lq.kind.from_rows(lq.question, rows[lq.question.id], choices_by_id)
    return values


def _parse(local: LocalSurvey, questions, get_raw) -> tuple[dict, dict]:
    values, errors = {}, {}
    for lq in questions:
        try:
            values[lq.key] = get_raw(lq)
        except AnswerError as error:
            errors[lq.key] = str(error)
    return values, errors


def _check_required(local: LocalSurvey, questions, values: dict, errors: dict) -> None:
    for lq in questions:
        if lq.key in errors or not local.visible(lq, values):
            continue
        if lq.question.required and lq.kind.is_empty(values.get(lq.key)):
            errors[lq.key] = _("This question needs an answer.")


def _write_answers(
    response: Response, local: LocalSurvey, values: dict, questions, now=None
) -> None:
    """Replace the stored answers of `questions` with `values` (hidden ones are dropped)."""
    question_ids = [lq.question.id for lq in questions]
    rows = _answer_rows(response, local, values, questions, now or timezone.now())
    _replace_answers(response, question_ids, rows)
    # Open-text answers are read by contento.text in the background, once committed.
    schedule_analysis([row.pk for row in rows if row.text])


def _answer_rows(response: Response, local: LocalSurvey, values: dict, questions, now) -> list:
    """The answer rows for the shown, answered `questions` (unsaved)."""
    rows = []
    for lq in questions:
        value = values.get(lq.key)
        if lq.kind.is_empty(value) or not local.visible(lq, values):
            continue
        choices = {c.key: c for c in lq.question.choices.all()}
        for fields in lq.kind.rows(lq.question, value, choices):
            rows.append(
                Answer(
                    response=response,
                    survey_id=response.survey_id,
                    question=lq.question,
                    language=response.language,
                    answered_at=now,
                    is_test=response.is_test,
                    **fields,
                )
            )
    return rows


def _replace_answers(response: Response, question_ids: list[int], rows: list[Answer]) -> None:
    """Swap a response's answers to these questions for `rows`, and update the score counts."""
    replaced = set(question_ids)
    before = rollups.scored_rows_of(Answer.all_objects.filter(response=response))
    removed = [row for row in before if row[0] in replaced]
    added = rollups.scored_rows(rows)
    Answer.all_objects.filter(response=response, question_id__in=question_ids).delete()
    Answer.objects.bulk_create(rows)
    if response.is_test:
        return  # a preview's answers count nowhere
    rollups.record(response.survey_id, removed, added)
    after = [row for row in before if row[0] not in replaced] + added
    rollups.record_pairs(response, before, after)


def do_start_response(
    survey: Survey,
    *,
    code,
    language: str,
    source: str,
    customer=None,
    link_key: str | None = None,
    is_test: bool = False,
    at=None,
) -> Response:
    """Return the response with this code (or link), creating it on first use.

    The code comes from the form the respondent was given, so a double or retried submit
    finds the same response instead of creating a second one.
    """
    lookup = {"link_key": link_key} if link_key else {"code": code}
    responses = Response.all_objects.filter(survey=survey, is_test=is_test)
    existing = responses.filter(**lookup).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Response.objects.create(
                survey=survey,
                code=code,
                language=language,
                source=source,
                customer=customer,
                link_key=link_key,
                is_test=is_test,
                started_at=at or timezone.now(),
            )
    except IntegrityError:
        # A concurrent request created it first.
        return responses.get(**lookup)


@dataclass(frozen=True)
class NewResponse:
    """A response that a public form is about to start: created only once a page validates."""

    code: uuid.UUID
    source: str
    customer: object = None
    link_key: str | None = None
    is_test: bool = False


@dataclass(frozen=True)
class SavedPage:
    """What saving a page did: the errors by question key, and the response (None if none)."""

    errors: dict
    response: Response | None


def do_save_page(
    local: LocalSurvey, response: "Response | NewResponse", page: int, data, at=None
) -> SavedPage:
    """Validate and save one page of answers posted from the public form.

    `response` may be a `NewResponse`: it is created with the first page that validates, so
    a refused post leaves nothing behind. An invalid page saves nothing and returns its
    errors. When no shown page follows, the response becomes complete, but only once every
    shown required question of every page has an answer: otherwise this page is kept and the
    errors name what is missing, so a respondent who skipped ahead is sent back to it.
    """
    if isinstance(response, NewResponse):
        saved = _save_first_page(local, response, page, data, at)
        if saved is not None:
            return saved
    with transaction.atomic():
        if isinstance(response, NewResponse):
            existing = _find_started(local.survey, response)
            values = stored_values(existing, local) if existing else {}
        else:
            existing = response = Response.all_objects.select_for_update().get(pk=response.pk)
            if response.status == Response.Status.COMPLETE:
                return SavedPage({}, response)
            values = stored_values(response, local)
        questions = local.on_page(page)
        parsed, errors = _parse(local, questions, lambda lq: lq.kind.parse_form(lq, data))
        values.update(parsed)
        _check_required(local, questions, values, errors)
        if errors:
            return SavedPage(errors, existing)
        if existing is None:
            existing = do_start_response(
                local.survey,
                code=response.code,
                language=local.language,
                source=response.source,
                customer=response.customer,
                link_key=response.link_key,
                is_test=response.is_test,
                at=at,
            )
            existing = Response.all_objects.select_for_update().get(pk=existing.pk)
            if existing.status == Response.Status.COMPLETE:
                return SavedPage({}, existing)
        response = existing
        response.language = local.language
        _write_answers(response, local, values, questions, now=at)
        later = [p for p in local.visible_pages(values) if p > page]
        missing = {} if later else _missing_required(local, values)
        if later or missing:
            by_key = local.by_key()
            response.page = later[0] if later else min(by_key[k].question.page for k in missing)
            response.save(update_fields=["page", "language", "updated_at"])
        else:
            _complete(response, local, values, at=at)
    return SavedPage(missing, response)


def _save_first_page(
    local: LocalSurvey, new: NewResponse, page: int, data, at=None
) -> SavedPage | None:
    """Start a response with the page it was first posted with, in a few set-based statements.

    This is every new respondent's first post: the response (complete already, for a one-page
    survey) in one INSERT, its answers in another, then the score counts. Return None where
    the careful path in `do_save_page` must decide: the page does not validate on its own (that
    path also looks for a response started before), it leaves a required question of another
    page unanswered, or the response exists already (a retried or repeated post: its code is
    unique, so the insert fails and nothing of this attempt is kept).
    """
    questions = local.on_page(page)
    values, errors = _parse(local, questions, lambda lq: lq.kind.parse_form(lq, data))
    _check_required(local, questions, values, errors)
    if errors:
        return None
    later = [p for p in local.visible_pages(values) if p > page]
    if not later and _missing_required(local, values):
        return None
    now = at or timezone.now()
    response = Response(
        survey=local.survey,
        code=new.code,
        language=local.language,
        source=new.source,
        customer=new.customer,
        link_key=new.link_key,
        is_test=new.is_test,
        started_at=now,
    )
    if later:
        response.page = later[0]
    else:
        response.status, response.completed_at = Response.Status.COMPLETE, now
    try:
        with transaction.atomic():
            response.save(force_insert=True)
            rows = _answer_rows(response, local, values, questions, now)
            Answer.objects.bulk_create(rows)
            if not response.is_test:
                added = rollups.scored_rows(rows)
                rollups.record(response.survey_id, [], added)
                rollups.record_pairs(response, [], added)
            schedule_analysis([row.pk for row in rows if row.text])
            if not later:
                _announce_completion(response)
    except IntegrityError:
        return None
    return SavedPage({}, response)


def do_go_back(local: LocalSurvey, response: Response, page: int) -> Response:
    """Send a respondent from `page` back to the shown page before it (a back button)."""
    with transaction.atomic():
        response = Response.all_objects.select_for_update().get(pk=response.pk)
        if response.status == Response.Status.COMPLETE:
            return response
        values = stored_values(response, local)
        earlier = [p for p in local.visible_pages(values) if p < page]
        if earlier:
            response.page = earlier[-1]
            response.save(update_fields=["page", "updated_at"])
    return response


def _find_started(survey: Survey, new: NewResponse) -> Response | None:
    lookup = {"link_key": new.link_key} if new.link_key else {"code": new.code}
    found = Response.all_objects.filter(survey=survey, is_test=new.is_test, **lookup).first()
    return Response.all_objects.select_for_update().get(pk=found.pk) if found else None


def _missing_required(local: LocalSurvey, values: dict) -> dict:
    """Return the shown required questions of every page still without an answer, in order."""
    errors: dict = {}
    _check_required(local, local.questions, values, errors)
    return errors


def _complete(response: Response, local: LocalSurvey, values: dict, at=None) -> None:
    # Answers on questions that a changed earlier answer has since hidden no longer apply.
    hidden = [lq.question.id for lq in local.questions if not local.visible(lq, values)]
    _replace_answers(response, hidden, [])
    response.status = Response.Status.COMPLETE
    response.completed_at = at or timezone.now()
    response.save(update_fields=["status", "completed_at", "page", "language", "updated_at"])
    _announce_completion(response)


def _announce_completion(response: Response) -> None:
    """Tell the apps above that a response is complete, and thank the customer if asked to."""
    if not response.is_test:
        response_completed.send(sender=Response, response=response)
        if response.customer_id and response.survey.thank_by_email:
            queues.enqueue_on_commit("contento.surveys.tasks.send_thanks", str(response.code))


def _request_hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def do_submit_response(
    survey: Survey,
    *,
    answers: dict,
    language: str | None = None,
    customer=None,
    idempotency_key: IdempotencyKey | None = None,
    source: str = Response.Source.API,
    mode: str = Response.Mode.SELF,
    interviewer=None,
    at=None,
) -> tuple[Response, bool]:
    """Record a complete response in one go (API, phone call); return it and whether it is new.

    `at` backdates a response recorded elsewhere earlier (an import, the demo data). With an
    idempotency key, a retry of the same request returns the first response; the same
    key with a different body raises IdempotencyConflict.
    """
    language = language or survey.default_language
    if language not in survey.all_languages:
        raise ResponseRejected({"language": f"The survey is not offered in {language!r}."})
    if not isinstance(answers, dict):
        raise ResponseRejected({"answers": "must be an object of question key: value"})
    fingerprint = _request_hash(
        {"answers": answers, "language": language, "customer": customer and str(customer.code)}
    )
    key = idempotency.require(idempotency_key)
    if key:
        previous = Response.objects.filter(survey=survey, idempotency_key=key).first()
        if previous:
            return _replay(previous, fingerprint), False
    local = localize(survey, language)
    unknown = sorted(set(answers) - set(local.by_key()))
    if unknown:
        raise ResponseRejected({key: "is not a question of this survey" for key in unknown})
    values, errors = _parse(
        local, local.questions, lambda lq: lq.kind.parse_json(lq, answers.get(lq.key))
    )
    return _record_complete(
        local,
        values,
        errors,
        key=key,
        fingerprint=fingerprint,
        at=at,
        language=language,
        source=source,
        customer=customer,
        mode=mode,
        interviewer=interviewer,
    )


def do_record_interview(
    survey: Survey,
    *,
    data,
    customer,
    interviewer,
    mode: str,
    language: str | None = None,
    idempotency_key: IdempotencyKey | None = None,
    at=None,
) -> tuple[Response, bool]:
    """Record the answers a member wrote down while asking the customer (on the phone, in
    person): the survey's form, all pages at once; return the response and whether it is new.
    The response carries its mode and interviewer; a retried form returns the first one."""
    if mode not in (Response.Mode.PHONE, Response.Mode.IN_PERSON):
        raise ResponseRejected({"mode": _("Choose how the customer answered.")})
    if interviewer is None or customer is None:
        raise ResponseRejected({"customer": _("An interview has a customer and an interviewer.")})
    if customer.organization_id != survey.organization_id:
        raise ResponseRejected({"customer": _("The customer belongs to another workspace.")})
    language = language or customer.language
    if language not in survey.all_languages:
        language = survey.default_language
    local = localize(survey, language)
    fields = sorted((k, v) for k, v in data.lists() if k.startswith("q-"))
    fingerprint = _request_hash({"fields": fields, "customer": str(customer.code), "mode": mode})
    key = idempotency.require(idempotency_key)
    if key:
        previous = Response.objects.filter(survey=survey, idempotency_key=key).first()
        if previous:
            return _replay(previous, fingerprint), False
    values, errors = _parse(local, local.questions, lambda lq: lq.kind.parse_form(lq, data))
    return _record_complete(
        local,
        values,
        errors,
        key=key,
        fingerprint=fingerprint,
        at=at,
        language=language,
        source=Response.Source.INTERVIEW,
        customer=customer,
        mode=mode,
        interviewer=interviewer,
    )


def _record_complete(local, values, errors, *, key, fingerprint, at=None, **fields):
    """Save a response given whole (the API, an interview), or raise ResponseRejected."""
    _check_required(local, local.questions, values, errors)
    if errors:
        raise ResponseRejected(errors)
    survey = local.survey
    response = Response(
        survey=survey,
        idempotency_key=key,
        request_hash=fingerprint,
        page=local.pages[-1],
        started_at=at or timezone.now(),
        **fields,
    )
    try:
        with transaction.atomic():
            response.save()
            _write_answers(response, local, values, local.questions, now=at)
            _complete(response, local, values, at=at)
    except IntegrityError:
        if not response.idempotency_key:
            raise
        # The same key was being submitted concurrently and the other request won.
        previous = Response.objects.get(survey=survey, idempotency_key=response.idempotency_key)
        return _replay(previous, response.request_hash), False
    return response, True


def _replay(previous: Response, fingerprint: str) -> Response:
    if previous.request_hash != fingerprint:
        raise IdempotencyConflict(
            "This Idempotency-Key was already used with a different request body."
        )
    return previous


# Invitations -----------------------------------------------------------------------------------


def do_invite_customers(survey: Survey, customers) -> list[Invitation]:
    """Invite customers to a survey by email with their personal links; return new invitations.

    A customer already invited is not invited twice, and one without an email is skipped. The
    emails are sent by the background worker once the invitations are committed.
    """
    if survey.status != Survey.Status.LIVE:
        raise ValueError(_("Publish the survey before inviting customers."))
    already = set(Invitation.objects.filter(survey=survey).values_list("customer_id", flat=True))
    new = [
        Invitation(survey=survey, customer=c, language=c.language)
        for c in customers
        if c.email and c.id not in already and c.organization_id == survey.organization_id
    ]
    with transaction.atomic():
        created = Invitation.objects.bulk_create(new, ignore_conflicts=True)
        for invitation in created:
            queues.enqueue_on_commit("contento.surveys.tasks.send_invitation", str(invitation.code))
    return created


def do_blank_answer_texts(responses) -> int:
    """Blank what was written in these responses' answers (on a customer's erasure).

    Only the text goes: the scores stay, so the counts in `contento.surveys.rollups` need no
    change. Returns how many answers were blanked.
    """
    # The sentence that carried a tracked theme is a piece of the same text.
    AnswerTheme.objects.filter(answer__response__in=responses).exclude(sentence="").update(
        sentence=""
    )
    return Answer.objects.filter(response__in=responses).exclude(text="").update(text="")
