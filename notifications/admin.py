from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "proposal", "read_at", "email_state"]
    list_filter = ["kind", "email_state"]
    search_fields = ["recipient__email", "recipient__full_name"]
    raw_id_fields = ["recipient", "proposal", "event"]
    readonly_fields = ["created_at", "emailed_at"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient", "proposal__asian_offer", "proposal__european_offer"]
