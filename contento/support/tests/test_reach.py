"""The page that tells staff how customers reach the desk."""

from django.urls import reverse

from contento.accounts.roles import Role
from contento.support.models import Team


def test_the_help_centre_chat_and_addresses_are_shown_with_qr_codes(personas, settings):
    settings.SUPPORT_EMAIL = "help@acme.test"
    Team.objects.create(organization=personas.org, name="Billing", email_address="bill@acme.test")
    page = personas.client(Role.AGENT).get(reverse("support:reach")).content.decode()
    help_centre = "http://testserver" + reverse("support_public:contact", args=[personas.org.code])
    assert help_centre in page
    assert help_centre + "chat/" in page
    assert "bill@acme.test" in page
    assert "help@acme.test" in page  # the first workspace receives the installation's address
    assert page.count("<svg") >= 2


def test_the_public_address_is_used_in_links_and_codes(personas):
    personas.org.public_url = "https://help.acme.test"
    personas.org.save()
    page = personas.client(Role.AGENT).get(reverse("support:reach")).content.decode()
    assert f"https://help.acme.test/help/{personas.org.code}/" in page


def test_qr_codes_download_as_files(personas):
    client = personas.client(Role.AGENT)
    png = client.get(reverse("support:reach_qr", args=["help", "png"]))
    svg = client.get(reverse("support:reach_qr", args=["chat", "svg"]))
    assert png.content.startswith(b"\x89PNG")
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert client.get(reverse("support:reach_qr", args=["other", "png"])).status_code == 404


def test_another_workspace_sees_its_own_addresses(personas):
    Team.objects.create(organization=personas.org, name="Billing", email_address="bill@acme.test")
    page = personas.client(personas.outsider).get(reverse("support:reach")).content.decode()
    assert "bill@acme.test" not in page
    assert str(personas.other_org.code) in page


def test_a_visitor_gets_no_qr_code(client):
    response = client.get(reverse("support:reach_qr", args=["help", "png"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
