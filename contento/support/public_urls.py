from django.urls import path

from contento.support.views import public

app_name = "support_public"
urlpatterns = [
    path("<uuid:org>/", public.contact, name="contact"),
    path("<uuid:org>/chat/", public.chat, name="chat"),
    path("t/<str:token>/", public.customer_ticket, name="ticket"),
    path("t/<str:token>/conversation/", public.customer_conversation, name="conversation"),
    path("rate/<str:token>/", public.rate, name="rate"),
    # The same pages inside the web widget (contento.distribution), framed by another site.
    path("w/<uuid:org>/contact/", public.widget_contact, name="widget_contact"),
    path("w/<uuid:org>/chat/", public.widget_chat, name="widget_chat"),
    path("w/t/<str:token>/", public.widget_ticket, name="widget_ticket"),
]
