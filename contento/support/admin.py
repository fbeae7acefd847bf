"""The desk in Django's admin, for operators: tickets, mail records and the configuration that
/support/settings/ also edits."""

from django.contrib import admin

from contento.support.models import (
    CannedReply,
    CannedReplyTranslation,
    DeskSettings,
    InboundEmail,
    SlaPolicy,
    Team,
    Ticket,
)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "email_address", "assignment", "manager"]
    filter_horizontal = ["members"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organization",
        "team",
        "priority",
        "first_response_minutes",
        "update_minutes",
        "resolution_minutes",
    ]


class CannedReplyTranslationInline(admin.TabularInline):
    model = CannedReplyTranslation
    extra = 1


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "team"]
    inlines = [CannedReplyTranslationInline]


@admin.register(DeskSettings)
class DeskSettingsAdmin(admin.ModelAdmin):
    list_display = ["organization", "rating_delay_minutes", "auto_close_days"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["reference", "subject", "organization", "status", "priority", "created_at"]
    list_filter = ["status", "priority", "channel"]
    search_fields = ["reference", "subject"]
    raw_id_fields = ["customer", "product", "subscription", "parent", "assignee", "team"]


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "sender", "subject", "outcome", "organization"]
    list_filter = ["outcome"]
    search_fields = ["sender", "subject", "message_id"]
