"""The workspace's people: members and their roles, invitations by email, the audit log."""

import datetime

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from contento.accounts import audit
from contento.accounts.access import access_in_workspace, member_required
from contento.accounts.actions import (
    INVITATION_DAYS,
    AccountError,
    do_accept_invitation,
    do_add_member,
    do_invite_member,
    do_remove_member,
    do_revoke_invitation,
    invitation_token,
    open_invitation,
)
from contento.accounts.middleware import SESSION_KEY
from contento.accounts.models import AuditEvent, Invitation, Membership, User
from contento.accounts.roles import Role
from contento.core.downloads import csv_response
from contento.core.paging import paginate
from contento.core.ratelimits import public_rate

AUDIT_PAGE = 100
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@member_required("members.manage")
def members(request, membership):
    org = membership.organization
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                _invite(request, membership)
            elif action in {"resend", "withdraw"}:
                invitation = access_in_workspace(
                    membership,
                    "members.manage",
                    Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True),
                    request.POST.get("invitation"),
                    "invitation",
                )
                if action == "resend":
                    invitation = do_invite_member(
                        organization=org,
                        email=invitation.email,
                        role=invitation.role,
                        invited_by=request.user,
                    )
                    _send_invitation(request, invitation)
                else:
                    do_revoke_invitation(invitation)
                    audit.record(membership, "invitation.revoked", invitation)
                    messages.success(request, _("The invitation is withdrawn."))
            else:
                _change_member(request, membership, action)
        except AccountError as error:
            messages.error(request, str(error))
        return redirect("accounts:members")
    rows = (
        Membership.objects.filter(organization=org).select_related("user").order_by("user__email")
    )
    invitations = [
        (invitation, _invitation_link(invitation))
        for invitation in Invitation.objects.filter(
            organization=org, accepted_at__isnull=True, revoked_at__isnull=True
        )
    ]
    return render(
        request,
        "accounts/members.html",
        {
            "members": rows,
            "roles": Role.choices,
            "invitations": invitations,
            "invitation_days": INVITATION_DAYS,
        },
    )


def _change_member(request, membership, action):
    target = Membership.objects.filter(
        organization=membership.organization, pk=_int(request.POST.get("member"))
    ).first()
    if target is None:
        raise Http404
    if action == "role":
        before = target.role
        changed = do_add_member(
            organization=membership.organization,
            user=target.user,
            role=request.POST.get("role", ""),
        )
        audit.record(membership, "member.role", target.user, before=before, after=changed.role)
        messages.success(request, _("Role changed."))
    elif action == "remove":
        do_remove_member(target)
        audit.record(membership, "member.removed", target.user, role=target.role)
        messages.success(request, _("Member removed."))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _invite(request, membership):
    invitation = do_invite_member(
        organization=membership.organization,
        email=request.POST.get("email", ""),
        role=request.POST.get("role", ""),
        invited_by=request.user,
    )
    audit.record(membership, "member.invited", invitation, role=invitation.role)
    _send_invitation(request, invitation)


def _invitation_link(invitation: Invitation) -> str:
    path = reverse("accounts:invitation", args=[invitation_token(invitation)])
    return invitation.organization.public_link(path)


def _send_invitation(request, invitation: Invitation) -> None:
    """Email the invitation in the workspace's language; say so when it could not go, and
    leave the link on the page to pass on by hand."""
    org = invitation.organization
    if not org.sends_mail:
        messages.info(request, _("The demo workspace sends no mail: pass the link on yourself."))
        return
    context = {
        "organization": org,
        "inviter": request.user,
        "url": _invitation_link(invitation),
        "role": invitation.get_role_display(),
        "days": INVITATION_DAYS,
    }
    with translation.override(org.default_language):
        subject = _("%(name)s invites you to %(workspace)s on Contento") % {
            "name": request.user.name or request.user.email,
            "workspace": org.name,
        }
        text = render_to_string("accounts/email/member_invitation.txt", context)
        html = render_to_string("accounts/email/member_invitation.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=org.email_sender,
        to=[invitation.email],
        reply_to=[request.user.email],
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError:
        messages.warning(
            request,
            _(
                "The invitation is saved but its email could not be sent: "
                "pass the link on yourself."
            ),
        )
        return
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})


@ratelimit(key="ip", rate=public_rate, method="POST", block=True)
def accept_invitation(request, token):
    """Where an invitation's link leads: set a password and join, or join as the signed-in
    user the invitation is for."""
    try:
        invitation = open_invitation(token)
    except AccountError as error:
        return render(request, "accounts/invitation.html", {"problem": str(error)}, status=410)
    user = request.user if request.user.is_authenticated else None
    existing = user is None and User.objects.filter(email__iexact=invitation.email).exists()
    errors = []
    if request.method == "POST" and not existing:
        name = request.POST.get("name", "")
        password = request.POST.get("password", "")
        try:
            if user is None:
                if password != request.POST.get("password2", ""):
                    raise ValidationError(_("The two passwords differ."))
                password_validation.validate_password(
                    password, User(email=invitation.email, name=name)
                )
            joined = do_accept_invitation(invitation, user=user, name=name, password=password)
        except ValidationError as error:
            errors = error.messages
        except AccountError as error:
            errors = [str(error)]
        else:
            if user is None:
                auth_login(request, joined.user, backend=MODEL_BACKEND)
            request.session[SESSION_KEY] = str(joined.organization.code)
            audit.record(joined, "member.joined", joined.user, role=joined.role)
            messages.success(
                request,
                _("Welcome to %(workspace)s.") % {"workspace": joined.organization.name},
            )
            return redirect("home")
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": invitation,
            "existing": existing,
            "wrong_user": user is not None and user.email.lower() != invitation.email.lower(),
            "errors": errors,
            "password_help": password_validation.password_validators_help_texts(),
        },
    )


@member_required("audit.view")
def audit_log(request, membership):
    """Who did what in the workspace, newest first; filterable and exportable."""
    events = AuditEvent.objects.filter(organization=membership.organization).select_related("actor")
    action = request.GET.get("action", "")
    if action in audit.ACTIONS:
        events = events.filter(action=action)
    actor = _int(request.GET.get("actor"))
    if actor:
        events = events.filter(actor_id=actor)
    start = _date(request.GET.get("from"))
    end = _date(request.GET.get("to"))
    if start:
        events = events.filter(created_at__date__gte=start)
    if end:
        events = events.filter(created_at__date__lte=end)
    if request.GET.get("download") == "csv":
        return csv_response(
            ["time", "person", "action", "object_type", "object_code", "detail"],
            [
                [
                    event.created_at.isoformat(),
                    event.actor.email if event.actor else "",
                    event.action,
                    event.object_type,
                    event.object_code,
                    _detail_text(event.detail),
                ]
                for event in events.iterator()
            ],
            "audit-log",
        )
    page, query = paginate(request, events, AUDIT_PAGE)
    people = User.objects.filter(
        pk__in=AuditEvent.objects.filter(organization=membership.organization)
        .values("actor")
        .distinct()
    ).order_by("email")
    return render(
        request,
        "accounts/audit.html",
        {
            "page": page,
            "rows": [(event, audit.describe(event), _detail_text(event.detail)) for event in page],
            "actions": [(code, str(label)) for code, label in audit.ACTIONS.items()],
            "people": people,
            "chosen": {"action": action, "actor": actor, "from": start, "to": end},
            "query": query,
        },
    )


def _date(value):
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def _detail_text(detail: dict) -> str:
    return "; ".join(f"{key}: {value}" for key, value in sorted(detail.items()))
