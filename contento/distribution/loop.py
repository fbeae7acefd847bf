"""Closing the loop: one unhappy response becomes a follow-up case for the desk.

A workspace's rules (`FollowUpRule`) are tried, in order, on every completed response of a
known customer, and again when its comment has been read and found angry. The first rule
that matches opens one case: a desk ticket of the follow-up channel, in the rule's team and
priority (given to the customer's account owner when the rule says so), showing the answers
and the comment, due within the rule's business hours by the team's calendar. A response
opens at most one case however often it is evaluated (the case is unique per response and the
ticket is made with an idempotency key derived from it).

Whoever works the case records its outcome: how the customer was contacted, whether it was
resolved, the root cause (from the workspace's list), any compensation and the customer's own
words. A case "closed the loop" when the customer was contacted and it was resolved.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contento.accounts.models import Membership
from contento.accounts.roles import Role
from contento.core import queues
from contento.core.idempotency import IdempotencyKey
from contento.distribution.models import FollowUpCase, FollowUpRule, Notice, RootCause
from contento.support.actions.tickets import do_assign_ticket, do_create_ticket
from contento.support.businesshours import add_business_minutes
from contento.support.models import DeskSettings, Team, Ticket
from contento.support.sla import team_calendar
from contento.surveys.models import Answer, Response
from contento.surveys.signals import angry_comments, response_completed

log = logging.getLogger(__name__)
SCORE_KINDS = ("nps", "csat", "ces")
SCALE_MAX = {"nps": 10, "csat": 5, "ces": 7}


# Rules ------------------------------------------------------------------------------------


def clean_condition(condition) -> dict:
    """The condition in its stored shape, or ValidationError saying what is wrong."""
    if not isinstance(condition, dict):
        raise ValidationError(_("Choose what makes a response unhappy."))
    kind = condition.get("kind")
    if kind == "score":
        question = condition.get("question")
        if question not in SCORE_KINDS:
            raise ValidationError(_("Choose NPS, CSAT or CES."))
        try:
            highest = int(condition.get("max"))
        except (TypeError, ValueError):
            raise ValidationError(_("Give the highest score that opens a case.")) from None
        if not 0 <= highest <= SCALE_MAX[question]:
            raise ValidationError(
                _("The score must be between 0 and %(max)s.") % {"max": SCALE_MAX[question]}
            )
        return {"kind": kind, "question": question, "max": highest}
    if kind == "angry":
        return {"kind": kind}
    if kind == "choice":
        question, choice = (str(condition.get(k) or "").strip() for k in ("question", "choice"))
        if not question or not choice:
            raise ValidationError(_("Give the question's key and the chosen answer's key."))
        return {"kind": kind, "question": question[:50], "choice": choice[:50]}
    if kind == "attribute":
        name, value = (str(condition.get(k) or "").strip() for k in ("name", "value"))
        if not name or not value:
            raise ValidationError(_("Give the attribute's name and value."))
        return {"kind": kind, "name": name[:50], "value": value[:200]}
    raise ValidationError(_("Choose what makes a response unhappy."))


def describe(condition: dict) -> str:
    kind = condition.get("kind")
    if kind == "score":
        return _("%(question)s of %(max)s or less") % {
            "question": condition["question"].upper(),
            "max": condition["max"],
        }
    if kind == "angry":
        return _("an angry comment")
    if kind == "choice":
        return _("answered %(choice)s to %(question)s") % condition
    if kind == "attribute":
        return _("a customer whose %(name)s is %(value)s") % condition
    return ""


def _reason(condition: dict, answers: list[Answer], customer) -> str:
    """Why the response meets the condition, in words, or "" when it does not."""
    kind = condition.get("kind")
    if kind == "score":
        for a in answers:
            if (
                a.question.kind == condition["question"]
                and a.item_id is None
                and a.value is not None
                and a.value <= condition["max"]
            ):
                return f"{condition['question'].upper()} {a.value}"
    elif kind == "angry" and any(a.angry for a in answers):
        return _("an angry comment")
    elif kind == "choice":
        for a in answers:
            if (
                a.question.key == condition["question"]
                and a.choice
                and (a.choice.key == condition["choice"])
            ):
                return describe(condition)
    elif kind == "attribute" and (
        str((customer.attributes or {}).get(condition["name"], "")) == condition["value"]
    ):
        return describe(condition)
    return ""


# Evaluating ----------------------------------------------------------------------------------


def evaluate(response: Response, at=None) -> FollowUpCase | None:
    """Open a case for this response if a rule matches (once); return it, or None."""
    if response.is_test or response.customer_id is None:
        return None
    if response.status != Response.Status.COMPLETE:
        return None
    rules = list(
        FollowUpRule.objects.filter(organization_id=response.survey.organization_id, is_active=True)
        .filter(Q(survey__isnull=True) | Q(survey_id=response.survey_id))
        .select_related("team")
    )
    if not rules:
        return None
    # The desk's own rating survey has its own follow-up (a rating of 2 or less); a rule for
    # every survey leaves it alone, one naming it does not.
    rating_survey = (
        DeskSettings.objects.filter(organization_id=response.survey.organization_id)
        .values_list("rating_survey_id", flat=True)
        .first()
    )
    customer = response.customer
    if customer.erased_at is not None:
        return None
    answers = list(Answer.objects.filter(response=response).select_related("question", "choice"))
    at = at or timezone.now()
    has_case = FollowUpCase.objects.filter(response=response).exists()
    case = None
    for rule in rules:
        if rule.survey_id is None and response.survey_id == rating_survey:
            continue
        reason = _reason(rule.condition, answers, customer)
        if not reason:
            continue
        if rule.action == FollowUpRule.Action.NOTIFY:
            _notify(rule, response, reason, at)
        elif not has_case and case is None:
            case = _open_case(rule, response, answers, reason, at)
    return case


def _owner(rule, customer) -> Membership | None:
    """The customer's account owner, when the rule goes to them and they work tickets."""
    if rule.route != FollowUpRule.Route.OWNER or customer.account_owner_id is None:
        return None
    owner = (
        Membership.objects.select_related("user")
        .filter(pk=customer.account_owner_id, user__is_active=True)
        .first()
    )
    return owner if owner is not None and owner.can("ticket.work") else None


