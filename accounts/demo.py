"""Demo accounts: a lecturer and an international office on each side, and the secretariat."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction

from accounts.models import Affiliation, AffiliationRole, AffiliationStatus, Institution, User


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    time_zone: str
    institution: tuple[str, str] | None  # (country code, institution name)
    role: str | None
    secretariat: bool = False


DEMO_ACCOUNTS = [
    DemoAccount(
        "siti@um.edu.my",
        "Dr. Siti Rahman",
        "Asia/Kuala_Lumpur",
        ("MY", "Universiti Malaya"),
        AffiliationRole.LECTURER,
    ),
    DemoAccount(
        "meiling@um.edu.my",
        "Mei Ling Tan",
        "Asia/Kuala_Lumpur",
        ("MY", "Universiti Malaya"),
        AffiliationRole.OFFICE,
    ),
    DemoAccount(
        "jan@wageningenuniversity.nl",
        "Prof. Jan de Vries",
        "Europe/Amsterdam",
        ("NL", "Wageningen University"),
        AffiliationRole.LECTURER,
    ),
    DemoAccount(
        "anna@wageningenuniversity.nl",
        "Anna Bakker",
        "Europe/Amsterdam",
        ("NL", "Wageningen University"),
        AffiliationRole.OFFICE,
    ),
    DemoAccount(
        "paolo@secretariat.tandem.example",
        "Paolo Rossi",
        "Europe/Brussels",
        None,
        None,
        secretariat=True,
    ),
]


@transaction.atomic
def load_demo_accounts(*, password: str | None = None) -> list[User]:
    password = password or settings.TANDEM_DEMO_PASSWORD
    users = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email__iexact=account.email).first()
        if user is None:
            user = User.objects.create_user(
                account.email,
                password,
                full_name=account.full_name,
                time_zone=account.time_zone,
            )
        user.is_secretariat = account.secretariat
        user.save(update_fields=["is_secretariat"])
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if account.institution:
            country, name = account.institution
            institution = Institution.objects.get(country_id=country, name=name)
            Affiliation.objects.get_or_create(
                user=user,
                institution=institution,
                role=account.role,
                status=AffiliationStatus.VERIFIED,
                defaults={"verified_by_domain": account.role == AffiliationRole.LECTURER},
            )
        users.append(user)
    return users
