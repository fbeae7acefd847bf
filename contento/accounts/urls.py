from django.contrib.auth import views as auth_views
from django.urls import path

from contento.accounts import member_views, signin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", signin_views.LoginView.as_view(), name="login"),
    path("login/verify/", signin_views.login_verify, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", signin_views.two_factor, name="two_factor"),
    path("password/", signin_views.password_change, name="password_change"),
    path("password/done/", signin_views.password_change_done, name="password_change_done"),
    path("password/reset/", signin_views.password_reset, name="password_reset"),
    path("password/reset/sent/", signin_views.password_reset_done, name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        signin_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        signin_views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("members/", member_views.members, name="members"),
    path("invitation/<str:token>/", member_views.accept_invitation, name="invitation"),
    path("audit/", member_views.audit_log, name="audit"),
    path("settings/", views.workspace_settings, name="workspace"),
    path("settings/remove-demo/", views.remove_demo, name="remove_demo"),
    path("settings/widget-secret/", views.widget_secret, name="widget_secret"),
    path("tokens/", views.tokens, name="tokens"),
    path("status/", views.background_status, name="status"),
    path("workspace/<uuid:code>/", views.switch_workspace, name="switch"),
    path("workspaces/", views.workspaces, name="workspaces"),
]
