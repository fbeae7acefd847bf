"""API authentication: a personal API token (Bearer), or the signed-in session with CSRF.

Both resolve to the caller's workspace membership, which is what `request.auth` holds in
every endpoint; roles are then checked with `Membership.can`.
"""

from django.conf import settings
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from contento.accounts.actions import authenticate_api_key


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = authenticate_api_key(token)
        if api_token is None:
            return None
        request.user = api_token.membership.user
        request.membership = api_token.membership
        return api_token.membership


class MemberSessionAuth(APIKeyCookie):
    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        if request.user.is_authenticated and getattr(request, "membership", None):
            return request.membership
        return None
