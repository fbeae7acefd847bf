from django.contrib.auth import views as auth_views
from django.urls import path

from contento.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("members/", views.members, name="members"),
    path("settings/", views.workspace_settings, name="workspace"),
    path("settings/remove-demo/", views.remove_demo, name="remove_demo"),
    path("tokens/", views.tokens, name="tokens"),
    path("status/", views.background_status, name="status"),
    path("workspace/<uuid:code>/", views.switch_workspace, name="switch"),
    path("workspaces/", views.workspaces, name="workspaces"),
]
