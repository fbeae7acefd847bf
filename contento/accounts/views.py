from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from contento.accounts.access import member_required
from contento.accounts.actions import (
    AccountError,
    do_add_member,
    do_create_api_token,
    do_create_user,
    do_remove_member,
    do_revoke_api_token,
)
from contento.accounts.middleware import SESSION_KEY
from contento.accounts.models import ApiToken, Membership, User
from contento.accounts.roles import Role
from contento.core import health
from contento.core.ratelimits import login_rate


@method_decorator(ratelimit(key="ip", rate=login_rate, method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


@member_required("installation.status")
def background_status(request, membership):
    """The background work at a glance: queues, workers, mail listener, problems."""
    return render(request, "accounts/status.html", {"state": health.report()})


@login_required
def home(request):
    membership = request.membership
    if membership is None:
        return render(request, "accounts/no_workspace.html")
    if membership.can("survey.view"):
        return redirect("surveys:list")
    return redirect("customers:list")


@login_required
@require_POST
def switch_workspace(request, code):
    membership = Membership.objects.filter(user=request.user, organization__code=code).first()
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = str(code)
    return redirect("home")


@member_required("members.manage")
def members(request, membership):
    org = membership.organization
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                _add_member(request, org)
            else:
                target = Membership.objects.filter(
                    organization=org, pk=_int(request.POST.get("member"))
                ).first()
                if target is None:
                    raise Http404
                if action == "role":
                    do_add_member(
                        organization=org, user=target.user, role=request.POST.get("role", "")
                    )
                    messages.success(request, _("Role changed."))
                elif action == "remove":
                    do_remove_member(target)
                    messages.success(request, _("Member removed."))
        except AccountError as error:
            messages.error(request, str(error))
        return redirect("accounts:members")
    rows = (
        Membership.objects.filter(organization=org).select_related("user").order_by("user__email")
    )
    return render(request, "accounts/members.html", {"members": rows, "roles": Role.choices})


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _add_member(request, org):
    email = request.POST.get("email", "").strip().lower()
    role = request.POST.get("role", "")
    if not email or "@" not in email:
        raise AccountError(_("Enter the new member's email address."))
    user = User.objects.filter(email__iexact=email).first()
    password = None
    if user is None:
        password = request.POST.get("password") or None
        if not password or len(password) < 10:
            raise AccountError(_("A new user needs a first password of at least 10 characters."))
        user = do_create_user(email=email, password=password, name=request.POST.get("name", ""))
    do_add_member(organization=org, user=user, role=role)
    messages.success(request, _("%(email)s is now a member.") % {"email": email})


@member_required("workspace.use")
def tokens(request, membership):
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            token = ApiToken.objects.filter(
                membership=membership, code=request.POST.get("token")
            ).first()
            if token is None:
                raise Http404
            do_revoke_api_token(token)
            messages.success(request, _("Token revoked."))
            return redirect("accounts:tokens")
        try:
            _token, new_key = do_create_api_token(membership, request.POST.get("name", ""))
        except AccountError as error:
            messages.error(request, str(error))
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": ApiToken.objects.filter(membership=membership),
            "new_key": new_key,
        },
    )
