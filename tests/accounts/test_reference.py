"""Reference data (`manage.py load_reference`) and the demo accounts (`manage.py load_demo`).

The institutions are bulk-upserted, which SQLite and PostgreSQL do differently: the
suite runs this module on both."""

from __future__ import annotations

import hashlib
import io
import json
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts import selectors
from accounts.demo import DEMO_ACCOUNTS, load_demo_accounts
from accounts.models import (
    Affiliation,
    AffiliationRole,
    AffiliationStatus,
    Country,
    Institution,
    InstitutionDomain,
    ReferenceDataset,
    Region,
    User,
)
from offers.models import IscedField, Sdg

pytestmark = [pytest.mark.both_backends, pytest.mark.django_db]

DATASETS = {
    "asem-partners": "asem_partners.json",
    "institutions": "institutions_asem.json",
    "isced-f-2013": "isced_f_2013.json",
    "sdgs": "sdg_goals.json",
}


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded():
    return run("load_reference")


def snapshot() -> dict:
    return {
        "countries": sorted(Country.objects.values_list("code", "region", "name")),
        "institutions": sorted(
            Institution.objects.values_list("pk", "country_id", "name", "city", "website")
        ),
        "domains": sorted(InstitutionDomain.objects.values_list("institution_id", "domain")),
        "isced": sorted(IscedField.objects.values_list("code", "parent_id", "label_en")),
        "sdgs": sorted(Sdg.objects.values_list("number", "short_en")),
        "datasets": sorted(ReferenceDataset.objects.values_list("key", "sha256", "loaded_at")),
    }


# --- what is loaded ----------------------------------------------------------------------


def test_load_reference_reports_each_dataset_as_loaded(loaded):
    assert loaded.splitlines() == [
        "asem-partners: loaded (51 rows)",
        "institutions: loaded (4877 rows)",
        "isced-f-2013: loaded (220 rows)",
        "sdgs: loaded (17 rows)",
    ]


def test_the_51_asem_partner_countries_are_split_into_europe_and_asia(loaded):
    assert Country.objects.count() == 51
    assert Country.objects.filter(region=Region.EUROPE).count() == 30
    assert Country.objects.filter(region=Region.ASIA).count() == 21
    # The EU and the ASEAN Secretariat are partners, not countries.
    assert not Country.objects.filter(name__in=["European Union", "ASEAN Secretariat"]).exists()


def test_australia_new_zealand_and_russia_belong_to_the_asian_group(loaded):
    regions = dict(
        Country.objects.filter(code__in=["AU", "NZ", "RU"]).values_list("code", "region")
    )
    assert regions == {"AU": Region.ASIA, "NZ": Region.ASIA, "RU": Region.ASIA}


def test_countries_carry_time_zones_and_memberships(loaded):
    malaysia = Country.objects.get(code="MY")
    assert malaysia.iso3 == "MYS"
    assert "Asia/Kuala_Lumpur" in malaysia.time_zones
    assert malaysia.asean_member and not malaysia.eu_member
    netherlands = Country.objects.get(code="NL")
    assert netherlands.eu_member and not netherlands.asean_member
    assert "Europe/Amsterdam" in netherlands.time_zones


def test_institutions_are_loaded_with_their_email_domains(loaded):
    assert Institution.objects.count() == 4877
    assert not Institution.objects.filter(domains__isnull=True).exists()
    malaya = Institution.objects.get(country_id="MY", name="Universiti Malaya")
    assert malaya.domain_list() == ["um.edu.my"]
    assert malaya.verified
    assert malaya.source == "hipo"
    wageningen = Institution.objects.get(country_id="NL", name="Wageningen University")
    assert wageningen.domain_list() == ["wageningenuniversity.nl"]


def test_loaded_institutions_are_found_by_email_domain(loaded):
    assert [i.name for i in selectors.institutions_for_email("siti@fsktm.um.edu.my")] == [
        "Universiti Malaya"
    ]


def test_hong_kong_and_macao_institutions_are_listed_under_china(loaded):
    assert not Country.objects.filter(code__in=["HK", "MO"]).exists()
    cityu = Institution.objects.get(name="City University of Hong Kong")
    assert (cityu.country_id, cityu.city) == ("CN", "Hong Kong")
    macau = Institution.objects.get(name="University of Macau")
    assert (macau.country_id, macau.city) == ("CN", "Macao")
    assert Institution.objects.filter(country_id="CN", city="Hong Kong").count() > 5


def test_isced_fields_are_loaded_with_their_parents(loaded):
    assert IscedField.objects.count() == 220
    assert IscedField.objects.filter(level="broad", parent__isnull=True).count() == 12
    assert not IscedField.objects.exclude(level="broad").filter(parent__isnull=True).exists()
    assert not IscedField.objects.filter(level="narrow").exclude(parent__level="broad").exists()
    assert not IscedField.objects.filter(level="detailed").exclude(parent__level="narrow").exists()
    field = IscedField.objects.get(code="0521")
    assert (field.parent_id, field.parent.parent_id) == ("052", "05")


def test_the_17_sdgs_are_loaded(loaded):
    assert list(Sdg.objects.values_list("number", flat=True)) == list(range(1, 18))
    assert Sdg.objects.get(number=14).short_en == "Life below water"


def test_each_dataset_is_recorded_with_source_licence_and_hash(loaded):
    recorded = {d.key: d for d in ReferenceDataset.objects.all()}
    assert set(recorded) == set(DATASETS)
    for key, file in DATASETS.items():
        dataset = recorded[key]
        path = settings.TANDEM_DATA_DIR / file
        assert dataset.file == file
        assert dataset.source
        assert dataset.licence
        assert dataset.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert recorded["institutions"].licence.startswith("MIT")
    assert recorded["institutions"].rows == 4877


