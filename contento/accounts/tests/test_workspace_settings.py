"""The owner makes the workspace theirs: name, brand, language, time zone, sender, address."""

import datetime
import re
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contento.accounts.actions import (
    do_create_demo_workspace,
    do_set_workspace_logo,
    do_update_workspace,
)
from contento.accounts.models import Organization
from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.surveys.actions import do_invite_customers
from contento.surveys.links import personal_url
from contento.surveys.models import Invitation
from contento.surveys.tasks import send_invitation

URL = reverse("accounts:workspace")
SETTINGS = {
    "name": "Panadería Ana",
    "default_language": "es",
    "brand_colour": "#7a1f5c",
    "time_zone": "America/Mexico_City",
    "sender_name": "Ana de Panadería Ana",
    "reply_to": "hola@panaderia.test",
    "public_url": "https://opina.panaderia.test",
    "survey_gap_days": 14,
    "quiet_hours_start": datetime.time(20, 30),
    "quiet_hours_end": datetime.time(8, 0),
}


def test_the_owner_changes_every_setting(personas):
    response = personas.client(Role.OWNER).post(URL, SETTINGS)
    assert response.status_code == 302
    org = Organization.objects.get(pk=personas.org.pk)
    assert {name: getattr(org, name) for name in SETTINGS} == SETTINGS


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT, Role.ANALYST])
def test_only_the_owner_may_change_the_settings(personas, role):
    client = personas.client(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL, SETTINGS).status_code == 403
    assert Organization.objects.get(pk=personas.org.pk).name == "Acme"


def test_an_outsider_changes_only_their_own_workspace(personas):
    personas.client(personas.outsider).post(URL, SETTINGS)
    assert Organization.objects.get(pk=personas.org.pk).name == "Acme"
    assert Organization.objects.get(pk=personas.other_org.pk).name == "Panadería Ana"


