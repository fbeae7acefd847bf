from django.urls import path

from contento.support.views import public

app_name = "support_public"
urlpatterns = [
    path("<uuid:org>/", public.contact, name="contact"),
    path("<uuid:org>/chat/", public.chat, name="chat"),
    path("t/<str:token>/", public.customer_ticket, name="ticket"),
    path("t/<str:token>/conversation/", public.customer_conversation, name="conversation"),
    path("rate/<str:token>/", public.rate, name="rate"),
]
