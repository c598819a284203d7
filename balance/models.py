"""What the statistics read: one narrow row per proposal with the keys they group by,
copied from the proposal and its two offers (balance.facts keeps them current).

Grouping 100,000 exchanges by country, level, field… through the proposal and two joins
to the wide offers table took seconds; the same GROUP BYs over these rows take tens of
milliseconds, and no other page pays for it.
"""

from django.db import models


class ProposalFact(models.Model):
    proposal = models.OneToOneField(
        "exchanges.Proposal", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    state = models.CharField(max_length=10)
    created_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True)
    # The earlier of the two courses' term starts: the exchange's year and term.
    start = models.DateField()
    a_to_e = models.PositiveIntegerField()
    e_to_a = models.PositiveIntegerField()
    asian_institution_id = models.BigIntegerField()
    european_institution_id = models.BigIntegerField()
    asian_country = models.CharField(max_length=2)
    european_country = models.CharField(max_length=2)
    asian_kind = models.CharField(max_length=20)
    european_kind = models.CharField(max_length=20)
    asian_level = models.CharField(max_length=10)
    european_level = models.CharField(max_length=10)
    asian_priority = models.CharField(max_length=30)
    european_priority = models.CharField(max_length=30)
    # ISCED-F broad field: the first two digits of the detailed code.
    asian_field = models.CharField(max_length=2)
    european_field = models.CharField(max_length=2)
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


def sdg_mask(numbers) -> int:
    return sum(1 << (n - 1) for n in set(numbers))


def sdg_bits(mask: int) -> list[int]:
    """The SDG numbers of a mask."""
    return [k + 1 for k in range(mask.bit_length()) if mask >> k & 1]
