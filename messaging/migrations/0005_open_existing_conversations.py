"""Every proposal made before the chat existed gets its conversation, with the editors of
both offers as members (what opening one does for a new proposal)."""

from django.db import migrations


def open_conversations(apps, schema_editor):
    Proposal = apps.get_model("exchanges", "Proposal")
    Conversation = apps.get_model("messaging", "Conversation")
    Member = apps.get_model("messaging", "ConversationMember")
    for proposal in Proposal.objects.filter(conversation__isnull=True).select_related(
        "asian_offer", "european_offer"
    ).iterator():
        conversation = Conversation.objects.create(proposal=proposal, created_at=proposal.created_at)
        users = set()
        for offer in (proposal.asian_offer, proposal.european_offer):
            users.add(offer.owner_id)
            users.update(offer.co_owners.values_list("pk", flat=True))
        Member.objects.bulk_create(
            [
                Member(conversation=conversation, user_id=u, role="lecturer", joined_at=proposal.created_at)
                for u in sorted(users)
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0004_chat"),
        ("exchanges", "0013_proposal_event_kind"),
    ]

    operations = [migrations.RunPython(open_conversations, migrations.RunPython.noop)]
