from django.contrib import admin

from messaging.models import Conversation, ConversationMember


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """For operators: who is in a conversation and how much it holds (not what it says)."""

    list_display = ["pk", "proposal", "created_at", "last_seq"]
    raw_id_fields = ["proposal"]
    readonly_fields = ["created_at", "last_seq"]


@admin.register(ConversationMember)
class ConversationMemberAdmin(admin.ModelAdmin):
    list_display = ["conversation", "user", "role", "joined_at", "left_at", "last_read_seq"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["conversation", "user", "invited_by"]
