"""factory_boy factories and small builders for the personas."""

from __future__ import annotations

import json
import time

import factory
from allauth.account.models import EmailAddress
from django.conf import settings

from accounts.models import (
    Affiliation,
    AffiliationRole,
    AffiliationStatus,
    Country,
    Institution,
    InstitutionDomain,
    Region,
    User,
)

PASSWORD = "correct-horse-battery-staple"

_PARTNERS: dict[str, dict] | None = None


def country(code: str) -> Country:
    """The real ASEM partner country, created from data/asem_partners.json on first use."""
    global _PARTNERS
    if _PARTNERS is None:
        data = json.loads((settings.TANDEM_DATA_DIR / "asem_partners.json").read_text())
        _PARTNERS = {p["iso_alpha2"]: p for p in data["partners"] if p["kind"] == "country"}
    p = _PARTNERS[code]
    obj, _ = Country.objects.get_or_create(
        code=code,
        defaults={
            "iso3": p["iso_alpha3"],
            "name": p["name"],
            "region": Region.ASIA if p["group"] == "Asia" else Region.EUROPE,
            "time_zones": p["iana_timezones"],
        },
    )
    return obj


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    time_zone = "UTC"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        """Pass verified_email=False for a user who has not clicked the link yet."""
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )
            self.save()

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        """The secretariat and staff get an activated authenticator app unless mfa=False
        (they may not act without one); anyone else only with mfa=True."""
        wanted = extracted if extracted is not None else (self.is_secretariat or self.is_staff)
        if create and wanted:
            with_totp(self)


def with_totp(user: User) -> User:
    """Activate an authenticator app (TOTP) for the user, as if they had scanned it."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    return user


def totp_code(user: User, *, step: int = 0) -> str:
    """The code the user's authenticator app shows now (step=1: the next 30 s window,
    which the server still accepts; a code is taken only once)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return code_for_secret(decrypt(authenticator.data["secret"]), step=step)


def code_for_secret(secret: str, *, step: int = 0) -> str:
    """RFC 6238 with allauth's own HOTP helper: the code for now + step periods."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD + step
    return format_hotp_value(hotp_value(secret, counter))


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Institution {n}")
    country = factory.LazyFunction(lambda: country("DE"))

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        if create:
            for domain in extracted or []:
                InstitutionDomain.objects.create(institution=self, domain=domain)


def affiliate(user: User, institution: Institution, role: str, *, verified: bool = True):
    return Affiliation.objects.create(
        user=user,
        institution=institution,
        role=role,
        status=AffiliationStatus.VERIFIED if verified else AffiliationStatus.PENDING,
    )


def lecturer(institution: Institution, **user_fields) -> User:
    user = UserFactory(**user_fields)
    affiliate(user, institution, AffiliationRole.LECTURER)
    return user


def office(institution: Institution, *, mfa: bool = True, **user_fields) -> User:
    """A verified international office; with an activated authenticator app unless
    mfa=False (an office may not act without one)."""
    user = UserFactory(mfa=mfa, **user_fields)
    affiliate(user, institution, AffiliationRole.OFFICE)
    return user


# --- reference rows and offers -------------------------------------------------------

_ISCED: dict[str, dict] | None = None
_SDGS: dict[int, dict] | None = None


def isced(code: str):
    """The real ISCED-F field (and its parents), created from data/ on first use."""
    from offers.models import IscedField

    global _ISCED
    if _ISCED is None:
        data = json.loads((settings.TANDEM_DATA_DIR / "isced_f_2013.json").read_text())
        _ISCED = {f["code"]: f for f in data["fields"]}
    f = _ISCED[code]
    parent = None
    if f["level"] == "narrow":
        parent = isced(f["broad"])
    elif f["level"] == "detailed":
        parent = isced(f["narrow"])
    obj, _ = IscedField.objects.get_or_create(
        code=code,
        defaults={
            "level": f["level"],
            "parent": parent,
            "label_en": f["label_en"],
            "labels": f.get("labels", {}),
        },
    )
    return obj


def sdg(number: int):
    from offers.models import Sdg

    global _SDGS
    if _SDGS is None:
        data = json.loads((settings.TANDEM_DATA_DIR / "sdg_goals.json").read_text())
        _SDGS = {g["number"]: g for g in data["goals"]}
    g = _SDGS[number]
    obj, _ = Sdg.objects.get_or_create(
        number=number,
        defaults={
            "short_en": g["short"]["en"],
            "title_en": g["title"]["en"],
            "short": g["short"],
            "title": g["title"],
        },
    )
    return obj


def offer_data(**overrides):
    """Valid data for a COIL offer (Siti's course of the journeys), changed by overrides.

    Keys languages, windows, sdgs, preferred_countries, excluded_countries go to the
    children; anything else is an offer field."""
    import datetime as dt

    from offers.services import OfferData

    children = {
        "languages": [("en", "B2")],
        "windows": [(1, dt.time(15), dt.time(17)), (3, dt.time(15), dt.time(17))],
        "sdgs": [],
        "preferred_countries": [],
        "excluded_countries": [],
    }
    fields = {
        "kind": "coil",
        "title": "Coastal Ecosystems and Climate Adaptation",
        "description": "How mangroves, reefs and estuaries respond to a changing climate, "
        "and how coastal communities adapt.",
        "learning_outcomes": "Assess adaptation options for a coastal community.",
        "isced": isced("0521").pk,
        "level": "6",
        "students": 35,
        "term_start": dt.date(2027, 2, 15),
        "term_end": dt.date(2027, 6, 11),
        "duration_weeks": 12,
        "time_zone": "Asia/Kuala_Lumpur",
        "sync_sessions": 6,
        "priority": "balanced_mobility",
        "theme_digitalisation": False,
        "theme_sustainability": True,
        "skills": ["intercultural", "teamwork"],
        "partners_sought": 1,
    }
    for key, value in overrides.items():
        if key in children:
            children[key] = value
        else:
            fields[key] = value
    if "sdgs" not in overrides:
        children["sdgs"] = [sdg(13).pk, sdg(14).pk]
    for code in children["preferred_countries"] + children["excluded_countries"]:
        country(code)
    return OfferData(fields=fields, **children)


def make_offer(
    owner: User, *, institution: Institution | None = None, publish: bool = True, **overrides
):
    """An offer of owner's institution (their first verified lecturer one), open by default."""
    from offers import services

    if institution is None:
        institution = Affiliation.objects.get(
            user=owner, role=AffiliationRole.LECTURER, status=AffiliationStatus.VERIFIED
        ).institution
    offer = services.offer_create(
        owner=owner, institution=institution, data=offer_data(**overrides)
    )
    if publish:
        offer = services.offer_publish(offer=offer, actor=owner)
    return offer
