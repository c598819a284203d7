"""Words that find an ISCED-F field in the offer form's field picker.

A lecturer types what the course is about ("climate", "Klima", "気候") or a code ("0521",
"052"). Each detailed field's option carries, besides its code and its name in the reader's
language, the names of its broad and narrow fields, its English name, and the words of the
subject glossary (data/glossary/subjects.json, the text model's data) for the concepts
that belong to it, in English and in the reader's language. CONCEPT_FIELDS says which
fields a glossary concept belongs to: a 4-digit detailed code, or a 3-digit narrow code
standing for every detailed field inside it. Written by hand from the ISCED-F 2013 field
definitions (UNESCO UIS).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable

from django.conf import settings
from django.utils import translation

CONCEPT_FIELDS: dict[str, tuple[str, ...]] = {
    "accounting": ("0411",), "taxation": ("0411",), "auditing": ("0411",),
    "finance": ("0412",), "banking": ("0412",), "insurance": ("0412",),
    "economics": ("0311",), "econometrics": ("0311", "0542"),
    "management business": ("041",), "marketing": ("0414",), "entrepreneurship": ("0413",),
    "human resources": ("0413",), "project management": ("0413",),
    "logistics": ("0413", "1041"), "supply chain": ("0413", "1041"),
    "public administration": ("0413", "0312"),
    "law legal": ("042",), "criminal law": ("042",), "civil law contract": ("042",),
    "constitutional law": ("042",),
    "chemistry chemical": ("0531", "0711"), "biochemistry": ("0512",),
    "physics physical": ("0533",), "quantum": ("0533",), "mechanics": ("0533", "0715"),
    "thermodynamics": ("0533", "0713"), "electromagnetism": ("0533",), "optics": ("0533",),
    "astronomy astrophysics": ("0533",), "semiconductors": ("0533", "0714"),
    "biology biological": ("051",), "genetics": ("0511",), "molecular": ("0511", "0512"),
    "cell": ("0511",), "physiology": ("0511", "0912"), "biotechnology": ("0512", "0711"),
    "ecology ecosystems": ("0511", "052"), "environment environmental": ("052", "0712"),
    "sustainability sustainable": ("052", "0712"), "energy": ("0713",),
    "geology earth sciences": ("0532",), "meteorology climate": ("0521", "0532"),
    "geography": ("0314", "0532"),
    "mathematics mathematical": ("054",), "statistics statistical": ("0542",),
    "probability": ("0542",), "algebra": ("0541",), "linear algebra": ("0541",),
    "calculus analysis": ("0541",), "geometry": ("0541",), "differential equations": ("0541",),
    "numerical methods": ("0541",), "optimization": ("0541",), "logic": ("0541", "0223"),
    "graphs": ("0541",),
    "computer science computing": ("061",), "programming": ("0613",), "software": ("0613",),
    "software engineering": ("0613",), "algorithms": ("0613",), "data structures": ("0613",),
    "database": ("0612",), "networks": ("0612",), "operating systems": ("0612",),
    "distributed systems": ("0612",), "artificial intelligence": ("0613",),
    "machine learning": ("0613",), "data analysis": ("0542", "0613"), "security": ("0612",),
    "cryptography": ("0612",), "computer graphics": ("0613",), "compilers": ("0613",),
    "web": ("0613",),
    "electronics electronic": ("0714",), "electrical engineering": ("0713",),
    "signal processing": ("0714",), "telecommunications": ("0714",),
    "control automation": ("0714",), "robotics": ("0714",), "mechanical engineering": ("0715",),
    "civil engineering": ("0732",), "construction building": ("0732",),
    "architecture": ("0731",), "materials": ("0722",), "transport": ("1041", "0716"),
    "urban planning": ("0731",),
    "medicine medical": ("0912",), "nursing": ("0913",), "public health": ("0912", "1022"),
    "health": ("091",), "pharmacy pharmacology": ("0916",), "epidemiology": ("0912",),
    "veterinary": ("0841",),
    "psychology": ("0313",), "sociology social": ("0314",), "social work": ("0923",),
    "political science politics": ("0312",), "international relations": ("0312",),
    "anthropology": ("0314",), "history historical": ("0222",), "archaeology": ("0222",),
    "cultural heritage": ("0222", "0314"), "philosophy": ("0223",), "ethics": ("0223",),
    "religion theology": ("0221",), "linguistics": ("0232",), "literature": ("0232",),
    "language learning": ("0231",), "grammar": ("0231", "0232"), "translation": ("0232",),
    "education pedagogy teaching": ("011",), "journalism media": ("0321", "0211"),
    "communication": ("0321",), "design": ("0212",), "art arts": ("021",),
    "music": ("0215",), "sport": ("1014",), "tourism": ("1015",),
    "hospitality hotel": ("1013",), "agriculture": ("081",), "food nutrition": ("0721",),
    "forestry": ("0821",), "fisheries aquaculture": ("0831",),
    "research methods": (),
}  # fmt: skip


@functools.cache
def _glossary() -> dict[str, dict[str, list[str]]]:
    path = settings.TANDEM_DATA_DIR / "glossary" / "subjects.json"
    return json.loads(path.read_text(encoding="utf-8"))["concepts"]


def _belongs(code: str, fields: Iterable[str]) -> bool:
    return any(code == f or (len(f) == 3 and code.startswith(f)) for f in fields)


@functools.lru_cache(maxsize=2048)
def glossary_words(code: str, language: str) -> tuple[str, ...]:
    """The glossary's words for a detailed field: the concepts' English names and their
    words in `language` (Chinese in any script reads the "zh" list)."""
    words: list[str] = []
    for concept, terms in _glossary().items():
        if _belongs(code, CONCEPT_FIELDS.get(concept, ())):
            words.append(concept)
            words.extend(terms.get(language, ()))
    return tuple(dict.fromkeys(words))


def _lang() -> str:
    return (translation.get_language() or "en").split("-")[0]


def search_text(field, parents: dict[str, object]) -> str:
    """What the picker matches typed words against, beyond the option's own label."""
    lang = _lang()
    parts = [field.code, field.label_en]
    # The broad field's name is the <optgroup>'s label, which the script reads too.
    broad, narrow = parents.get(field.code[:2]), parents.get(field.code[:3])
    if broad is not None:
        parts.append(broad.label_en)
    if narrow is not None:
        parts += [narrow.label, narrow.label_en]
    parts += glossary_words(field.code, lang)
    return " ".join(dict.fromkeys(p for p in parts if p))
