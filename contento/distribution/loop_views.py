"""The pages of closing the loop: the rules that open follow-up cases, the cases, and each
case with its response and outcome.

Owners and managers (survey.edit) write the rules; everyone on the desk (ticket.view) sees
the cases, and those who work tickets (ticket.work) record their outcome.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contento.accounts import audit
from contento.accounts.access import member_required
from contento.accounts.roles import role_can
from contento.distribution import loop
from contento.distribution.models import FollowUpCase, FollowUpRule, Notice, RootCause
from contento.support.models import Team, Ticket
from contento.surveys.models import Answer, Survey


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    survey = forms.ChoiceField(label=gettext_lazy("Survey"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Open a case for"),
        choices=[
            ("score", gettext_lazy("a low score")),
            ("angry", gettext_lazy("an angry comment")),
            ("choice", gettext_lazy("a chosen answer")),
            ("attribute", gettext_lazy("a customer attribute")),
        ],
    )
    question = forms.ChoiceField(
        label=gettext_lazy("Score"),
        required=False,
        choices=[("nps", "NPS (0–10)"), ("csat", "CSAT (1–5)"), ("ces", "CES (1–7)")],
    )
    max = forms.IntegerField(
        label=gettext_lazy("Highest score that opens a case"),
        required=False,
        min_value=0,
        max_value=10,
        help_text=gettext_lazy("For example 6: every detractor (0–6) of NPS."),
    )
    choice_question = forms.CharField(
        label=gettext_lazy("Question key"), required=False, max_length=50
    )
    choice = forms.CharField(label=gettext_lazy("Answer key"), required=False, max_length=50)
    attribute = forms.CharField(label=gettext_lazy("Attribute"), required=False, max_length=50)
    value = forms.CharField(label=gettext_lazy("Value"), required=False, max_length=200)
    action = forms.ChoiceField(
        label=gettext_lazy("Then"), choices=FollowUpRule.Action.choices, initial="case"
    )
    notify = forms.ChoiceField(
        label=gettext_lazy("Notify"),
        choices=FollowUpRule.When.choices,
        initial="now",
        required=False,
        help_text=gettext_lazy(
            "For a rule that only notifies: the team's members (else the workspace's owners and "
            "managers) find the answer in their inbox, and by email at once or in a daily digest."
        ),
    )
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    route = forms.ChoiceField(
        label=gettext_lazy("For"),
        choices=FollowUpRule.Route.choices,
        initial="team",
        required=False,
        help_text=gettext_lazy(
            "The account owner gets the case assigned (and the notice); a customer without "
            "one goes to the team."
        ),
    )
    priority = forms.ChoiceField(label=gettext_lazy("Priority"), choices=Ticket.Priority.choices)
    due_hours = forms.IntegerField(
        label=gettext_lazy("Due within (business hours)"), min_value=1, max_value=720, initial=24
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = [("", _("Every survey"))] + [
            (str(code), title)
            for code, title in Survey.objects.filter(organization=organization)
            .exclude(status=Survey.Status.ARCHIVED)
            .values_list("code", "title")
        ]
        self.fields["team"].choices = [("", _("No team"))] + [
            (str(code), name)
            for code, name in Team.objects.filter(organization=organization).values_list(
                "code", "name"
            )
        ]

    def condition(self) -> dict:
        data = self.cleaned_data
        return loop.clean_condition(
            {
                "kind": data["kind"],
                "question": data["question"]
                if data["kind"] == "score"
                else data["choice_question"],
                "max": data["max"],
                "choice": data["choice"],
                "name": data["attribute"],
                "value": data["value"],
            }
        )


def _initial(rule: FollowUpRule) -> dict:
    condition = rule.condition
    return {
        "name": rule.name,
        "survey": str(rule.survey.code) if rule.survey else "",
        "kind": condition.get("kind"),
        "question": condition.get("question") if condition.get("kind") == "score" else "nps",
        "max": condition.get("max"),
        "choice_question": condition.get("question") if condition.get("kind") == "choice" else "",
        "choice": condition.get("choice", ""),
        "attribute": condition.get("name", ""),
        "value": condition.get("value", ""),
        "team": str(rule.team.code) if rule.team else "",
        "route": rule.route,
        "action": rule.action,
        "notify": rule.notify or "now",
        "priority": rule.priority,
        "due_hours": rule.due_hours,
        "is_active": rule.is_active,
    }


@member_required("survey.edit")
def rule_list(request, membership):
    rules = FollowUpRule.objects.filter(organization=membership.organization).select_related(
        "survey", "team"
    )
    return render(
        request,
        "distribution/rules.html",
        {
            "rules": [(rule, loop.describe(rule.condition)) for rule in rules],
            "root_causes": loop.root_causes(membership.organization),
        },
    )


@require_POST
@member_required("survey.edit")
def root_cause_add(request, membership):
    try:
        with transaction.atomic():
            cause = loop.do_add_root_cause(membership.organization, request.POST.get("name", ""))
            audit.record(membership, "root_cause.added", cause)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{reverse('campaigns:rules')}#root-causes")


@require_POST
@member_required("survey.edit")
def root_cause_offer(request, membership, code):
    cause = get_object_or_404(RootCause, organization=membership.organization, code=code)
    offered = request.POST.get("offered") == "1"
    with transaction.atomic():
        loop.do_set_root_cause_offered(cause, offered)
        audit.record(membership, "root_cause.changed", cause, offered=offered)
    return redirect(f"{reverse('campaigns:rules')}#root-causes")


@member_required("survey.edit")
def rule_edit(request, membership, code=None):
    org = membership.organization
    rule = get_object_or_404(FollowUpRule, organization=org, code=code) if code else None
    initial = (
        _initial(rule)
        if rule
        else {
            "priority": "high",
            "due_hours": 24,
            "is_active": True,
            "max": 6,
            "action": "case",
            "notify": "now",
            "route": "team",
        }
    )
    form = RuleForm(request.POST or None, initial=initial, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            condition = form.condition()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            data = form.cleaned_data
            with transaction.atomic():
                rule = rule or FollowUpRule(organization=org)
                rule.name = data["name"]
                rule.survey = (
                    Survey.objects.get(organization=org, code=data["survey"])
                    if data["survey"]
                    else None
                )
                rule.team = (
                    Team.objects.get(organization=org, code=data["team"]) if data["team"] else None
                )
                rule.condition = condition
                rule.action = data["action"]
                rule.route = data["route"] or FollowUpRule.Route.TEAM
                rule.notify = data["notify"] or FollowUpRule.When.NOW
                rule.priority = data["priority"]
                rule.due_hours = data["due_hours"]
                rule.is_active = data["is_active"]
                rule.save()
                audit.record(membership, "rule.saved", rule)
            messages.success(request, _("The rule is saved."))
            return redirect("campaigns:rules")
    return render(request, "distribution/rule.html", {"form": form, "rule": rule})


@member_required("ticket.view")
def case_list(request, membership):
    """The follow-up cases: open ones first, the soonest due on top."""
    cases = (
        FollowUpCase.objects.filter(organization=membership.organization)
        .select_related("customer", "rule__team", "ticket", "response__survey")
        .order_by("closed_at", "due_at", "pk")[:200]
    )
    return render(request, "distribution/cases.html", {"cases": cases, "now": timezone.now()})


class OutcomeForm(forms.Form):
    contacted = forms.ChoiceField(
        label=gettext_lazy("Contacted"), choices=FollowUpCase.Contact.choices, required=False
    )
    resolved = forms.BooleanField(label=gettext_lazy("Resolved"), required=False)
    root_cause = forms.ChoiceField(label=gettext_lazy("Root cause"), required=False)
    compensation = forms.CharField(
        label=gettext_lazy("Compensation"), required=False, max_length=200
    )
    customer_words = forms.CharField(
        label=gettext_lazy("The customer's own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # The offered causes, and the case's own even if it was withdrawn since.
        self.causes = {
            str(cause.code): cause
            for cause in RootCause.objects.filter(organization_id=case.organization_id).filter(
                Q(is_active=True) | Q(pk=case.root_cause_id)
            )
        }
        self.fields["root_cause"].choices = [("", "—")] + [
            (code, cause.name) for code, cause in self.causes.items()
        ]
        if not self.causes:
            self.fields["root_cause"].help_text = _(
                "The workspace's list of root causes is empty: owners and managers add "
                "them on the follow-up rules page."
            )

    def clean_root_cause(self):
        return self.causes.get(self.cleaned_data["root_cause"])


@member_required("ticket.view")
def case_detail(request, membership, code):
    case = get_object_or_404(
        FollowUpCase.objects.select_related("customer", "rule__team", "ticket", "response__survey"),
        organization=membership.organization,
        code=code,
    )
    may_work = role_can(membership.role, "ticket.work")
    form = OutcomeForm(
        request.POST or None,
        case=case,
        initial={
            "contacted": case.contacted,
            "resolved": case.resolved,
            "root_cause": str(case.root_cause.code) if case.root_cause else "",
            "compensation": case.compensation,
            "customer_words": case.customer_words,
        },
    )
    if request.method == "POST":
        if not may_work:
            raise PermissionDenied
        if form.is_valid():
            try:
                loop.do_record_outcome(case, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The outcome is saved."))
                return redirect("campaigns:case", case.code)
    answers = (
        Answer.objects.filter(response=case.response)
        .select_related("question", "choice", "item")
        .order_by("question__page", "question__position", "pk")
    )
    return render(
        request,
        "distribution/case.html",
        {
            "case": case,
            "answers": answers,
            "form": form,
            "may_work": may_work,
            "overdue": case.closed_at is None and case.due_at and case.due_at < timezone.now(),
        },
    )


@member_required("workspace.use")
def inbox(request, membership):
    """The answers rules asked this member to know about; reading them here marks them read."""
    notices = Notice.objects.filter(membership=membership).select_related(
        "response__customer", "response__survey"
    )
    if request.method == "POST":
        notices.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("campaigns:inbox")
    shown = list(notices[:200])
    return render(
        request,
        "distribution/inbox.html",
        {"notices": shown, "unread": sum(n.read_at is None for n in shown)},
    )
