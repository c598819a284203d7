"""Load ISCED-F 2013 fields and the SDGs from data/ (see accounts.reference)."""

from __future__ import annotations

import json
from pathlib import Path

from offers.models import IscedField, Sdg


def load_isced(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    # Parents first, so each child's parent exists when it is written.
    order = {"broad": 0, "narrow": 1, "detailed": 2}
    fields = sorted(data["fields"], key=lambda f: (order[f["level"]], f["code"]))
    for f in fields:
        parent = None
        if f["level"] == "narrow":
            parent = f["broad"]
        elif f["level"] == "detailed":
            parent = f["narrow"]
        IscedField.objects.update_or_create(
            code=f["code"],
            defaults={
                "level": f["level"],
                "parent_id": parent,
                "label_en": f["label_en"],
                "labels": f.get("labels", {}),
            },
        )
    return len(fields)


def load_sdgs(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    for goal in data["goals"]:
        Sdg.objects.update_or_create(
            number=goal["number"],
            defaults={
                "short_en": goal["short"]["en"],
                "title_en": goal["title"]["en"],
                "short": goal["short"],
                "title": goal["title"],
            },
        )
    return len(data["goals"])


DATASETS = [
    dict(
        key="isced-f-2013",
        file="isced_f_2013.json",
        source="ISCED-F 2013 (UNESCO), EU Publications Office vocabulary via EUF isced_php",
        licence="MIT (c) 2025 European University Foundation; vocabulary CC BY 4.0 (c) EU",
        loader=load_isced,
    ),
    dict(
        key="sdgs",
        file="sdg_goals.json",
        source="open-sdg sdg-translations (UN 2030 Agenda, A/RES/70/1)",
        licence="MIT (c) 2019 Open SDG",
        loader=load_sdgs,
    ),
]
