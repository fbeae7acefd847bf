from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from django_ratelimit.decorators import ratelimit

from contento.accounts import views as account_views
from contento.api.api import api
from contento.core import views as core_views
from contento.core.ratelimits import login_rate

# The admin's sign-in is a sign-in like any other: limited per client address.
admin.site.login = ratelimit(key="ip", rate=login_rate, method="POST", block=True)(admin.site.login)


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
    path("s/", include("contento.surveys.public_urls")),
    path("help/", include("contento.support.public_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
