"""What the statistics read: one narrow row per proposal with the keys they group by,
copied from the proposal and its two offers (balance.facts keeps them current).

Grouping 100,000 exchanges by country, level, field… through the proposal and two joins
to the wide offers table took seconds; the same GROUP BYs over these rows take tens of
milliseconds, and no other page pays for it.
"""

from django.db import models

from offers.models import OfferKind, OfferLevel, Priority

# The text keys are stored as small integers (a narrower row, cheaper to group by): kind,
# level and priority as their position among the choices (priority 0: none given), so
# editing those choices means `manage.py rebuild_balance_facts`; a country as its two
# letters' codes; an ISCED-F broad field as its number (-1: none). A value outside the
# choices is stored as -1. `encode` and `decode` convert.
CHOICES = {
    "kind": tuple(OfferKind.values),
    "level": tuple(OfferLevel.values),
    "priority": ("", *Priority.values),
}


def encode(name: str, value: str) -> int:
    if name == "country":
        return ord(value[0]) << 8 | ord(value[1]) if len(value) == 2 else -1
    if name == "field":
        return int(value) if value.isdigit() else -1
    try:
        return CHOICES[name].index(value)
    except ValueError:
        return -1


def decode(name: str, code: int) -> str:
    if code < 0:
        return ""
    if name == "country":
        return chr(code >> 8) + chr(code & 0xFF)
    if name == "field":
        return f"{code:02d}"
    return CHOICES[name][code]


class ProposalFact(models.Model):
    proposal = models.OneToOneField(
        "exchanges.Proposal", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    state = models.CharField(max_length=10)
    created_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True)
    # The earlier of the two courses' term starts: the exchange's year and term.
    start = models.DateField()
    # Its half-year: year * 2 for January–June, + 1 for July–December (`term_of`).
    term = models.SmallIntegerField(default=0)
    a_to_e = models.PositiveIntegerField()
    e_to_a = models.PositiveIntegerField()
    asian_institution_id = models.BigIntegerField()
    european_institution_id = models.BigIntegerField()
    asian_country = models.SmallIntegerField()
    european_country = models.SmallIntegerField()
    asian_kind = models.SmallIntegerField()
    european_kind = models.SmallIntegerField()
    asian_level = models.SmallIntegerField()
    european_level = models.SmallIntegerField()
    asian_priority = models.SmallIntegerField()
    european_priority = models.SmallIntegerField()
    # ISCED-F broad field: the first two digits of the detailed code.
    asian_field = models.SmallIntegerField()
    european_field = models.SmallIntegerField()
    asian_digital = models.BooleanField()
    asian_sustainable = models.BooleanField()
    european_digital = models.BooleanField()
    european_sustainable = models.BooleanField()
    # The SDGs either course names: bit k - 1 for SDG k (`sdg_bits`). The statistics
    # group by the mask and fold its few distinct values into the goals.
    sdg_mask = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["asian_institution_id"], name="fact_asian_inst_idx"),
            models.Index(fields=["european_institution_id"], name="fact_european_inst_idx"),
        ]

    def __str__(self) -> str:
        return f"facts of proposal {self.proposal_id}"


def term_of(start) -> int:
    return start.year * 2 + (start.month > 6)


def sdg_mask(numbers) -> int:
    return sum(1 << (n - 1) for n in set(numbers))


def sdg_bits(mask: int) -> list[int]:
    """The SDG numbers of a mask."""
    return [k + 1 for k in range(mask.bit_length()) if mask >> k & 1]