def _recipients(rule, customer) -> list[Membership]:
    """The customer's account owner (for a rule that goes to them), else the rule's team,
    else the workspace's owners and managers."""
    owner = _owner(rule, customer)
    if owner is not None:
        return [owner]
    if rule.team is not None:
        members = list(rule.team.members.filter(user__is_active=True))
        if members:
            return members
    return list(
        Membership.objects.filter(
            organization_id=rule.organization_id,
            role__in=[Role.OWNER, Role.MANAGER],
            user__is_active=True,
        )
    )


def _notify(rule, response, reason, at) -> None:
    title = _("%(customer)s: %(reason)s · %(survey)s") % {
        "customer": response.customer.name,
        "reason": reason,
        "survey": response.survey.title,
    }
    digest = rule.notify == FollowUpRule.When.DIGEST
    for member in _recipients(rule, response.customer):
        try:
            with transaction.atomic():
                notice = Notice.objects.create(
                    organization_id=rule.organization_id,
                    membership=member,
                    rule=rule,
                    response=response,
                    title=title[:300],
                    digest=digest,
                    created_at=at,
                )
        except IntegrityError:
            continue  # this member already knows of this response
        if not digest:
            queues.enqueue_on_commit("contento.distribution.tasks.send_notice", str(notice.code))


def _summary(response: Response, answers: list[Answer]) -> str:
    lines = [
        _("%(customer)s answered the survey %(survey)s.")
        % {"customer": response.customer.name, "survey": response.survey.title}
    ]
    for a in answers:
        if a.item_id is not None:
            continue
        if a.question.kind in SCORE_KINDS and a.value is not None:
            lines.append(f"{a.question.kind.upper()}: {a.value}")
        elif a.choice_id:
            lines.append(f"{a.question.text}: {a.choice.label}")
        elif a.text:
            lines.append(f"{a.question.text}\n“{a.text}”")
    return "\n\n".join(lines)


