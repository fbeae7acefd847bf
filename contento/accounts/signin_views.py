"""Signing in: password, then the second factor where the user has one; password change and
reset by email; the user's own two-factor settings."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.decorators import ratelimit

from contento.accounts import twofactor
from contento.accounts.models import User
from contento.core.ratelimits import login_rate

# A password that was right waits this long for its second factor, then the sign-in restarts.
PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 300


@method_decorator(ratelimit(key="ip", rate=login_rate, method="POST", block=True), name="post")
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not twofactor.has_two_factor(user):
            return super().form_valid(form)
        # Nothing is signed in yet: the session holds which user waits for which step.
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "hash": user.get_session_auth_hash(),
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_verify")


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING_KEY) or {}
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    # A password changed meanwhile ends the pending sign-in, as it ends sessions.
    if user is None or user.get_session_auth_hash() != pending.get("hash"):
        return None, {}
    return user, pending


@ratelimit(key="ip", rate=login_rate, method="POST", block=True)
def login_verify(request):
    """The second step of signing in: a code from the authenticator app or a recovery code."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    error = None
    if request.method == "POST":
        device = twofactor.verify(user, request.POST.get("code", ""))
        if device is not None:
            del request.session[PENDING_KEY]
            auth_login(request, user, backend=pending["backend"])
            left = twofactor.recovery_codes_left(user)
            if device.persistent_id.startswith("otp_static") and left < 3:
                messages.warning(
                    request,
                    ngettext(
                        "You have %(count)d recovery code left. "
                        "Make new ones in Two-factor sign-in.",
                        "You have %(count)d recovery codes left. "
                        "Make new ones in Two-factor sign-in.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(pending["next"])
        error = _("That code is not right, or it was used already. Try the newest code.")
    return render(request, "registration/login_verify.html", {"error": error})


@login_required
def two_factor(request):
    """The user's own second factor: set up an authenticator app, make new recovery codes,
    turn it off (unless a workspace requires it)."""
    user = request.user
    codes = None
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "start":
            twofactor.start_enrolment(user)
        elif action == "confirm":
            device = twofactor.pending_enrolment(user)
            codes = (
                twofactor.confirm_enrolment(device, request.POST.get("code", ""))
                if device
                else None
            )
            if codes is None:
                error = _(
                    "That code is not right. Check the time on your phone and try the newest code."
                )
            else:
                messages.success(request, _("Two-factor sign-in is on."))
        elif action in {"codes", "off"}:
            if not user.check_password(request.POST.get("password", "")):
                error = _("Your password is not right.")
            elif action == "codes":
                codes = twofactor.new_recovery_codes(user)
            elif twofactor.is_required(user):
                error = _("A workspace you belong to requires two-factor sign-in.")
            else:
                twofactor.turn_off(user)
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("accounts:two_factor")
        if codes is None and error is None:
            return redirect("accounts:two_factor")
    enrolled = twofactor.has_two_factor(user)
    device = None if enrolled else twofactor.pending_enrolment(user)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enrolled": enrolled,
            "device": device,
            "qr_code": twofactor.qr_code_svg(device) if device else "",
            "secret": twofactor.secret_text(device) if device else "",
            "codes": codes,
            "codes_left": twofactor.recovery_codes_left(user) if enrolled else 0,
            "required": twofactor.is_required(user),
            "error": error,
        },
    )


class LocalizedPasswordResetForm(PasswordResetForm):
    """Sends the reset email in the language of the user it is for."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with translation.override(context["user"].language or None):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view; the link starts with the installation's own address, never with
    the Host header a request brought."""

    form_class = LocalizedPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


password_change = auth_views.PasswordChangeView.as_view(
    success_url=reverse_lazy("accounts:password_change_done")
)
password_change_done = auth_views.PasswordChangeDoneView.as_view()
password_reset = ratelimit(key="ip", rate=login_rate, method="POST", block=True)(
    PasswordResetView.as_view()
)
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = ratelimit(key="ip", rate=login_rate, method="POST", block=True)(
    auth_views.PasswordResetConfirmView.as_view(
        success_url=reverse_lazy("accounts:password_reset_complete")
    )
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
