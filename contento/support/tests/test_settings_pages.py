"""The desk's settings pages (teams, calendars, SLA policies, canned replies, desk settings)
and attachment downloads, by role and as an outsider."""

from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from contento.accounts.roles import Role
from contento.support import canned, sla
from contento.support.actions.steps import NewAttachment
from contento.support.actions.tickets import do_create_ticket
from contento.support.businesshours import Calendar
from contento.support.models import (
    CannedReply,
    CannedReplyTranslation,
    DeskSettings,
    SlaPolicy,
    Team,
    Ticket,
)
from contento.support.ratings import rating_survey

HOLIDAYS_ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Contento tests//EN\r
BEGIN:VEVENT\r
UID:new-year@test\r
SUMMARY:New Year\r
DTSTART;VALUE=DATE:20270101\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:christmas@test\r
SUMMARY:Christmas break\r
DTSTART;VALUE=DATE:20261224\r
DTEND;VALUE=DATE:20261226\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:meeting@test\r
SUMMARY:Team meeting\r
DTSTART:20260303T100000Z\r
DTEND:20260303T110000Z\r
END:VEVENT\r
END:VCALENDAR\r
"""


def ics_file(content: bytes, name: str = "holidays.ics") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/calendar")


def team_data(desk, **changes) -> dict:
    data = {
        "name": "Billing",
        "email_address": "billing@acme.test",
        "members": [desk.alice.pk, desk.bob.pk],
        "manager": desk.manager.pk,
        "assignment": Team.Assignment.LEAST_BUSY,
        "timezone": "Europe/Paris",
        "hours_0": "09:00-12:00, 13:00-17:00",
        "hours_1": "09:00-17:00",
        "hours_2": "",
        "hours_3": "",
        "hours_4": "08:30-15:00",
        "hours_5": "",
        "hours_6": "",
        "holidays": "2026-05-01\n2026-07-14",
        "recurring_holidays": "12-25",
    }
    data.update(changes)
    return data


@pytest.fixture
def manager(personas):
    return personas.client(Role.MANAGER)


# Teams -----------------------------------------------------------------------------------------


def test_a_manager_creates_a_team_with_hours_and_holidays(desk, manager):
    response = manager.post(reverse("support:settings_team_new"), team_data(desk))
    team = Team.objects.get(name="Billing")
    assert response.status_code == 302
    assert response["Location"] == reverse("support:settings_team", args=[team.code])
    assert team.organization == desk.org
    assert team.email_address == "billing@acme.test"
    assert set(team.members.all()) == {desk.alice, desk.bob}
    assert team.manager == desk.manager
    assert team.assignment == Team.Assignment.LEAST_BUSY
    calendar = sla.team_calendar(team)
    assert calendar == Calendar(
        "Europe/Paris",
        {
            0: [(time(9), time(12)), (time(13), time(17))],
            1: [(time(9), time(17))],
            4: [(time(8, 30), time(15))],
        },
        frozenset({date(2026, 5, 1), date(2026, 7, 14)}),
        frozenset({(12, 25)}),
    )
    assert calendar.is_holiday(date(2031, 12, 25))
    # The list shows it, and its page shows what was saved.
    assert "billing@acme.test" in manager.get(reverse("support:settings_teams")).content.decode()
    page = manager.get(reverse("support:settings_team", args=[team.code])).content.decode()
    assert "09:00-12:00, 13:00-17:00" in page
    assert "2026-07-14" in page


def test_a_manager_edits_a_team_and_its_calendar(desk, manager):
    url = reverse("support:settings_team", args=[desk.team.code])
    form = manager.get(url)
    assert form.status_code == 200
    # A team without a calendar shows the default one: Monday to Friday, 09:00 to 17:00.
    assert 'value="09:00-17:00"' in form.content.decode()
    data = team_data(
        desk,
        name="Support desk",
        email_address="HELP@acme.test",  # its own address, in another case
        members=[desk.bob.pk],
        assignment=Team.Assignment.MANUAL,
        hours_0="00:00-24:00",
        holidays="",
        recurring_holidays="",
    )
    assert manager.post(url, data).status_code == 302
    desk.team.refresh_from_db()
    assert desk.team.name == "Support desk"
    assert desk.team.email_address == "help@acme.test"
    assert list(desk.team.members.all()) == [desk.bob]
    assert desk.team.assignment == Team.Assignment.MANUAL
    assert desk.team.calendar["hours"]["0"] == [["00:00", "24:00"]]
    assert desk.team.calendar["holidays"] == []


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"email_address": "Help@Acme.test"}, "email_address", "Another team already receives"),
        ({"hours_1": "9 to 5"}, "hours_1", "is not a time interval"),
        ({"hours_1": "17:00-09:00"}, "hours_1", "ends before it starts"),
        ({"hours_1": "09:00-13:00, 12:00-17:00"}, "hours_1", "overlap"),
        ({"holidays": "2026-02-30"}, "holidays", "is not a date"),
        ({"recurring_holidays": "13-01"}, "recurring_holidays", "is not a yearly date"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Select a valid choice"),
        ({"assignment": "lottery"}, "assignment", "Select a valid choice"),
    ],
)
def test_a_bad_team_form_saves_nothing_and_keeps_what_was_typed(
    desk, manager, changes, field, message
):
    response = manager.post(reverse("support:settings_team_new"), team_data(desk, **changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Team.objects.filter(name="Billing").exists()
    page = response.content.decode()
    assert 'value="Billing"' in page  # what the manager typed is still there
    assert 'value="09:00-12:00, 13:00-17:00"' in page


def test_a_team_needs_working_hours(desk, manager):
    closed = {f"hours_{day}": "" for day in range(7)}
    response = manager.post(reverse("support:settings_team_new"), team_data(desk, **closed))
    assert response.status_code == 400
    assert "Give at least one weekday working hours." in response.content.decode()
    assert not Team.objects.filter(name="Billing").exists()


def test_members_must_belong_to_the_workspace(personas, desk, manager):
    stranger = personas.outsider.memberships.get()
    for changes in ({"members": [desk.alice.pk, stranger.pk]}, {"manager": stranger.pk}):
        response = manager.post(reverse("support:settings_team_new"), team_data(desk, **changes))
        assert response.status_code == 400
        assert "Select a valid choice" in str(response.context["form"].errors)
    assert not Team.objects.filter(name="Billing").exists()


def test_holidays_are_imported_from_an_ics_file(desk, manager):
    url = reverse("support:settings_team", args=[desk.team.code])
    data = team_data(desk, email_address="help@acme.test", ics=ics_file(HOLIDAYS_ICS))
    response = manager.post(url, data, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 holidays imported from the calendar file." in page
    assert "1 event with a time of day was skipped" in page
    calendar = sla.team_calendar(Team.objects.get(pk=desk.team.pk))
    assert calendar.holidays == {
        date(2026, 5, 1),  # typed in the form
        date(2026, 7, 14),
        date(2027, 1, 1),  # from the file
        date(2026, 12, 24),
        date(2026, 12, 25),  # DTEND is exclusive: the 26th stays a working day
    }
    assert not calendar.is_holiday(date(2026, 3, 3))  # the timed meeting is no holiday
    # Importing the same file again adds nothing.
    manager.post(
        url,
        data
        | {
            "ics": ics_file(HOLIDAYS_ICS),
            "holidays": "\n".join(d.isoformat() for d in sorted(calendar.holidays)),
        },
    )
    assert sla.team_calendar(Team.objects.get(pk=desk.team.pk)).holidays == calendar.holidays


@pytest.mark.parametrize(
    "content, message",
    [
        (b"this is not a calendar", "could not be read as an iCalendar"),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Weekly\r\nDTSTART;VALUE=DATE:20260105"
            b"\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "cannot be expanded",
        ),
    ],
)
def test_a_bad_ics_file_is_a_form_error_and_nothing_is_saved(desk, manager, content, message):
    before = Team.objects.get(pk=desk.team.pk)
    url = reverse("support:settings_team", args=[desk.team.code])
    data = team_data(desk, name="Renamed", email_address="help@acme.test", ics=ics_file(content))
    response = manager.post(url, data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["ics"])
    after = Team.objects.get(pk=desk.team.pk)
    assert (after.name, after.calendar) == (before.name, before.calendar) == ("Support", {})
    assert 'value="Renamed"' in response.content.decode()


# SLA policies ----------------------------------------------------------------------------------


def sla_data(desk, **changes) -> dict:
    data = {
        "name": "Urgent support",
        "team": desk.team.pk,
        "priority": Ticket.Priority.URGENT,
        "first_response_minutes_0": "2",
        "first_response_minutes_1": "hours",
        "update_minutes_0": "90",
        "update_minutes_1": "minutes",
        "resolution_minutes_0": "",
        "resolution_minutes_1": "hours",
        "warning_percent": "75",
    }
    data.update(changes)
    return data


def test_a_manager_creates_an_sla_policy_that_tickets_then_follow(desk, manager):
    general = SlaPolicy.objects.create(
        organization=desk.org, name="Everyone", first_response_minutes=480
    )
    response = manager.post(reverse("support:settings_policy_new"), sla_data(desk))
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(name="Urgent support")
    assert (policy.team, policy.priority) == (desk.team, "urgent")
    assert (policy.first_response_minutes, policy.update_minutes) == (120, 90)
    assert policy.resolution_minutes is None
    assert policy.warning_percent == 75
    ticket = do_create_ticket(
        desk.org,
        customer=desk.customer,
        subject="Down",
        body="Everything is down.",
        channel="web",
        team=desk.team,
        priority=Ticket.Priority.URGENT,
    )
    assert sla.policy_for(ticket) == policy
    assert ticket.sla_policy == policy
    assert ticket.first_response_due_at is not None
    normal = do_create_ticket(
        desk.org, customer=desk.customer, subject="Q", body="?", channel="web", team=desk.team
    )
    assert sla.policy_for(normal) == general
    page = manager.get(reverse("support:settings_policies")).content.decode()
    assert "2 business hours" in page
    assert "90 business minutes" in page


def test_a_manager_edits_and_deletes_an_sla_policy(desk, manager):
    policy = SlaPolicy.objects.create(
        organization=desk.org, name="Old", team=desk.team, resolution_minutes=600
    )
    url = reverse("support:settings_policy", args=[policy.code])
    page = manager.get(url).content.decode()
    assert 'value="10"' in page  # 600 minutes shown as 10 hours
    data = sla_data(desk, name="New", team="", priority="", resolution_minutes_0="45")
    data["resolution_minutes_1"] = "minutes"
    assert manager.post(url, data).status_code == 302
    policy.refresh_from_db()
    assert (policy.name, policy.team, policy.priority) == ("New", None, "")
    assert policy.resolution_minutes == 45
    delete = reverse("support:settings_policy_delete", args=[policy.code])
    assert manager.get(delete).status_code == 200
    assert SlaPolicy.objects.filter(pk=policy.pk).exists()  # a GET only asks
    assert manager.post(delete).status_code == 302
    assert not SlaPolicy.objects.filter(pk=policy.pk).exists()


def test_a_bad_sla_policy_saves_nothing(desk, manager):
    SlaPolicy.objects.create(organization=desk.org, name="Taken", team=desk.team, priority="urgent")
    response = manager.post(reverse("support:settings_policy_new"), sla_data(desk))
    assert response.status_code == 400
    assert "already covers this team and priority" in response.content.decode()
    no_targets = sla_data(desk, priority="", first_response_minutes_0="", update_minutes_0="")
    response = manager.post(reverse("support:settings_policy_new"), no_targets)
    assert response.status_code == 400
    assert "Set at least one target." in response.content.decode()
    assert 'value="Urgent support"' in response.content.decode()
    assert list(SlaPolicy.objects.values_list("name", flat=True)) == ["Taken"]


# Canned replies --------------------------------------------------------------------------------


def reply_data(**changes) -> dict:
    data = {
        "title": "Refund on its way",
        "team": "",
        "text_en": "Hello {customer_name}, your refund for {product} is on its way.",
        "text_es": "Hola {customer_name}, su reembolso ({ticket_reference}) está en camino.",
    }
    data.update(changes)
    return data


def test_a_canned_reply_in_two_languages_is_offered_in_the_customers(personas, desk, manager):
    response = manager.post(reverse("support:settings_reply_new"), reply_data())
    assert response.status_code == 302
    reply = CannedReply.objects.get(title="Refund on its way")
    assert dict(reply.translations.values_list("language", "body")) == {
        "en": "Hello {customer_name}, your refund for {product} is on its way.",
        "es": "Hola {customer_name}, su reembolso ({ticket_reference}) está en camino.",
    }
    ticket = do_create_ticket(
        desk.org, customer=desk.customer, subject="Reembolso", body="¿Y mi dinero?", channel="web"
    )
    language, text = canned.render(reply, ticket)
    assert language == "es"  # Lucía writes in Spanish
    assert text == f"Hola Lucía Pérez, su reembolso ({ticket.reference}) está en camino."
    # The desk offers it to agents, filled in.
    agent = personas.client(Role.AGENT)
    filled = agent.get(reverse("support:canned_reply", args=[ticket.code, reply.code]))
    assert filled.content.decode() == text
    # Emptying the Spanish text removes that language.
    url = reverse("support:settings_reply", args=[reply.code])
    assert manager.post(url, reply_data(text_es="")).status_code == 302
    assert list(reply.translations.values_list("language", flat=True)) == ["en"]
    assert canned.render(reply, ticket)[0] == "en"


def test_a_canned_reply_form_lists_placeholders_and_refuses_unknown_ones(desk, manager):
    page = manager.get(reverse("support:settings_reply_new")).content.decode()
    for name in canned.PLACEHOLDERS:
        assert f"<code>{{{name}}}</code>" in page
    response = manager.post(
        reverse("support:settings_reply_new"), reply_data(text_en="Hi {customer_nmae}")
    )
    assert response.status_code == 400
    assert "Unknown placeholder {customer_nmae}" in response.content.decode()
    response = manager.post(
        reverse("support:settings_reply_new"), reply_data(text_en="", text_es="")
    )
    assert response.status_code == 400
    assert "Write the reply in at least one language." in response.content.decode()
    assert not CannedReply.objects.exists()


def test_the_preview_fills_in_a_sample_customer_without_saving(desk, manager):
    data = reply_data(action="preview")
    response = manager.post(reverse("support:settings_reply_new"), data)
    assert response.status_code == 200
    assert not CannedReply.objects.exists()
    preview = response.context["preview"]
    by_language = {row["language"]: row for row in preview}
    assert by_language["Spanish"]["text"] == (
        "Hola Alex Morgan, su reembolso (K7Q2MD) está en camino."
    )
    assert by_language["English"]["text"].startswith("Hello Alex Morgan, your refund for Premium")
    assert by_language["French"]["fallback"]
    assert by_language["French"]["used"] == "English"
    assert "Hola Alex Morgan" in response.content.decode()
    assert 'value="Refund on its way"' in response.content.decode()
    # htmx posts the same form and swaps the editor in: a mistake comes back as a 200 to swap.
    swapped = manager.post(
        reverse("support:settings_reply_new"),
        reply_data(text_en="Hi {agent}", action="preview"),
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 200
    assert "Unknown placeholder {agent}" in swapped.content.decode()
    assert not CannedReply.objects.exists()


def test_a_canned_reply_is_deleted_after_confirming(desk, manager):
    reply = CannedReply.objects.create(organization=desk.org, title="Old")
    CannedReplyTranslation.objects.create(reply=reply, language="en", body="Hi")
    page = manager.get(reverse("support:settings_reply", args=[reply.code])).content.decode()
    assert "Preview" in page
    assert "Hi" in page
    manager.post(reverse("support:settings_reply_delete", args=[reply.code]))
    assert not CannedReply.objects.filter(pk=reply.pk).exists()


# Desk settings ---------------------------------------------------------------------------------


def test_a_manager_changes_the_desk_settings(desk, manager):
    url = reverse("support:settings_desk")
    assert manager.get(url).status_code == 200
    response = manager.post(url, {"rating_delay_minutes": "60", "auto_close_days": "3"})
    assert response.status_code == 302
    settings = DeskSettings.objects.get(organization=desk.org)
    assert (settings.rating_delay_minutes, settings.auto_close_days) == (60, 3)
    response = manager.post(url, {"rating_delay_minutes": "-1", "auto_close_days": "3"})
    assert response.status_code == 400
    settings.refresh_from_db()
    assert settings.rating_delay_minutes == 60


def test_the_rating_survey_must_be_a_live_survey_with_the_rating_question(
    personas, desk, manager, live_survey
):

    standard = rating_survey(desk.org)
    url = reverse("support:settings_desk")
    data = {"rating_delay_minutes": "10", "auto_close_days": "7"}
    response = manager.post(url, data | {"rating_survey": live_survey.pk})
    assert response.status_code == 400  # it has no "treated" CSAT question
    response = manager.post(url, data | {"rating_survey": standard.pk})
    assert response.status_code == 302
    assert DeskSettings.objects.get(organization=desk.org).rating_survey == standard


# Permissions -----------------------------------------------------------------------------------

LIST_PAGES = [
    "support:settings",
    "support:settings_teams",
    "support:settings_team_new",
    "support:settings_policies",
    "support:settings_policy_new",
    "support:settings_replies",
    "support:settings_reply_new",
    "support:settings_desk",
]


@pytest.fixture
def configured(desk):
    policy = SlaPolicy.objects.create(
        organization=desk.org, name="Acme SLA", first_response_minutes=60
    )
    reply = CannedReply.objects.create(organization=desk.org, title="Acme reply")
    CannedReplyTranslation.objects.create(reply=reply, language="en", body="Hi")
    return [
        reverse("support:settings_team", args=[desk.team.code]),
        reverse("support:settings_policy", args=[policy.code]),
        reverse("support:settings_policy_delete", args=[policy.code]),
        reverse("support:settings_reply", args=[reply.code]),
        reverse("support:settings_reply_delete", args=[reply.code]),
    ]


@pytest.mark.parametrize("role", [Role.AGENT, Role.ANALYST])
def test_agents_and_analysts_get_403(personas, configured, role):
    client = personas.client(role)
    for url in [reverse(name) for name in LIST_PAGES] + configured:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "Hacked", "title": "Hacked"}).status_code == 403, url
    assert SlaPolicy.objects.count() == CannedReply.objects.count() == Team.objects.count() == 1


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_owners_and_managers_reach_every_page(personas, configured, role):
    client = personas.client(role)
    for url in [reverse(name) for name in LIST_PAGES] + configured:
        assert client.get(url).status_code == 200, url


def test_an_outsider_gets_404_and_sees_nothing_of_this_workspace(personas, desk, configured):
    outsider = personas.client(personas.outsider)
    for url in configured:
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url, {"name": "Hacked", "title": "Hacked"}).status_code == 404, url
    assert SlaPolicy.objects.filter(organization=desk.org).count() == 1
    assert CannedReply.objects.filter(organization=desk.org).count() == 1
    for name, text in [
        ("support:settings_teams", "help@acme.test"),
        ("support:settings_policies", "Acme SLA"),
        ("support:settings_replies", "Acme reply"),
    ]:
        response = outsider.get(reverse(name))
        assert response.status_code == 200  # their own workspace's page
        assert text not in response.content.decode()
    # Anonymous visitors are sent to sign in.
    assert Client().get(reverse("support:settings")).status_code == 302


def test_the_settings_forms_need_the_csrf_token(personas, desk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.members[Role.MANAGER])
    url = reverse("support:settings_desk")
    data = {"rating_delay_minutes": "5", "auto_close_days": "2"}
    assert client.post(url, data).status_code == 403
    assert not DeskSettings.objects.filter(organization=desk.org, auto_close_days=2).exists()
    client.get(url)  # sets the CSRF cookie, as a browser showing the form would
    token = client.cookies["csrftoken"].value
    assert client.post(url, data | {"csrfmiddlewaretoken": token}).status_code == 302
    assert DeskSettings.objects.get(organization=desk.org).auto_close_days == 2


def test_the_desk_links_to_the_settings_for_managers_only(personas, desk):
    link = reverse("support:settings")
    assert link in personas.client(Role.MANAGER).get(reverse("support:queue")).content.decode()
    assert link not in personas.client(Role.AGENT).get(reverse("support:queue")).content.decode()


def test_list_pages_do_not_query_per_row(personas, desk, manager, django_assert_max_num_queries):
    for n in range(10):
        team = Team.objects.create(organization=desk.org, name=f"T{n}", manager=desk.manager)
        team.members.set([desk.alice])
        SlaPolicy.objects.create(organization=desk.org, name=f"P{n}", team=team)
        reply = CannedReply.objects.create(organization=desk.org, title=f"R{n}", team=team)
        CannedReplyTranslation.objects.create(reply=reply, language="en", body="Hi")
        CannedReplyTranslation.objects.create(reply=reply, language="es", body="Hola")
    for name in ("support:settings_teams", "support:settings_policies", "support:settings_replies"):
        with django_assert_max_num_queries(6):
            assert manager.get(reverse(name)).status_code == 200


# Attachments -----------------------------------------------------------------------------------


@pytest.fixture
def attached(desk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return do_create_ticket(
        desk.org,
        customer=desk.customer,
        subject="Factura",
        body="Adjunto la factura.",
        channel="email",
        attachments=[
            NewAttachment("factura nº 7.pdf", "application/pdf", b"%PDF-1.4 factura"),
            NewAttachment("page.html", "text/html; charset=utf-8", b"<script>x</script>"),
            NewAttachment("logo.svg", "image/svg+xml", b"<svg onload=alert(1)/>"),
            NewAttachment("a\r\nb.txt", "text/plain\r\nX-Evil: 1", b"hello"),
        ],
    )


def _attachments(ticket):
    return list(ticket.messages.get().attachments.order_by("pk"))


@pytest.mark.parametrize("role", [Role.AGENT, Role.ANALYST, Role.MANAGER])
def test_members_who_read_the_ticket_download_its_attachments(personas, attached, role):
    pdf, html, svg, broken = _attachments(attached)
    client = personas.client(role)
    page = client.get(attached.get_absolute_url()).content.decode()
    assert reverse("support:attachment", args=[pdf.code]) in page
    response = client.get(reverse("support:attachment", args=[pdf.code]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 factura"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''factura%20n%C2%BA%207.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    for risky in (html, svg, broken):
        response = client.get(reverse("support:attachment", args=[risky.code]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
    response = client.get(reverse("support:attachment", args=[broken.code]))
    assert response["Content-Disposition"] == 'attachment; filename="ab.txt"'


def test_outsiders_cannot_download_attachments(personas, attached):
    pdf = _attachments(attached)[0]
    url = reverse("support:attachment", args=[pdf.code])
    assert personas.client(personas.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    missing = reverse("support:attachment", args=["00000000-0000-0000-0000-000000000000"])
    assert personas.client(Role.AGENT).get(missing).status_code == 404


def test_an_attachment_whose_file_is_gone_is_404(personas, attached):
    pdf = _attachments(attached)[0]
    pdf.file.delete(save=False)
    assert (
        personas.client(Role.AGENT).get(reverse("support:attachment", args=[pdf.code])).status_code
        == 404
    )


def test_a_team_closes_on_its_countrys_public_holidays(desk, manager):
    data = team_data(desk, country="ES", subdivision="ct", holidays="", recurring_holidays="")
    response = manager.post(reverse("support:settings_team_new"), data)
    assert response.status_code == 302
    calendar = sla.team_calendar(Team.objects.get(name="Billing"))
    assert calendar.is_holiday(date(2027, 10, 12))  # Fiesta Nacional de España
    assert calendar.is_holiday(date(2027, 9, 11))  # Diada, Catalonia only
    assert not calendar.is_holiday(date(2027, 10, 13))
    page = manager.get(
        reverse("support:settings_team", args=[Team.objects.get(name="Billing").code])
    )
    assert '<option value="ES" selected>' in page.content.decode()


def test_an_unknown_region_is_refused_and_nothing_is_saved(desk, manager):
    data = team_data(desk, country="ES", subdivision="XX")
    response = manager.post(reverse("support:settings_team_new"), data)
    assert response.status_code == 400
    assert "ES has no region" in response.content.decode()
    assert not Team.objects.filter(name="Billing").exists()
