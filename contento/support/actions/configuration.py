"""Changes to the desk's configuration: teams and their calendars, SLA policies, canned replies
and the desk settings.

The settings pages call these functions, so every write is checked for the workspace and made
in one transaction.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contento.accounts.models import Membership
from contento.core import queues
from contento.support.businesshours import Calendar
from contento.support.models import (
    CannedReply,
    CannedReplyTranslation,
    DeskSettings,
    SlaPolicy,
    Team,
)


def _refresh_due_times_later(organization) -> None:
    queues.enqueue_on_commit("contento.support.tasks.refresh_due_times", organization.pk)


def _check_members(organization, members) -> None:
    for member in members:
        if member is not None and member.organization_id != organization.pk:
            raise ValidationError("That person is not a member of this workspace.")


def _check_team(organization, team) -> None:
    if team is not None and team.organization_id != organization.pk:
        raise ValidationError("The team belongs to another workspace.")


# Teams -----------------------------------------------------------------------------------------


@transaction.atomic
def do_save_team(
    organization,
    team: Team | None = None,
    *,
    name: str,
    email_address: str = "",
    members: Iterable[Membership] = (),
    manager: Membership | None = None,
    assignment: str = Team.Assignment.ROUND_ROBIN,
    calendar: Calendar | None = None,
) -> Team:
    """Create a team (when `team` is None) or change one, with its members and calendar.

    The inbound address is kept in lower case (mail is matched case-insensitively) and must be
    no other team's. `calendar` None keeps the team's calendar as it is; a changed calendar
    has the open tickets' due times recomputed in the background.
    """
    members = list(members)
    _check_members(organization, [*members, manager])
    if team is None:
        team = Team(organization=organization)
    elif team.organization_id != organization.pk:
        raise ValidationError("The team belongs to another workspace.")
    if assignment not in Team.Assignment.values:
        raise ValidationError(f"Unknown assignment rule {assignment!r}.")
    email_address = (email_address or "").strip().lower()
    if (
        email_address
        and Team.objects.filter(email_address__iexact=email_address).exclude(pk=team.pk).exists()
    ):
        raise ValidationError("Another team already receives mail at this address.")
    team.name = name.strip()
    team.email_address = email_address
    team.manager = manager
    team.assignment = assignment
    if calendar is not None and calendar.to_dict() != team.calendar:
        team.calendar = calendar.to_dict()
        if team.pk is not None:
            _refresh_due_times_later(organization)  # the team's due times move with its hours
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as error:  # two requests saving the same address at once
        raise ValidationError("Another team already receives mail at this address.") from error
    team.members.set(members)
    return team


# SLA policies ----------------------------------------------------------------------------------


@transaction.atomic
def do_save_sla_policy(
    organization,
    policy: SlaPolicy | None = None,
    *,
    name: str,
    team: Team | None = None,
    priority: str = "",
    first_response_minutes: int | None = None,
    update_minutes: int | None = None,
    resolution_minutes: int | None = None,
    warning_percent: int = 80,
) -> SlaPolicy:
    """Create an SLA policy (when `policy` is None) or change one.

    Open tickets get their due times recomputed in the background once this commits.
    """
    _check_team(organization, team)
    if policy is None:
        policy = SlaPolicy(organization=organization)
    elif policy.organization_id != organization.pk:
        raise ValidationError("The policy belongs to another workspace.")
    if not 1 <= warning_percent <= 100:
        raise ValidationError("The warning threshold is a percentage from 1 to 100.")
    policy.name = name.strip()
    policy.team = team
    policy.priority = priority or ""
    policy.first_response_minutes = first_response_minutes
    policy.update_minutes = update_minutes
    policy.resolution_minutes = resolution_minutes
    policy.warning_percent = warning_percent
    policy.save()
    _refresh_due_times_later(organization)
    return policy


@transaction.atomic
def do_delete_sla_policy(policy: SlaPolicy) -> None:
    """Delete a policy; open tickets get their due times recomputed in the background."""
    organization = policy.organization
    policy.delete()
    _refresh_due_times_later(organization)


# Canned replies --------------------------------------------------------------------------------


@transaction.atomic
def do_save_canned_reply(
    organization,
    reply: CannedReply | None = None,
    *,
    title: str,
    team: Team | None = None,
    texts: dict[str, str],
) -> CannedReply:
    """Create a canned reply (when `reply` is None) or change one, with one text per language.

    A language whose text is empty is removed from the reply; at least one text is needed.
    """
    _check_team(organization, team)
    texts = {language: body.strip() for language, body in texts.items() if body and body.strip()}
    if not texts:
        raise ValidationError("Write the reply in at least one language.")
    if reply is None:
        reply = CannedReply(organization=organization)
    elif reply.organization_id != organization.pk:
        raise ValidationError("The reply belongs to another workspace.")
    reply.title = title.strip()
    reply.team = team
    reply.save()
    reply.translations.exclude(language__in=list(texts)).delete()
    for language, body in texts.items():
        CannedReplyTranslation.objects.update_or_create(
            reply=reply, language=language, defaults={"body": body}
        )
    return reply


@transaction.atomic
def do_delete_canned_reply(reply: CannedReply) -> None:
    reply.delete()


# Desk settings ---------------------------------------------------------------------------------


@transaction.atomic
def do_update_desk_settings(
    organization,
    *,
    rating_delay_minutes: int,
    auto_close_days: int,
    rating_survey=None,
) -> DeskSettings:
    """Change how the desk asks for ratings and closes solved tickets.

    `rating_survey` None keeps the default one, created on first use by `ratings.rating_survey`.
    """
    if rating_survey is not None and rating_survey.organization_id != organization.pk:
        raise ValidationError("The survey belongs to another workspace.")
    settings, _created = DeskSettings.objects.select_for_update().get_or_create(
        organization=organization
    )
    settings.rating_delay_minutes = rating_delay_minutes
    settings.auto_close_days = auto_close_days
    if rating_survey is not None:
        settings.rating_survey = rating_survey
    settings.save()
    return settings
