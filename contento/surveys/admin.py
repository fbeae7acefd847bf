from django.contrib import admin

from contento.surveys.models import Invitation, Response, Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "status", "default_language", "created_at"]
    list_filter = ["status"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["code", "survey", "status", "language", "started_at"]
    list_filter = ["status", "source"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["survey", "customer", "status", "sent_at"]
