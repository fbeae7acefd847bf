from django.contrib import admin

from contento.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "language", "external_id", "organization"]
    search_fields = ["name", "email", "external_id"]
