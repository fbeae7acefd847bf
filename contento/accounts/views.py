import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from contento.accounts import audit
from contento.accounts.access import member_required
from contento.accounts.actions import (
    AccountError,
    do_create_api_token,
    do_create_organization,
    do_delete_workspace,
    do_remove_demo_workspaces,
    do_replace_widget_secret,
    do_revoke_api_token,
    do_set_workspace_logo,
    do_update_workspace,
    may_create_workspaces,
)
from contento.accounts.forms import WorkspaceForm
from contento.accounts.middleware import SESSION_KEY
from contento.accounts.models import DEFAULT_BRAND, ApiToken, Membership, Organization
from contento.accounts.roles import Role
from contento.core import health
from contento.core.colours import HEX_COLOUR

LOGO_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


@cache_control(public=True, max_age=86400)
def brand_css(request, code):
    """The workspace's brand colour as a stylesheet, for the pages customers see (public)."""
    organization = get_object_or_404(Organization, code=code)
    colour = organization.brand_colour
    colour = colour if HEX_COLOUR.fullmatch(colour) else DEFAULT_BRAND
    return HttpResponse(f":root {{ --brand: {colour}; }}\n", content_type="text/css")


@cache_control(public=True, max_age=86400)
def brand_logo(request, code):
    """The workspace's logo (public), as an image only: its type comes from its checked
    format, and the browser may neither sniff nor run it."""
    organization = get_object_or_404(Organization, code=code)
    kind = organization.logo.name.rpartition(".")[2]
    if not organization.logo or kind not in LOGO_CONTENT_TYPES:
        raise Http404("No logo.")
    try:
        file = organization.logo.open("rb")
    except FileNotFoundError:
        raise Http404("No logo.") from None
    response = FileResponse(file, content_type=LOGO_CONTENT_TYPES[kind])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


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
def workspaces(request):
    """The user's workspaces: switch between them, create one, delete one they own."""
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    may_create = may_create_workspaces(request.user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create" and may_create:
            name = request.POST.get("name", "").strip()[:200]
            if not name:
                messages.error(request, _("Give the new workspace a name."))
                return redirect("accounts:workspaces")
            with transaction.atomic():
                org = do_create_organization(name=name, owner=request.user)
                audit.record(org.memberships.get(user=request.user), "workspace.created", org)
            request.session[SESSION_KEY] = str(org.code)
            messages.success(request, _("The workspace %(name)s is created.") % {"name": name})
            return redirect("home")
        if action == "delete":
            membership = memberships.filter(
                organization__code=_uuid(request.POST.get("workspace")), role=Role.OWNER
            ).first()
            if membership is None:
                raise Http404("No such workspace of yours.")
            try:
                do_delete_workspace(
                    membership.organization, confirm=request.POST.get("confirm", "")
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The workspace is deleted."))
            return redirect("accounts:workspaces")
        raise PermissionDenied
    current = request.membership.organization_id if request.membership else None
    return render(
        request,
        "accounts/workspaces.html",
        {"memberships": memberships, "current": current, "may_create": may_create},
    )


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@login_required
@require_POST
def switch_workspace(request, code):
    membership = Membership.objects.filter(user=request.user, organization__code=code).first()
    if membership is None:
        raise Http404
    request.session[SESSION_KEY] = str(code)
    return redirect("home")


@member_required("workspace.configure")
def workspace_settings(request, membership):
    """The business's name, brand, language, time zone, sender and public address."""
    org = membership.organization
    form = WorkspaceForm(request.POST or None, request.FILES or None, organization=org)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        logo = changes.pop("logo")
        changed = sorted(name for name, value in changes.items() if getattr(org, name) != value)
        try:
            with transaction.atomic():
                do_update_workspace(org, changes)
                if changed:
                    audit.record(membership, "workspace.updated", org, fields=changed)
                if logo is not None:
                    do_set_workspace_logo(org, None if logo is False else logo)  # False: "Clear"
                    audit.record(membership, "workspace.logo", org, removed=logo is False)
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, _("The workspace settings are saved."))
            return redirect("accounts:workspace")
    return render(request, "accounts/workspace.html", {"form": form, "organization": org})


@require_POST
@member_required("workspace.configure")
def widget_secret(request, membership):
    """Make a new secret for the web widget's visitor tokens, or remove it."""
    org = membership.organization
    remove = request.POST.get("action") == "remove"
    with transaction.atomic():
        do_replace_widget_secret(org, remove=remove)
        audit.record(membership, "workspace.widget_secret", org, removed=remove)
    if remove:
        messages.success(request, _("The widget secret is removed: visitors stay anonymous."))
    else:
        messages.success(
            request,
            _("A new widget secret is made: tokens signed with the old one no longer work."),
        )
    return redirect(reverse("accounts:workspace") + "#widget")


@require_POST
@member_required("workspace.configure")
def remove_demo(request, membership):
    """Delete the demo workspace the owner is in, after they typed its name."""
    org = membership.organization
    if not org.is_demo:
        raise Http404("Only a demo workspace can be removed here.")
    if request.POST.get("confirm", "").strip() != org.name:
        messages.error(request, _("Type the workspace's name exactly to delete it."))
        return redirect("accounts:workspace")
    do_remove_demo_workspaces([org])
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("The demo workspace is deleted."))
    return redirect("home")


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
            audit.record(membership, "token.revoked", token)
            messages.success(request, _("Token revoked."))
            return redirect("accounts:tokens")
        try:
            token, new_key = do_create_api_token(membership, request.POST.get("name", ""))
            audit.record(membership, "token.created", token)
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
