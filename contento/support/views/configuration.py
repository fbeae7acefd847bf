"""The desk's settings pages: teams and their calendars, SLA policies, canned replies, and the
rating and auto-close settings. Managers and owners only (`support.configure`).
"""

from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contento.accounts.access import member_required
from contento.customers.models import Customer, Product
from contento.support import canned, sla
from contento.support.access import access_canned_reply, access_policy, access_team
from contento.support.actions import configuration
from contento.support.models import CannedReply, CannedReplyTranslation, SlaPolicy, Team, Ticket
from contento.support.ratings import desk_settings
from contento.support.settings_forms import (
    CannedReplyForm,
    DeskSettingsForm,
    SlaPolicyForm,
    TeamForm,
)

PERMISSION = "support.configure"
LANGUAGE_NAMES = dict(settings.LANGUAGES)


def _status(request, form) -> int:
    """Return 400 for a form sent back with errors, except to htmx (which swaps only 2xx)."""
    return 400 if form.errors and not request.headers.get("HX-Request") else 200


@member_required(PERMISSION)
def home(request, membership):
    organization = membership.organization
    return render(
        request,
        "support/settings/home.html",
        {
            "teams": Team.objects.filter(organization=organization).count(),
            "policies": SlaPolicy.objects.filter(organization=organization).count(),
            "replies": CannedReply.objects.filter(organization=organization).count(),
            "desk": desk_settings(organization),
        },
    )


# Teams -----------------------------------------------------------------------------------------


@member_required(PERMISSION)
def team_list(request, membership):
    teams = (
        Team.objects.filter(organization=membership.organization)
        .select_related("manager__user")
        .annotate(member_count=Count("members"))
    )
    return render(request, "support/settings/teams.html", {"teams": teams})


@member_required(PERMISSION)
def team_edit(request, membership, code=None):
    """Create or change a team, its members and its calendar; import holidays from an .ics."""
    team = access_team(membership, code, PERMISSION) if code else None
    form = TeamForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organization=membership.organization,
        team=team,
        initial=TeamForm.initial_for(team, sla.team_calendar(team)),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = configuration.do_save_team(
                membership.organization,
                team,
                name=data["name"],
                email_address=data["email_address"],
                members=data["members"],
                manager=data["manager"],
                assignment=data["assignment"],
                calendar=data["calendar"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Team saved."))
            if form.ics_uploaded:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s holiday imported from the calendar file.",
                        "%(count)s holidays imported from the calendar file.",
                        form.imported,
                    )
                    % {"count": form.imported},
                )
            if form.skipped_timed:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s event with a time of day was skipped: holidays close whole"
                        " days.",
                        "%(count)s events with a time of day were skipped: holidays close whole"
                        " days.",
                        form.skipped_timed,
                    )
                    % {"count": form.skipped_timed},
                )
            return redirect("support:settings_team", team.code)
    status = _status(request, form)
    return render(
        request, "support/settings/team_form.html", {"form": form, "team": team}, status=status
    )


# SLA policies ----------------------------------------------------------------------------------


@member_required(PERMISSION)
def policy_list(request, membership):
    policies = list(
        SlaPolicy.objects.filter(organization=membership.organization).select_related("team")
    )
    priorities = dict(Ticket.Priority.choices)
    for policy in policies:
        policy.priority_label = priorities.get(policy.priority, policy.priority)
        policy.targets = [
            _duration(policy.first_response_minutes),
            _duration(policy.update_minutes),
            _duration(policy.resolution_minutes),
        ]
    return render(request, "support/settings/policies.html", {"policies": policies})


def _duration(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)s business hour", "%(count)s business hours", hours) % {
            "count": hours
        }
    return ngettext("%(count)s business minute", "%(count)s business minutes", minutes) % {
        "count": minutes
    }


