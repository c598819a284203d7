"""The term window (core.terms) as a constraint, and drafts that may be closed unpublished.

Rows written before the rule may lie outside the window (9999-12-31): they are brought
inside it first, so that adding the constraint never fails on existing data. Such dates
were mistakes; the nearest dates inside the window keep the offer readable and let its
owner correct it."""

import datetime
import logging

import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models

import offers.validation

logger = logging.getLogger(__name__)

# Frozen here: the migration must do the same whatever core.terms later says.
FIRST = datetime.date(2000, 1, 1)
LAST = datetime.date(2100, 12, 31)
MAX_DAYS = 1461
DAY = datetime.timedelta(days=1)


def inside(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The nearest term inside the window: each day clamped into it; a term still too
    long (or empty) keeps the day that was inside the window and moves the other."""
    start_was_inside = FIRST <= start <= LAST
    new_start = min(max(start, FIRST), LAST - DAY)
    new_end = min(max(end, FIRST + DAY), LAST)
    longest = datetime.timedelta(days=MAX_DAYS)
    if start_was_inside or not FIRST <= end <= LAST:
        new_end = min(max(new_end, new_start + DAY), new_start + longest)
    else:
        new_start = max(min(new_start, new_end - DAY), new_end - longest)
    return new_start, new_end


def bring_terms_inside(apps, schema_editor):
    Offer = apps.get_model("offers", "Offer")
    outside = Offer.objects.filter(
        models.Q(term_start__lt=FIRST)
        | models.Q(term_end__gt=LAST)
        | models.Q(term_end__lte=models.F("term_start"))
        | models.Q(term_end__gt=models.F("term_start") + datetime.timedelta(days=MAX_DAYS))
    )
    for pk, start, end in outside.values_list("pk", "term_start", "term_end"):
        new_start, new_end = inside(start, end)
        Offer.objects.filter(pk=pk).update(term_start=new_start, term_end=new_end)
        logger.warning(
            "offer %s: term %s–%s moved into the window: %s–%s", pk, start, end, new_start, new_end
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_affiliation_notified"),
        ("offers", "0002_import_job"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="offer",
            name="offer_published_has_date",
        ),
        migrations.AlterField(
            model_name="offer",
            name="term_end",
            field=models.DateField(
                validators=[offers.validation.validate_term_day], verbose_name="term ends"
            ),
        ),
        migrations.AlterField(
            model_name="offer",
            name="term_start",
            field=models.DateField(
                validators=[offers.validation.validate_term_day], verbose_name="term starts"
            ),
        ),
        migrations.RunPython(bring_terms_inside, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name="offer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("term_start__gte", datetime.date(2000, 1, 1)),
                    ("term_end__lte", datetime.date(2100, 12, 31)),
                    (
                        "term_end__lte",
                        django.db.models.expressions.CombinedExpression(
                            models.F("term_start"),
                            "+",
                            models.Value(datetime.timedelta(days=1461)),
                        ),
                    ),
                ),
                name="offer_term_in_window",
                violation_error_message=offers.validation.TERM_TOO_LONG,
            ),
        ),
        migrations.AddConstraint(
            model_name="offer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("status__in", ["draft", "closed"]),
                    ("published_at__isnull", False),
                    _connector="OR",
                ),
                name="offer_published_has_date",
            ),
        ),
    ]
