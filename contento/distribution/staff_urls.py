from django.urls import path

from contento.distribution import loop_views
from contento.distribution import staff_views as views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("new-trigger/", views.trigger_new, name="trigger_new"),
    path("<uuid:code>/", views.campaign_detail, name="campaign"),
    path("<uuid:code>/preview/<str:language>/", views.campaign_preview, name="preview"),
    path("<uuid:code>/test/", views.campaign_test, name="test"),
    path("<uuid:code>/send/", views.campaign_send, name="send"),
    path("<uuid:code>/cancel/", views.campaign_cancel, name="cancel"),
    path("audiences/", views.audience_list, name="audiences"),
    path("audiences/new/", views.audience_edit, name="audience_new"),
    path("audiences/<uuid:code>/", views.audience_edit, name="audience"),
    path("rules/", loop_views.rule_list, name="rules"),
    path("rules/new/", loop_views.rule_edit, name="rule_new"),
    path("rules/<uuid:code>/", loop_views.rule_edit, name="rule"),
    path("root-causes/", loop_views.root_cause_add, name="root_cause_add"),
    path("root-causes/<uuid:code>/", loop_views.root_cause_offer, name="root_cause"),
    path("follow-ups/", loop_views.case_list, name="cases"),
    path("inbox/", loop_views.inbox, name="inbox"),
    path("follow-ups/<uuid:code>/", loop_views.case_detail, name="case"),
]
