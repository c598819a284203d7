"""factory_boy factories and small builders for the personas."""

from __future__ import annotations

import json

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


def office(institution: Institution, **user_fields) -> User:
    user = UserFactory(**user_fields)
    affiliate(user, institution, AffiliationRole.OFFICE)
    return user
