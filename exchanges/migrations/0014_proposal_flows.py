from django.db import migrations, models


def stamp_flows(apps, schema_editor):
    """Stamp the participants by direction of the proposals that exist, by the rule of
    exchanges.agreement (terms once frozen, the offers before, the report once completed)."""
    from core.balance_rules import students_per_direction

    Proposal = apps.get_model("exchanges", "Proposal")
    CompletionReport = apps.get_model("exchanges", "CompletionReport")
    reports = {r.proposal_id: r for r in CompletionReport.objects.all()}
    qs = Proposal.objects.select_related("asian_offer", "european_offer")
    for proposal in qs.iterator(chunk_size=500):
        sides = []
        for key in ("asian_offer", "european_offer"):
            frozen = (proposal.terms or {}).get(key)
            if frozen:
                sides.append((frozen["kind"], int(frozen["students"])))
            else:
                offer = getattr(proposal, key)
                sides.append((offer.kind, offer.students))
        (ak, an), (ek, en) = sides
        report = reports.get(proposal.pk)
        if report is None:
            a_to_e, e_to_a = students_per_direction(ak, an, ek, en)
        else:
            a_to_e = students_per_direction(ak, report.participants_asia, ek, en)[0]
            e_to_a = students_per_direction(ak, an, ek, report.participants_europe)[1]
        Proposal.objects.filter(pk=proposal.pk).update(flow_a_to_e=a_to_e, flow_e_to_a=e_to_a)


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0013_proposal_event_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="flow_a_to_e",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="proposal",
            name="flow_e_to_a",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(stamp_flows, migrations.RunPython.noop, elidable=True),
    ]