def test_signed_out_visitors_are_sent_to_sign_in(personas):
    response = personas.client().get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_colour_too_light_for_white_text_is_refused_and_nothing_saved(personas):
    response = personas.client(Role.OWNER).post(URL, {**SETTINGS, "brand_colour": "#ffbf47"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "contrast is 1.6:1" in body
    assert "4.5:1" in body
    assert Organization.objects.get(pk=personas.org.pk).name == "Acme"


@pytest.mark.parametrize(
    ("field", "value"),
    [("brand_colour", "blue"), ("time_zone", "Mars/Olympus"), ("reply_to", "not an address")],
)
def test_bad_values_say_why(personas, field, value):
    response = personas.client(Role.OWNER).post(URL, {**SETTINGS, field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert Organization.objects.get(pk=personas.org.pk).name == "Acme"


def test_the_action_refuses_fields_that_are_not_settings(personas):
    with pytest.raises(Exception, match="cannot be changed"):
        do_update_workspace(personas.org, {"is_demo": True})
    assert Organization.objects.get(pk=personas.org.pk).is_demo is False


def test_customers_see_the_brand_on_survey_pages(personas, live_survey, client):
    do_update_workspace(personas.org, {"brand_colour": "#7a1f5c", "name": "Panadería Ana"})
    body = client.get(reverse("public:open", args=[live_survey.code])).content.decode()
    assert '<header class="business"><p>Panadería Ana</p></header>' in body
    stylesheet = re.search(r'<link rel="stylesheet" href="(/brand/[^"]+)">', body).group(1)
    css = client.get(stylesheet)
    assert css["Content-Type"] == "text/css"
    assert "--brand: #7a1f5c;" in css.content.decode()


def test_the_help_centre_wears_the_brand(personas, client):
    do_update_workspace(personas.org, {"brand_colour": "#7a1f5c"})
    body = client.get(reverse("support_public:contact", args=[personas.org.code])).content
    assert f"/brand/{personas.org.code}.css?v=7a1f5c".encode() in body


def _invite(survey, customer) -> Invitation:
    do_invite_customers(survey, [customer])
    invitation = Invitation.objects.get(survey=survey, customer=customer)
    send_invitation.call(str(invitation.code))  # what the worker does
    return Invitation.objects.get(pk=invitation.pk)


def test_emails_come_from_the_sender_name_with_the_reply_to(personas, live_survey):
    do_update_workspace(personas.org, SETTINGS)
    customer = do_create_customer(personas.org, name="Lu", email="lu@example.test")
    _invite(live_survey, customer)
    (message,) = mail.outbox
    assert str(make_header(decode_header(message.message()["From"]))).startswith(
        "Ana de Panadería Ana <"
    )
    assert message.reply_to == ["hola@panaderia.test"]
    html = message.alternatives[0][0]
    assert re.search(r"background: ?#7a1f5c", html)
    assert "https://opina.panaderia.test/s/" in message.body


def test_links_to_customers_start_with_the_public_address(personas, live_survey):
    customer = do_create_customer(personas.org, name="Lu", email="lu@example.test")
    do_update_workspace(personas.org, {"public_url": "https://opina.panaderia.test/"})
    live_survey.organization.refresh_from_db()
    assert personal_url(live_survey, customer).startswith("https://opina.panaderia.test/s/")


def test_staff_pages_show_times_in_the_workspace_s_time_zone(personas):
    from django.utils import timezone

    do_update_workspace(personas.org, {"time_zone": "Asia/Ho_Chi_Minh"})
    response = personas.client(Role.OWNER).get(URL)
    assert response.status_code == 200
    assert timezone.get_current_timezone_name() != "Asia/Ho_Chi_Minh"  # reset after the page


def test_a_demo_workspace_is_deleted_after_typing_its_name(personas):
    demo = do_create_demo_workspace("Nimbus Connect (demo)", owners=[personas.owner])
    client = personas.client(Role.OWNER)
    client.post(reverse("accounts:switch", args=[demo.code]))
    remove = reverse("accounts:remove_demo")
    client.post(remove, {"confirm": "Nimbus"})
    assert Organization.objects.filter(pk=demo.pk).exists()
    client.post(remove, {"confirm": "Nimbus Connect (demo)"})
    assert not Organization.objects.filter(pk=demo.pk).exists()
    assert Organization.objects.filter(pk=personas.org.pk).exists()


def test_the_business_s_own_workspace_cannot_be_removed_as_a_demo(personas):
    response = personas.client(Role.OWNER).post(
        reverse("accounts:remove_demo"), {"confirm": "Acme"}
    )
    assert response.status_code == 404
    assert Organization.objects.filter(pk=personas.org.pk).exists()


def test_a_demo_workspace_sends_no_invitations(personas, live_survey):
    Organization.objects.filter(pk=personas.org.pk).update(is_demo=True)
    customer = do_create_customer(personas.org, name="Lu", email="lu@example.test")
    invitation = _invite(live_survey, customer)
    assert mail.outbox == []
    assert invitation.error == "The demo workspace sends no mail."


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the signature is what is checked


def test_the_logo_is_shown_above_survey_pages_and_served_as_an_image(personas, live_survey, client):
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = personas.client(Role.OWNER).post(URL, {**SETTINGS, "logo": logo})
    assert response.status_code == 302
    body = client.get(reverse("public:open", args=[live_survey.code])).content.decode()
    src = re.search(r'<img src="(/brand/[^"]+/logo\?v=\w+)" alt="" class="logo">', body).group(1)
    image = client.get(src)
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"
    assert b"".join(image.streaming_content) == PNG


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', "PNG"),
        ("logo.png", b"<html>not an image</html>", "PNG"),
        ("big.png", PNG + b"\x00" * 300_000, "256 KB"),
    ],
)
def test_a_logo_that_is_not_a_small_image_is_refused(personas, name, content, reason):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = personas.client(Role.OWNER).post(URL, {**SETTINGS, "logo": upload})
    assert response.status_code == 200
    assert reason in response.content.decode()
    org = Organization.objects.get(pk=personas.org.pk)
    assert not org.logo
    assert org.name == "Acme"  # nothing of the form was saved


def test_the_logo_can_be_removed(personas):
    client = personas.client(Role.OWNER)
    client.post(URL, {**SETTINGS, "logo": SimpleUploadedFile("l.png", PNG)})
    assert Organization.objects.get(pk=personas.org.pk).logo
    client.post(URL, {**SETTINGS, "logo-clear": "on"})
    assert not Organization.objects.get(pk=personas.org.pk).logo
    assert client.get(reverse("brand_logo", args=[personas.org.code])).status_code == 404


def test_emails_carry_the_logo_from_the_public_address(personas, live_survey):
    do_update_workspace(personas.org, SETTINGS)
    do_set_workspace_logo(personas.org, SimpleUploadedFile("logo.png", PNG))
    customer = do_create_customer(personas.org, name="Lu", email="lu@example.test")
    _invite(live_survey, customer)
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    logo = f"https://opina.panaderia.test/brand/{personas.org.code}/logo?v="
    assert f'<img src="{logo}' in html
    assert 'alt="Panadería Ana"' in html


def test_a_workspace_chooses_how_it_addresses_customers(personas, client):
    contact = reverse("support_public:contact", args=[personas.org.code])
    usual_vi = client.get(contact, {"lang": "vi"}).content.decode()
    usual_es = client.get(contact, {"lang": "es"}).content.decode()
    assert "Tên của bạn" in usual_vi
    assert "Su nombre" in usual_es
    response = personas.client(Role.OWNER).post(
        URL, {**SETTINGS, "registers": ["vi-formal", "es-informal"]}
    )
    assert response.status_code == 302
    formal_vi = client.get(contact, {"lang": "vi"})
    informal_es = client.get(contact, {"lang": "es"}).content.decode()
    assert "Tên của quý khách" in formal_vi.content.decode()
    assert '<html lang="vi">' in formal_vi.content.decode()  # still Vietnamese, to browsers
    assert formal_vi["Content-Language"] == "vi"
    assert "Tu nombre" in informal_es
    assert "Su nombre" not in informal_es
    # Another workspace keeps the usual register.
    other = reverse("support_public:contact", args=[personas.other_org.code])
    assert "Tên của bạn" in client.get(other, {"lang": "vi"}).content.decode()


def test_an_unknown_register_is_refused(personas):
    with pytest.raises(ValidationError):
        do_update_workspace(personas.org, {"registers": ["fr-tutoiement"]})


def test_the_widget_sites_are_typed_one_a_line(personas):
    owner = personas.client(Role.OWNER)
    refused = owner.post(
        URL, {**SETTINGS, "widget_origins": "https://shop.example.com\nnot a site"}
    )
    assert refused.status_code == 200
    assert "not a site" in refused.content.decode()
    assert Organization.objects.get(pk=personas.org.pk).widget_origins == []
    owner.post(URL, {**SETTINGS, "widget_origins": "https://shop.example.com/\n\n"})
    assert Organization.objects.get(pk=personas.org.pk).widget_origins == [
        "https://shop.example.com"
    ]
    assert "https://shop.example.com" in owner.get(URL).content.decode()
