"""The staff pages of distribution: audiences and campaigns.

Everyone who sees surveys sees them; owners and managers (survey.edit) make and send them.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contento.accounts import audit
from contento.accounts.access import member_required
from contento.accounts.roles import role_can
from contento.core import sms
from contento.customers.models import Company, Customer, Product
from contento.customers.phones import region_of, to_e164
from contento.distribution import audiences, campaigns, triggers
from contento.distribution.models import Audience, Campaign, Delivery
from contento.surveys.models import Survey, SurveyTheme

ROWS = 6  # condition rows the audience form shows (empty ones are ignored)


def _audience(membership, code) -> Audience:
    return get_object_or_404(Audience, organization=membership.organization, code=code)


def _campaign(membership, code) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("survey", "audience", "organization"),
        organization=membership.organization,
        code=code,
    )


# Audiences -------------------------------------------------------------------------------


@member_required("survey.view")
def audience_list(request, membership):
    rows = Audience.objects.filter(organization=membership.organization)
    return render(
        request,
        "distribution/audiences.html",
        {
            "audiences": [
                (a, [audiences.describe(c) for c in a.conditions], a.get_match_display())
                for a in rows
            ],
            "may_edit": role_can(membership.role, "survey.edit"),
        },
    )


def _posted_conditions(data) -> list[dict]:
    conditions = []
    for i in range(ROWS):
        field = data.get(f"c{i}-field", "")
        if not field:
            continue
        conditions.append(
            {
                "field": field,
                "op": data.get(f"c{i}-op", ""),
                "name": data.get(f"c{i}-name", ""),
                "value": data.get(f"c{i}-value", ""),
                "days": data.get(f"c{i}-days", ""),
            }
        )
    return conditions


def _rows(conditions) -> list[dict]:
    rows = [dict(c) for c in conditions][:ROWS]
    return rows + [{} for _i in range(ROWS - len(rows))]


@member_required("survey.edit")
def audience_edit(request, membership, code=None):
    """Make or change an audience; "Preview" counts and lists who it holds without saving."""
    org = membership.organization
    audience = _audience(membership, code) if code else None
    name = audience.name if audience else ""
    match = audience.match if audience else Audience.Match.ALL
    conditions = audience.conditions if audience else []
    error = ""
    preview = None
    if request.method == "POST":
        name = " ".join(request.POST.get("name", "").split())[:200]
        match = request.POST.get("match") if request.POST.get("match") in ("all", "any") else "all"
        posted = _posted_conditions(request.POST)
        try:
            conditions = audiences.clean_conditions(posted)
            if not name and request.POST.get("action") != "preview":
                raise ValidationError(_("Give the audience a name."))
        except ValidationError as problem:
            error = " ".join(problem.messages)
            conditions = posted
        else:
            if request.POST.get("action") == "preview":
                preview = audiences.select(org, conditions, match)
            else:
                with transaction.atomic():
                    if audience is None:
                        audience = Audience(organization=org)
                    audience.name, audience.match, audience.conditions = name, match, conditions
                    audience.save()
                    audit.record(membership, "audience.saved", audience)
                messages.success(request, _("The audience is saved."))
                return redirect("campaigns:audience", audience.code)
    elif audience is not None:
        preview = audiences.audience_customers(audience)
    return render(
        request,
        "distribution/audience.html",
        {
            "audience": audience,
            "name": name,
            "match": match,
            "rows": _rows(conditions),
            "error": error,
            "count": preview.count() if preview is not None else None,
            "sample": list(preview.order_by("name", "pk")[:20]) if preview is not None else [],
            "fields": _field_choices(),
            "products": Product.objects.filter(organization=org).values_list("name", flat=True),
            "companies": Company.objects.filter(organization=org).values_list("name", flat=True),
            "themes": SurveyTheme.objects.filter(survey__organization=org)
            .values_list("label", flat=True)
            .distinct(),
        },
        status=400 if error else 200,
    )


def _field_choices():
    return [
        ("language", _("Language")),
        ("attribute", _("Attribute")),
        ("company", _("Company")),
        ("product", _("Product bought")),
        ("subscription", _("Subscription")),
        ("answered", _("Answered a survey")),
        ("tickets", _("Opened a ticket")),
        ("consent", _("May be contacted")),
        ("theme", _("Wrote about a theme")),
    ]


# Campaigns -------------------------------------------------------------------------------


class _SendingForm(forms.Form):
    """What a campaign and a trigger share: a name, a live survey and the reminders."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    survey = forms.ChoiceField(label=gettext_lazy("Survey"))
    channel = forms.ChoiceField(
        label=gettext_lazy("Send by"),
        choices=Campaign.Channel.choices,
        initial=Campaign.Channel.EMAIL,
        required=False,
        help_text=gettext_lazy(
            "A text message goes to the customer's mobile number with a short link."
        ),
    )
    reminders = forms.IntegerField(
        label=gettext_lazy("Reminders to those who have not answered"),
        min_value=0,
        max_value=3,
        initial=1,
    )
    reminder_days = forms.IntegerField(
        label=gettext_lazy("Days between reminders"), min_value=1, max_value=30, initial=3
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = [
            (str(code), title)
            for code, title in Survey.objects.filter(
                organization=organization, status=Survey.Status.LIVE
            ).values_list("code", "title")
        ]


class CampaignForm(_SendingForm):
    audience = forms.ChoiceField(label=gettext_lazy("Audience"))
    send_on = forms.DateField(
        label=gettext_lazy("Send on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Empty: as soon as it is sent."),
    )
    send_time = forms.TimeField(
        label=gettext_lazy("At (each customer's own time)"),
        initial="10:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    sample_size = forms.IntegerField(
        label=gettext_lazy("Send to a random sample of"),
        required=False,
        min_value=0,
        initial=0,
        help_text=gettext_lazy("0: everyone in the audience."),
    )
    repeat_months = forms.IntegerField(
        label=gettext_lazy("Send again every (months)"),
        required=False,
        min_value=0,
        max_value=24,
        initial=0,
        help_text=gettext_lazy("A relationship survey: each time to a new sample. 0: send once."),
    )
    field_order = ["name", "survey", "channel", "audience", "sample_size", "repeat_months"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self.fields["audience"].choices = [
            (str(code), name)
            for code, name in Audience.objects.filter(organization=organization).values_list(
                "code", "name"
            )
        ]


class TriggerForm(_SendingForm):
    event = forms.ChoiceField(
        label=gettext_lazy("Send the survey when"), choices=list(triggers.EVENTS.items())
    )
    delay_hours = forms.IntegerField(
        label=gettext_lazy("Hours after the event"),
        min_value=0,
        max_value=24 * 366,
        initial=24,
        help_text=gettext_lazy(
            "For a renewal about to happen: how many hours ahead of it (168 is a week)."
        ),
    )
    months = forms.IntegerField(
        label=gettext_lazy("Month with us"),
        required=False,
        min_value=1,
        max_value=600,
        help_text=gettext_lazy("For a customer's month with us: which month (3: the third)."),
    )
    product = forms.CharField(label=gettext_lazy("Only for the product"), required=False)
    channel = forms.CharField(
        label=gettext_lazy("Only for the channel"),
        required=False,
        help_text=gettext_lazy("A purchase's channel (online, store, phone…) or a ticket's."),
    )
    min_amount = forms.DecimalField(
        label=gettext_lazy("Only for purchases of at least"), required=False, min_value=0
    )
    attribute = forms.CharField(label=gettext_lazy("Only for customers whose"), required=False)
    value = forms.CharField(label=gettext_lazy("is"), required=False)
    field_order = [
        "name",
        "survey",
        "channel",
        "event",
        "delay_hours",
        "months",
        "product",
        "channel",
        "min_amount",
        "attribute",
        "value",
    ]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self.fields["reminders"].initial = 0  # a customer asked after an event, once


@member_required("survey.edit")
def trigger_new(request, membership):
    org = membership.organization
    form = TriggerForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conditions = triggers.clean_conditions(data["event"], data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    organization=org,
                    kind=Campaign.Kind.TRIGGER,
                    channel=data["channel"] or Campaign.Channel.EMAIL,
                    name=data["name"],
                    survey=Survey.objects.get(organization=org, code=data["survey"]),
                    event=data["event"],
                    delay_hours=data["delay_hours"],
                    event_conditions=conditions,
                    reminders=data["reminders"],
                    reminder_days=data["reminder_days"],
                    created_by=request.user,
                )
                audit.record(membership, "campaign.created", campaign)
            return redirect("campaigns:campaign", campaign.code)
    return render(request, "distribution/trigger_new.html", {"form": form})


@member_required("survey.view")
def campaign_list(request, membership):
    rows = Campaign.objects.filter(organization=membership.organization).select_related(
        "survey", "audience"
    )
    return render(
        request,
        "distribution/campaigns.html",
        {"campaigns": rows, "may_edit": role_can(membership.role, "survey.edit")},
    )


@member_required("survey.edit")
def campaign_new(request, membership):
    org = membership.organization
    form = CampaignForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            campaign = Campaign.objects.create(
                organization=org,
                channel=data["channel"] or Campaign.Channel.EMAIL,
                name=data["name"],
                survey=Survey.objects.get(organization=org, code=data["survey"]),
                audience=Audience.objects.get(organization=org, code=data["audience"]),
                send_on=data["send_on"],
                send_time=data["send_time"],
                reminders=data["reminders"],
                reminder_days=data["reminder_days"],
                sample_size=data["sample_size"] or 0,
                repeat_months=data["repeat_months"] or 0,
                created_by=request.user,
            )
            audit.record(membership, "campaign.created", campaign)
        return redirect("campaigns:campaign", campaign.code)
    return render(request, "distribution/campaign_new.html", {"form": form})


@member_required("survey.view")
def campaign_detail(request, membership, code):
    """A draft's messages per language, who it will reach, and, once sent, its figures."""
    campaign = _campaign(membership, code)
    may_edit = role_can(membership.role, "survey.edit")
    survey = campaign.survey
    if request.method == "POST":
        if not may_edit or campaign.status != Campaign.Status.DRAFT:
            raise Http404("This campaign can no longer be changed.")
        written = {
            language: {
                key: request.POST.get(f"{key}-{language}", "")
                for key in ("subject", "body", "text")
            }
            for language in survey.all_languages
        }
        campaign.messages = campaigns.clean_messages(survey, written)
        campaign.save(update_fields=["messages"])
        messages.success(request, _("The messages are saved."))
        return redirect("campaigns:campaign", campaign.code)
    draft = campaign.status == Campaign.Status.DRAFT
    return render(
        request,
        "distribution/campaign.html",
        {
            "campaign": campaign,
            "may_edit": may_edit,
            "draft": draft,
            "languages": [
                (language, campaigns.message_for(campaign, language))
                for language in survey.all_languages
            ],
            "by_text": campaign.channel == Campaign.Channel.SMS,
            "text_max": campaigns.TEXT_MAX,
            "reach": campaigns.reach(campaign) if draft else None,
            "figures": None if draft else campaigns.campaign_figures(campaign),
            "survey_live": survey.status == Survey.Status.LIVE,
            "trigger": campaign.kind == Campaign.Kind.TRIGGER,
            "event": triggers.describe(campaign) if campaign.kind == Campaign.Kind.TRIGGER else "",
        },
    )


@member_required("survey.view")
def campaign_preview(request, membership, code, language):
    """The invitation in one language as a customer of the audience will read it (the first
    one who speaks it, else any), with their fields piped in."""
    campaign = _campaign(membership, code)
    if language not in campaign.survey.all_languages:
        raise Http404("The survey has no such language.")
    people = (
        audiences.audience_customers(campaign.audience)
        if campaign.audience
        else Customer.objects.filter(organization=campaign.organization, erased_at__isnull=True)
    )
    customer = people.filter(language=language).first() or people.first()
    if customer is None:
        raise Http404("Nobody is in this audience.")
    if campaign.channel == Campaign.Channel.SMS:
        # Read with a stand-in short link: the one each delivery gets is as long.
        stand_in = Delivery(campaign=campaign, short_code="x" * 10, language=language)
        text = campaigns.invitation_text(campaign, customer, language, delivery=stand_in)
        return render(
            request,
            "distribution/text_preview.html",
            {"text": text, "parts": sms.parts(text), "characters": len(text), "lang": language},
        )
    message = campaigns.invitation_email(campaign, customer, language)
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    response = HttpResponse(html)
    # The preview shows the message alone: its links lead nowhere from here.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; sandbox"
    )
    return response


@require_POST
@member_required("survey.edit")
def campaign_test(request, membership, code):
    campaign = _campaign(membership, code)
    language = request.POST.get("language", "")
    if language not in campaign.survey.all_languages:
        language = campaign.survey.default_language
    phone = ""
    if campaign.channel == Campaign.Channel.SMS:
        try:
            phone = to_e164(
                request.POST.get("phone", ""), region_of(campaign.organization.time_zone)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("campaigns:campaign", campaign.code)
    try:
        campaigns.do_send_test(campaign, request.user, language, phone=phone)
    except sms.SMSRefused as error:
        messages.error(request, str(error))
        return redirect("campaigns:campaign", campaign.code)
    messages.success(
        request,
        _("A test invitation is sent to %(address)s.") % {"address": phone or request.user.email},
    )
    return redirect("campaigns:campaign", campaign.code)


@require_POST
@member_required("survey.edit")
def campaign_send(request, membership, code):
    campaign = _campaign(membership, code)
    try:
        with transaction.atomic():
            if campaign.kind == Campaign.Kind.TRIGGER:
                campaigns.do_queue_campaign(campaign, now=timezone.now())
            else:
                campaigns.do_request_sending(campaign)
            audit.record(membership, "campaign.sent", campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if campaign.kind == Campaign.Kind.TRIGGER:
            messages.success(request, _("The trigger runs: its events now send the survey."))
        else:
            messages.success(
                request,
                _(
                    "The campaign is being prepared: the invitations leave at their time, "
                    "and the figures below count them."
                ),
            )
    return redirect("campaigns:campaign", campaign.code)


@require_POST
@member_required("survey.edit")
def campaign_cancel(request, membership, code):
    campaign = _campaign(membership, code)
    if campaign.status in (
        Campaign.Status.SENDING,
        Campaign.Status.DRAFT,
        Campaign.Status.QUEUED,
    ):
        with transaction.atomic():
            called_off = campaigns.do_cancel_campaign(campaign)
            audit.record(membership, "campaign.cancelled", campaign, called_off=called_off)
        messages.success(request, _("The campaign is stopped."))
    return redirect("campaigns:campaign", campaign.code)
