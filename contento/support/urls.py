from django.urls import path

from contento.support.views import desk, reports

app_name = "support"
urlpatterns = [
    path("", desk.queue, name="queue"),
    path("reports/", reports.report, name="report"),
    path("conversations/new/", desk.new_conversation, name="new_conversation"),
    path("tickets/<uuid:code>/", desk.ticket_detail, name="ticket"),
    path("tickets/<uuid:code>/reply/", desk.reply, name="reply"),
    path("tickets/<uuid:code>/note/", desk.note, name="note"),
    path("tickets/<uuid:code>/call/", desk.log_call, name="call"),
    path("tickets/<uuid:code>/update/", desk.update, name="update"),
    path("tickets/<uuid:code>/canned/<uuid:reply_code>/", desk.canned_reply, name="canned_reply"),
]