@member_required(PERMISSION)
def policy_edit(request, membership, code=None):
    policy = access_policy(membership, code) if code else None
    form = SlaPolicyForm(
        request.POST if request.method == "POST" else None,
        organization=membership.organization,
        policy=policy,
        initial=SlaPolicyForm.initial_for(policy) if policy else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            configuration.do_save_sla_policy(membership.organization, policy, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("SLA policy saved."))
            return redirect("support:settings_policies")
    status = _status(request, form)
    return render(
        request,
        "support/settings/policy_form.html",
        {"form": form, "policy": policy},
        status=status,
    )


@member_required(PERMISSION)
def policy_delete(request, membership, code):
    policy = access_policy(membership, code)
    if request.method == "POST":
        configuration.do_delete_sla_policy(policy)
        messages.success(request, _("SLA policy deleted."))
        return redirect("support:settings_policies")
    return render(
        request,
        "support/settings/confirm_delete.html",
        {"object": policy, "cancel": "support:settings_policies"},
    )


# Canned replies --------------------------------------------------------------------------------


@member_required(PERMISSION)
def reply_list(request, membership):
    replies = (
        CannedReply.objects.filter(organization=membership.organization)
        .select_related("team")
        .prefetch_related(
            Prefetch("translations", queryset=CannedReplyTranslation.objects.order_by("language"))
        )
    )
    return render(
        request,
        "support/settings/replies.html",
        {"replies": replies, "language_names": LANGUAGE_NAMES},
    )


SAMPLE_CUSTOMER = "Alex Morgan"
SAMPLE_REFERENCE = "K7Q2MD"


def _sample_ticket(membership, language: str) -> Ticket:
    """Return an unsaved ticket of a made-up customer speaking `language`, for previews."""
    organization = membership.organization
    customer = Customer(organization=organization, name=SAMPLE_CUSTOMER, language=language)
    product = Product(organization=organization, name=_("Premium plan"))
    return Ticket(
        organization=organization,
        customer=customer,
        product=product,
        reference=SAMPLE_REFERENCE,
        language=language,
    )


def _preview(membership, texts: dict[str, str]) -> list[dict]:
    """Return what `canned.render` gives customers of each language, for the texts typed.

    The texts are not saved yet, so `render` gets a stand-in with the reply's shape.
    """
    if not texts:
        return []
    rows = [SimpleNamespace(language=code, body=body) for code, body in texts.items()]
    reply = SimpleNamespace(translations=SimpleNamespace(all=lambda: rows))
    preview = []
    for code, name in settings.LANGUAGES:
        used, text = canned.render(reply, _sample_ticket(membership, code), membership)
        preview.append(
            {
                "language": name,
                "used": LANGUAGE_NAMES.get(used, used),
                "fallback": used != code,
                "text": text,
            }
        )
    return preview


@member_required(PERMISSION)
def reply_edit(request, membership, code=None):
    """Create or change a canned reply; "Preview" shows it filled in, without saving."""
    reply = access_canned_reply(membership, code, PERMISSION) if code else None
    form = CannedReplyForm(
        request.POST if request.method == "POST" else None,
        organization=membership.organization,
        initial=CannedReplyForm.initial_for(reply) if reply else None,
    )
    preview = []
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "preview":
            preview = _preview(membership, form.texts())
        else:
            data = form.cleaned_data
            try:
                configuration.do_save_canned_reply(
                    membership.organization,
                    reply,
                    title=data["title"],
                    team=data["team"],
                    texts=form.texts(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Canned reply saved."))
                return redirect("support:settings_replies")
    elif reply is not None and request.method != "POST":
        preview = _preview(
            membership, {t.language: t.body for t in reply.translations.order_by("language")}
        )
    status = _status(request, form)
    return render(
        request,
        "support/settings/reply_form.html",
        {
            "form": form,
            "reply": reply,
            "preview": preview,
            "placeholders": [f"{{{name}}}" for name in canned.PLACEHOLDERS],
            "sample": {
                "customer": SAMPLE_CUSTOMER,
                "product": _("Premium plan"),
                "reference": SAMPLE_REFERENCE,
            },
        },
        status=status,
    )


@member_required(PERMISSION)
def reply_delete(request, membership, code):
    reply = access_canned_reply(membership, code, PERMISSION)
    if request.method == "POST":
        configuration.do_delete_canned_reply(reply)
        messages.success(request, _("Canned reply deleted."))
        return redirect("support:settings_replies")
    return render(
        request,
        "support/settings/confirm_delete.html",
        {"object": reply, "cancel": "support:settings_replies"},
    )


# Desk settings ---------------------------------------------------------------------------------


@member_required(PERMISSION)
def desk(request, membership):
    current = desk_settings(membership.organization)
    form = DeskSettingsForm(
        request.POST if request.method == "POST" else None,
        organization=membership.organization,
        current_survey=current.rating_survey,
        initial={
            "rating_delay_minutes": current.rating_delay_minutes,
            "auto_close_days": current.auto_close_days,
            "rating_survey": current.rating_survey,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            configuration.do_update_desk_settings(membership.organization, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Desk settings saved."))
            return redirect("support:settings_desk")
    status = _status(request, form)
    return render(request, "support/settings/desk.html", {"form": form}, status=status)
