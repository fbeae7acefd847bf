import secrets
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from contento.accounts.actions import do_create_organization, do_create_user
from contento.accounts.models import Organization, User
from contento.env import env_str

DEFAULT_BUSINESS_NAME = "My business"


class Command(BaseCommand):
    help = (
        "Prepare this installation: migrate the database, compile translations, collect static "
        "files, and on first run create the owner account and load the demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="Do not load demo data.")
        parser.add_argument(
            "--business-name",
            default=env_str("CONTENTO_BUSINESS_NAME"),
            help="The name of your business, for its workspace (default: asked, or "
            f"{DEFAULT_BUSINESS_NAME!r} when nobody is there to answer).",
        )

    def business_name(self) -> str:
        """Ask for the business's name at a terminal; take the default anywhere else."""
        if not sys.stdin.isatty():
            return DEFAULT_BUSINESS_NAME
        try:
            answer = input(f"Your business's name [{DEFAULT_BUSINESS_NAME}]: ").strip()
        except EOFError:
            answer = ""
        return answer[:200] or DEFAULT_BUSINESS_NAME

    def handle(self, no_demo, business_name, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        settings.VAR_DIR.chmod(0o700)  # also a var/ made by an earlier version
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("compiletranslations", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        login_file = settings.VAR_DIR / "owner-login.txt"
        if not Organization.objects.filter(is_demo=False).exists():
            name = business_name or self.business_name()
            email = env_str("CONTENTO_OWNER_EMAIL", "owner@example.com")
            password = env_str("CONTENTO_OWNER_PASSWORD") or secrets.token_urlsafe(12)
            user = User.objects.filter(email=email).first() or do_create_user(
                email=email, password=password, name="Owner"
            )
            do_create_organization(name=name, owner=user)
            self.stdout.write(f"Created the workspace {name!r}; rename it in Settings.")
            login_file.write_text(f"{email}\n{password}\n")
            login_file.chmod(0o600)
            if not no_demo:
                self.stdout.write(
                    "Loading demo data into a separate workspace (first run only; "
                    "`contento demo --remove` deletes it)..."
                )
                call_command("demo")
        if login_file.exists():
            email, password = login_file.read_text().split("\n")[:2]
            if User.objects.filter(email=email, last_login__isnull=False).exists():
                # The owner has signed in: the first password is theirs to change, not ours to
                # print on every start or keep on disk.
                login_file.unlink()
                return
            self.stdout.write(
                self.style.SUCCESS(
                    f"\nSign in at {settings.SITE_URL}/ as {email} with password {password}\n"
                    f"(saved in {login_file}; change it after signing in)\n"
                )
            )
