"""Load the reference data shipped in data/: ASEM countries and their institutions.

Loaders are idempotent: a file whose hash is already recorded is skipped, and rows
are upserted by their natural keys.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import (
    Country,
    Institution,
    InstitutionDomain,
    InstitutionKind,
    ReferenceDataset,
    Region,
)

# Special administrative regions count as China in the ASEM partner list.
COUNTRY_ALIASES = {"HK": ("CN", "Hong Kong"), "MO": ("CN", "Macao")}

_KIND_PATTERNS = [
    (
        InstitutionKind.APPLIED_SCIENCES,
        re.compile(
            r"applied sciences|fachhochschule|hochschule|hogeschool|ammattikorkeakoulu|"
            r"university college|haute école|hogskola|høgskole",
            re.I,
        ),
    ),
    (
        InstitutionKind.TVET,
        re.compile(
            r"polytechnic|politeknik|vocational|technical college|community college|"
            r"institute of technical education|tvet|college of technology",
            re.I,
        ),
    ),
]


def data_path(name: str) -> Path:
    return Path(settings.TANDEM_DATA_DIR) / name


def file_hash(path: Path) -> str:
    if path.is_dir():  # a folder of files (data/demo_courses): every name and content
        digest = hashlib.sha256()
        for part in sorted(p for p in path.iterdir() if p.is_file()):
            digest.update(f"{part.name}\0{file_hash(part)}\n".encode())
        return digest.hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def guess_kind(name: str) -> str:
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(name):
            return kind
    return InstitutionKind.UNIVERSITY


def load_dataset(
    *,
    key: str,
    file: str,
    source: str,
    licence: str,
    loader: Callable[[Path], int],
    force: bool = False,
) -> tuple[bool, int]:
    """Run loader(path) in one transaction unless this exact file is loaded already.

    Returns (loaded, rows)."""
    path = data_path(file)
    digest = file_hash(path)
    existing = ReferenceDataset.objects.filter(key=key).first()
    if existing and existing.sha256 == digest and not force:
        return False, existing.rows
    with transaction.atomic():
        rows = loader(path)
        ReferenceDataset.objects.update_or_create(
            key=key,
            defaults={
                "file": file,
                "source": source,
                "licence": licence,
                "sha256": digest,
                "rows": rows,
                "loaded_at": timezone.now(),
            },
        )
    return True, rows


def load_countries(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = 0
    for partner in data["partners"]:
        if partner["kind"] != "country":
            continue  # the EU and the ASEAN Secretariat are partners, not countries
        Country.objects.update_or_create(
            code=partner["iso_alpha2"],
            defaults={
                "iso3": partner["iso_alpha3"],
                "name": partner["name"],
                "region": Region.ASIA if partner["group"] == "Asia" else Region.EUROPE,
                "time_zones": partner["iana_timezones"],
                "eu_member": bool(partner.get("eu_member")),
                "asean_member": bool(partner.get("asean_member")),
            },
        )
        rows += 1
    return rows


def load_institutions(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    countries = set(Country.objects.values_list("code", flat=True))
    merged: dict[tuple[str, str], dict] = {}
    for row in data:
        code, city = row["alpha_two_code"], ""
        if code in COUNTRY_ALIASES:
            code, city = COUNTRY_ALIASES[code]
        if code not in countries:
            continue
        name = " ".join(row["name"].split())[:255]
        entry = merged.setdefault(
            (code, name),
            {
                "name": name,
                "country_id": code,
                "city": city,
                "website": (row.get("web_pages") or [""])[0][:200],
                "domains": set(),
            },
        )
        entry["domains"].update(d.strip().lower() for d in row.get("domains") or [] if d.strip())
    objs = [
        Institution(
            name=e["name"],
            country_id=e["country_id"],
            city=e["city"],
            website=e["website"],
            kind=guess_kind(e["name"]),
            verified=True,
            source="hipo",
        )
        for e in merged.values()
    ]
    Institution.objects.bulk_create(
        objs,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["country", "name"],
        update_fields=["website", "verified", "source"],
    )
    ids = {(c, n): pk for pk, c, n in Institution.objects.values_list("pk", "country_id", "name")}
    domains = [
        InstitutionDomain(institution_id=ids[key], domain=domain)
        for key, e in merged.items()
        for domain in sorted(e["domains"])
    ]
    InstitutionDomain.objects.bulk_create(domains, batch_size=1000, ignore_conflicts=True)
    return len(merged)


# The account app's datasets; offers adds its own (offers.reference) in load_reference.
DATASETS = [
    dict(
        key="asem-partners",
        file="asem_partners.json",
        source="ASEM partner list compiled from public ASEM statements",
        licence="facts; no licence claimed",
        loader=load_countries,
    ),
    dict(
        key="institutions",
        file="institutions_asem.json",
        source="Hipo world-universities-and-domains, filtered to ASEM countries",
        licence="MIT (c) 2014-2025 Hipo",
        loader=load_institutions,
    ),
]
