import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from contento.accounts.actions import do_create_organization, do_create_user
from contento.accounts.models import Organization, User
from contento.env import env_str


class Command(BaseCommand):
    help = (
        "Prepare this installation: migrate the database, compile translations, collect static "
        "files, and on first run create the owner account and load the demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")

    def handle(self, no_demo, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        settings.VAR_DIR.chmod(0o700)  # also a var/ made by an earlier version
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("compiletranslations", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        login_file = settings.VAR_DIR / "owner-login.txt"
        if not Organization.objects.exists():
            email = env_str("CONTENTO_OWNER_EMAIL", "owner@example.com")
            password = env_str("CONTENTO_OWNER_PASSWORD") or secrets.token_urlsafe(12)
            user = User.objects.filter(email=email).first() or do_create_user(
                email=email, password=password, name="Owner"
            )
            org = do_create_organization(name="Nimbus Connect", owner=user)
            login_file.write_text(f"{email}\n{password}\n")
            login_file.chmod(0o600)
            if not no_demo:
                self.stdout.write("Loading demo data (first run only)...")
                call_command("demo", workspace=str(org.code))
        if login_file.exists():
            email, password = login_file.read_text().split("\n")[:2]
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nSign in at {settings.SITE_URL}/ as {email} with password {password}\n"
                    f"(saved in {login_file}; change it after signing in)\n"
                )
            )
