"""Keeping balance.models.ProposalFact in step with the proposals and offers.

Saving a proposal refreshes its row, saving an offer (or changing its SDGs) the rows of
its proposals, in the same transaction (balance.apps connects the signals). Changes
that bypass signals (bulk SQL, a restore) are repaired by `manage.py rebuild_balance_facts`.
The functions take the model classes so that the data migration can run them on
historical models.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps as global_apps
from django.db import connection
from django.db.models import Q

from balance.models import encode, sdg_mask, term_of

CHUNK = 2000
COPIED = {
    "state": "state",
    "created_at": "created_at",
    "approved_at": "approved_at",
    "a_to_e": "flow_a_to_e",
    "e_to_a": "flow_e_to_a",
}
SIDE_COPIED = {
    "institution_id": "institution_id",
    "country": "country_id",
    "kind": "kind",
    "level": "level",
    "priority": "priority",
    "digital": "theme_digitalisation",
    "sustainable": "theme_sustainability",
}
CODED = ("country", "kind", "level", "priority", "field")  # stored as balance.models.encode
FACT_FIELDS = [
    *COPIED,
    "start",
    "term",
    "sdg_mask",
    *(f"{side}_{name}" for side in ("asian", "european") for name in (*SIDE_COPIED, "field")),
]


def _models(apps):
    apps = apps or global_apps
    # Offers lived in the exchanges app when the older balance migrations ran.
    offers_app = "offers" if "offers" in apps.app_configs else "exchanges"
    try:
        Offer = apps.get_model(offers_app, "Offer")
    except LookupError:
        Offer = apps.get_model("exchanges", "Offer")
    return (
        apps.get_model("exchanges", "Proposal"),
        Offer,
        apps.get_model("balance", "ProposalFact"),
    )


def refresh(proposal_ids: Iterable[int], apps=None) -> int:
    """Rewrite the facts of these proposals from the proposals and their offers."""
    Proposal, Offer, Fact = _models(apps)
    ids = list(proposal_ids)
    if not ids:
        return 0
    lookups = [*COPIED.values()]
    for side in ("asian", "european"):
        lookups += [f"{side}_offer_id", f"{side}_offer__term_start", f"{side}_offer__isced_id"]
        lookups += [f"{side}_offer__{source}" for source in SIDE_COPIED.values()]
    rows = list(Proposal.objects.filter(pk__in=ids).values("pk", *lookups))
    # The SDGs: the union of both courses' goals.
    offer_ids = {r["asian_offer_id"] for r in rows} | {r["european_offer_id"] for r in rows}
    goals = defaultdict(set)
    for offer_id, sdg in Offer.sdgs.through.objects.filter(offer_id__in=offer_ids).values_list(
        "offer_id", "sdg_id"
    ):
        goals[offer_id].add(sdg)
    facts = []
    for r in rows:
        values = {name: r[source] for name, source in COPIED.items()}
        values["start"] = min(r["asian_offer__term_start"], r["european_offer__term_start"])
        values["term"] = term_of(values["start"])
        for side in ("asian", "european"):
            for name, source in SIDE_COPIED.items():
                values[f"{side}_{name}"] = r[f"{side}_offer__{source}"]
            values[f"{side}_field"] = (r[f"{side}_offer__isced_id"] or "")[:2]
            values[f"{side}_priority"] = values[f"{side}_priority"] or ""
            for name in CODED:
                values[f"{side}_{name}"] = encode(name, values[f"{side}_{name}"])
        values["sdg_mask"] = sdg_mask(goals[r["asian_offer_id"]] | goals[r["european_offer_id"]])
        facts.append(Fact(proposal_id=r["pk"], **values))
    Fact.objects.bulk_create(
        facts, update_conflicts=True, unique_fields=["proposal"], update_fields=FACT_FIELDS
    )
    return len(facts)


def refresh_offers(offer_ids: Iterable[int], apps=None) -> int:
    """Rewrite the facts of every proposal of these offers."""
    Proposal = _models(apps)[0]
    offer_ids = list(offer_ids)
    ids = Proposal.objects.filter(
        Q(asian_offer_id__in=offer_ids) | Q(european_offer_id__in=offer_ids)
    ).values_list("pk", flat=True)
    return refresh(list(ids), apps)


def rebuild(apps=None) -> int:
    """Every proposal's facts, from scratch, a chunk at a time."""
    Proposal, _offer, Fact = _models(apps)
    Fact.objects.exclude(proposal_id__in=Proposal.objects.values("pk")).delete()
    ids = list(Proposal.objects.order_by("pk").values_list("pk", flat=True))
    n = sum(refresh(ids[i : i + CHUNK], apps) for i in range(0, len(ids), CHUNK))
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner: on a table it has not analysed since a bulk
        # rewrite it picks on-disk sorts for the GROUP BYs (five times slower).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Fact._meta.db_table)}")
    return n


# --- signal receivers (balance.apps) ----------------------------------------------------


def proposal_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        refresh([instance.pk])


def offer_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    if not raw and not created:  # a new offer has no proposals yet
        refresh_offers([instance.pk])


def offer_sdgs_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # from the SDG's side: pk_set names the offers
        if pk_set:
            refresh_offers(pk_set)
    else:
        refresh_offers([instance.pk])
