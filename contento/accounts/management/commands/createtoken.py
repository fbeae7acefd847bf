from django.core.management.base import BaseCommand, CommandError

from contento.accounts.actions import AccountError, do_create_api_token
from contento.accounts.models import Membership


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--workspace", help="Organisation code (default: the user's first).")

    def handle(self, email, name, workspace, **options):
        memberships = Membership.objects.filter(user__email__iexact=email).select_related(
            "organization"
        )
        if workspace:
            memberships = memberships.filter(organization__code=workspace)
        membership = memberships.order_by("created_at", "pk").first()
        if membership is None:
            raise CommandError(
                f"{email} is not a member of any workspace{' with that code' if workspace else ''}."
            )
        try:
            _token, key = do_create_api_token(membership, name)
        except AccountError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(key)
