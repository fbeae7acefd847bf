from django.urls import path

from contento.support.views import attachments, attention, configuration, desk, reach, reports

app_name = "support"
urlpatterns = [
    path("", desk.queue, name="queue"),
    path("reports/", reports.report, name="report"),
    path("reach/", reach.reach, name="reach"),
    path("reach/<str:key>.<str:kind>", reach.reach_qr, name="reach_qr"),
    path("conversations/new/", desk.new_conversation, name="new_conversation"),
    path("tickets/<uuid:code>/", desk.ticket_detail, name="ticket"),
    path("tickets/<uuid:code>/reply/", desk.reply, name="reply"),
    path("tickets/<uuid:code>/conversation/", desk.conversation, name="conversation"),
    path("tickets/<uuid:code>/note/", desk.note, name="note"),
    path("tickets/<uuid:code>/call/", desk.log_call, name="call"),
    path("tickets/<uuid:code>/update/", desk.update, name="update"),
    path("tickets/<uuid:code>/revoke-links/", desk.revoke_links, name="revoke_links"),
    path("tickets/<uuid:code>/canned/<uuid:reply_code>/", desk.canned_reply, name="canned_reply"),
    path("attachments/<uuid:code>/", attachments.download, name="attachment"),
    path("attention/", attention.attention_list, name="attention"),
    path("attention/<uuid:code>/", attention.attention_mail, name="attention_mail"),
    path(
        "attention/<uuid:code>/ticket/",
        attention.attention_open_ticket,
        name="attention_open_ticket",
    ),
    path("attention/<uuid:code>/aside/", attention.attention_set_aside, name="attention_set_aside"),
    path("settings/", configuration.home, name="settings"),
    path("settings/teams/", configuration.team_list, name="settings_teams"),
    path("settings/teams/new/", configuration.team_edit, name="settings_team_new"),
    path("settings/teams/<uuid:code>/", configuration.team_edit, name="settings_team"),
    path("settings/sla/", configuration.policy_list, name="settings_policies"),
    path("settings/sla/new/", configuration.policy_edit, name="settings_policy_new"),
    path("settings/sla/<uuid:code>/", configuration.policy_edit, name="settings_policy"),
    path(
        "settings/sla/<uuid:code>/delete/",
        configuration.policy_delete,
        name="settings_policy_delete",
    ),
    path("settings/replies/", configuration.reply_list, name="settings_replies"),
    path("settings/replies/new/", configuration.reply_edit, name="settings_reply_new"),
    path("settings/replies/<uuid:code>/", configuration.reply_edit, name="settings_reply"),
    path(
        "settings/replies/<uuid:code>/delete/",
        configuration.reply_delete,
        name="settings_reply_delete",
    ),
    path("settings/desk/", configuration.desk, name="settings_desk"),
]