# --- running it again -------------------------------------------------------------------------


def test_running_load_reference_again_changes_nothing(loaded):
    before = snapshot()
    again = run("load_reference")
    assert again.splitlines() == [
        "asem-partners: unchanged (51 rows)",
        "institutions: unchanged (4877 rows)",
        "isced-f-2013: unchanged (220 rows)",
        "sdgs: unchanged (17 rows)",
    ]
    assert snapshot() == before


def test_forced_reload_upserts_in_place_and_keeps_affiliations(loaded):
    malaya = Institution.objects.get(country_id="MY", name="Universiti Malaya")
    user = User.objects.create_user("siti@um.edu.my", "x", full_name="Siti Rahman")
    Affiliation.objects.create(user=user, institution=malaya, role=AffiliationRole.LECTURER)
    before = snapshot()

    output = run("load_reference", "--force")
    assert "institutions: loaded (4877 rows)" in output
    after = snapshot()
    for part in ("countries", "institutions", "domains", "isced", "sdgs"):
        assert after[part] == before[part], part
    assert Affiliation.objects.get(user=user).institution_id == malaya.pk


def test_changed_institutions_file_is_reloaded_by_upsert(loaded, settings, tmp_path):
    for file in DATASETS.values():
        shutil.copy(settings.TANDEM_DATA_DIR / file, tmp_path / file)
    settings.TANDEM_DATA_DIR = tmp_path
    rows = json.loads((tmp_path / "institutions_asem.json").read_text(encoding="utf-8"))
    malaya_row = next(r for r in rows if r["name"] == "Universiti Malaya")
    malaya_row["web_pages"] = ["https://www.um.edu.my/new"]
    malaya_row["domains"].append("siswa.um.edu.my")
    rows.append(
        {
            "name": "Tandem Test Polytechnic",
            "alpha_two_code": "MY",
            "domains": ["ttp.edu.my"],
            "web_pages": ["https://ttp.edu.my"],
        }
    )
    (tmp_path / "institutions_asem.json").write_text(json.dumps(rows), encoding="utf-8")
    malaya = Institution.objects.get(country_id="MY", name="Universiti Malaya")

    output = run("load_reference")
    assert output.splitlines() == [
        "asem-partners: unchanged (51 rows)",
        "institutions: loaded (4878 rows)",
        "isced-f-2013: unchanged (220 rows)",
        "sdgs: unchanged (17 rows)",
    ]
    assert Institution.objects.count() == 4878
    malaya_after = Institution.objects.get(country_id="MY", name="Universiti Malaya")
    assert malaya_after.pk == malaya.pk
    assert malaya_after.website == "https://www.um.edu.my/new"
    assert sorted(malaya_after.domain_list()) == ["siswa.um.edu.my", "um.edu.my"]
    new = Institution.objects.get(name="Tandem Test Polytechnic")
    assert (new.country_id, new.kind, new.domain_list()) == ("MY", "tvet", ["ttp.edu.my"])


# --- demo accounts ---------------------------------------------------------------------------


def demo_counts() -> tuple[int, int, int]:
    from offers.models import Offer

    return User.objects.count(), Affiliation.objects.count(), Offer.objects.count()


def test_load_demo_creates_the_demo_accounts_once():
    output = run("load_demo")
    assert f"demo accounts ready ({len(DEMO_ACCOUNTS)})" in output
    demo_emails = {account.email for account in DEMO_ACCOUNTS}
    assert set(User.objects.filter(email__in=demo_emails).values_list("email", flat=True)) == (
        demo_emails
    )
    # A made-up past of exchanges, through the workflow, for the statistics and the chat;
    # Siti's and Jan's courses stay free for their journeys.
    from balance import stats
    from exchanges.models import Proposal

    history = Proposal.objects.filter(message="Demo history")
    assert history.count() == 48
    assert set(history.values_list("state", flat=True)) == {"active", "completed"}
    journey = ["siti@um.edu.my", "jan@wageningenuniversity.nl"]
    assert not history.filter(asian_offer__owner__email__in=journey).exists()
    assert not history.filter(european_offer__owner__email__in=journey).exists()
    assert all(p.conversation.members.count() == 2 for p in history)
    # Made-up people at real institutions' domains are never e-mailed.
    from django.core import mail

    assert not [m for m in mail.outbox if ".demo@" in m.to[0]]
    summary = stats.compute(stats.Filters()).summary
    assert summary["exchanges"] == 48 and summary["median_days_to_approval"] >= 1
    first = demo_counts()
    assert "demo-field-offers: unchanged (400)" in run("load_demo")
    assert demo_counts() == first
    assert history.count() == 48


def test_demo_accounts_have_their_roles(loaded):
    load_demo_accounts()
    siti = User.objects.get(email="siti@um.edu.my")
    assert siti.time_zone == "Asia/Kuala_Lumpur"
    assert list(siti.affiliations.values_list("institution__name", "role", "status")) == [
        ("Universiti Malaya", AffiliationRole.LECTURER, AffiliationStatus.VERIFIED)
    ]
    anna = User.objects.get(email="anna@wageningenuniversity.nl")
    assert anna.affiliations.get().role == AffiliationRole.OFFICE
    paolo = User.objects.get(email="paolo@secretariat.tandem.example")
    assert paolo.is_secretariat
    assert not paolo.affiliations.exists()


def test_demo_user_can_sign_in_with_the_demo_password(client, loaded):
    load_demo_accounts()
    response = client.post(
        reverse("account_login"),
        {"login": "siti@um.edu.my", "password": settings.TANDEM_DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:dashboard")
    assert "Welcome, Dr. Siti Rahman" in client.get(response["Location"]).content.decode()
