from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse
from django.views.i18n import set_language

from contento.accounts import views as account_views
from contento.api.api import api
from contento.core import views as core_views


def admin_login(request, extra_context=None):
    """The admin signs in through the product's own sign-in page, so that its rate limit and
    the second factor hold there too; a signed-in user who is not staff is refused."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = admin_login


handler500 = "contento.core.errors.server_error"


urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("brand/<uuid:code>.css", account_views.brand_css, name="brand_css"),
    path("brand/<uuid:code>/logo", account_views.brand_logo, name="brand_logo"),
    path("accounts/", include("contento.accounts.urls")),
    path("surveys/", include("contento.surveys.urls")),
    path("customers/", include("contento.customers.urls")),
    path("insights/", include("contento.insights.urls")),
    path("support/", include("contento.support.urls")),
    path("campaigns/", include("contento.distribution.staff_urls")),
    path("s/", include("contento.surveys.public_urls")),
    path("help/", include("contento.support.public_urls")),
    path("w/", include("contento.distribution.urls")),
    path("m/", include("contento.distribution.public_urls")),
    path("u/", include("contento.customers.public_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