def _open_case(rule, response, answers, reason, at) -> FollowUpCase | None:
    organization = response.survey.organization
    try:
        with transaction.atomic():
            case = FollowUpCase.objects.create(
                organization=organization,
                response=response,
                customer=response.customer,
                rule=rule,
                reason=reason[:200],
                created_at=at,
                due_at=add_business_minutes(team_calendar(rule.team), at, rule.due_hours * 60),
            )
            link = organization.public_link(reverse("campaigns:case", args=[case.code]))
            ticket = do_create_ticket(
                organization,
                customer=response.customer,
                subject=(
                    _("Follow-up: %(reason)s · %(survey)s")
                    % {"reason": reason, "survey": response.survey.title}
                )[:250],
                body=f"{_summary(response, answers)}\n\n{_('Follow-up case')}: {link}",
                channel=Ticket.Channel.FOLLOW_UP,
                team=rule.team,
                priority=rule.priority,
                language=response.language,
                idempotency_key=IdempotencyKey.for_system(f"response-follow-up:{response.code}"),
                at=at,
            )
            owner = _owner(rule, response.customer)
            if owner is not None:
                ticket = do_assign_ticket(ticket, owner, actor=None, at=at)
            case.ticket = ticket
            case.save(update_fields=["ticket"])
    except IntegrityError:
        # Evaluated twice at once (completion and the angry comment): the other one opened it.
        return FollowUpCase.objects.filter(response=response).first()
    log.info("follow-up case opened", extra={"case": str(case.code), "rule": str(rule.code)})
    return case


@receiver(response_completed)
def on_response_completed(sender, *, response, **kwargs):
    evaluate(response)


@receiver(angry_comments)
def on_angry_comments(sender, *, response_ids, **kwargs):
    for response in Response.objects.filter(pk__in=response_ids).select_related(
        "survey__organization", "customer"
    ):
        evaluate(response)


# Outcome ------------------------------------------------------------------------------------


def do_record_outcome(case: FollowUpCase, changes: dict, at=None) -> FollowUpCase:
    """Write what came of the case; the first contact and the resolution are timed."""
    at = at or timezone.now()
    contacted = changes.get("contacted", case.contacted)
    if contacted not in FollowUpCase.Contact.values:
        raise ValidationError({"contacted": _("Choose how the customer was contacted.")})
    if contacted and not case.contacted_at:
        case.contacted_at = at
    case.contacted = contacted
    case.resolved = bool(changes.get("resolved", case.resolved))
    if "root_cause" in changes:
        # A cause of the workspace's list, given as itself or by its name.
        cause = changes["root_cause"] or None
        if isinstance(cause, str):
            cause = (
                RootCause.objects.filter(
                    organization_id=case.organization_id, name=" ".join(cause.split())
                ).first()
                or _no_such_cause()
            )
        if cause is not None and cause.organization_id != case.organization_id:
            _no_such_cause()
        case.root_cause = cause
    for name, limit in (("compensation", 200), ("customer_words", 10_000)):
        if name in changes:
            setattr(case, name, str(changes[name] or "").strip()[:limit])
    if case.resolved and case.closed_at is None:
        case.closed_at = at
    elif not case.resolved:
        case.closed_at = None
    case.save()
    return case


def _no_such_cause():
    raise ValidationError({"root_cause": _("Choose one of your root causes.")})


def root_causes(organization):
    """The workspace's root causes with how many cases each explains, offered ones first."""
    return (
        RootCause.objects.filter(organization=organization)
        .annotate(n=Count("cases"))
        .order_by("-is_active", "name", "pk")
    )


def do_add_root_cause(organization, name: str) -> RootCause:
    """Add a root cause to the workspace's list (or offer again one that was withdrawn)."""
    name = " ".join((name or "").split())[:100]
    if not name:
        raise ValidationError({"name": _("Give the root cause a name.")})
    with transaction.atomic():
        cause, created = RootCause.objects.get_or_create(organization=organization, name=name)
        if not created and not cause.is_active:
            cause.is_active = True
            cause.save(update_fields=["is_active"])
    return cause


def do_set_root_cause_offered(cause: RootCause, offered: bool) -> RootCause:
    """Withdraw a root cause from the list (its cases keep it) or offer it again."""
    cause.is_active = offered
    cause.save(update_fields=["is_active"])
    return cause


def teams(organization):
    return Team.objects.filter(organization=organization).order_by("name")
