"""The import itself: every row goes through the services the offer pages use
(offer_create, then offer_publish for status=open), each in its own savepoint. A good row
is imported; a bad row is reported with its number and the reasons by column, the
services' own words for the offer's rules."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, User
from offers import services
from offers.importing.cells import ParsedRow, parse_row, title_of
from offers.importing.files import Record, read_records
from offers.importing.report import ImportReport
from offers.models import IscedField, Offer

logger = logging.getLogger(__name__)

OWNER_NOT_LECTURER = _(
    "%(email)s is not a verified lecturer of %(institution)s. Offers are imported for "
    "verified lecturers only: ask them to claim their role on Tandem, then verify it."
)
ALREADY_IMPORTED = _(
    "%(owner)s already has the offer “%(title)s” starting on %(date)s (imported before, or "
    "earlier in this file). Remove the row, or change its title or term if it is another offer."
)
# How often a long import tells its progress (rows).
PROGRESS_EVERY = 25
ROW_NOT_SAVED = _("This row could not be saved. Check its values, or write to the secretariat.")


class _Import:
    """What every row of one import needs, read once: the institution, the ISCED codes
    (to spot a code whose leading zero a spreadsheet dropped) and the owners by e-mail."""

    def __init__(self, institution: Institution, report: ImportReport):
        self.institution = institution
        self.report = report
        self.isced_codes = frozenset(IscedField.objects.values_list("code", flat=True))
        self._owners: dict[str, User | None] = {}

    def owner(self, email: str) -> User | None:
        """The active user with this address; whether they may own the institution's
        offers is the service's call."""
        if email not in self._owners:
            self._owners[email] = User.objects.filter(email=email, is_active=True).first()
        return self._owners[email]


class _Discard(Exception):
    """Roll the row's savepoint back: the service accepted it but the file's cells did not."""


def _merge(errors: dict[str, list[str]], exc: ValidationError) -> None:
    """Add the service's messages, except for columns whose cell could not be read: the
    service only saw them as missing, and the reading problem says what to fix."""
    for name, messages in exc.message_dict.items():
        column = "" if name == NON_FIELD_ERRORS else name
        if column not in errors:
            errors[column] = [str(m) for m in messages]


def _check_not_imported_before(row: ParsedRow, owner: User, institution: Institution) -> None:
    title, start = row.data.fields.get("title"), row.data.fields.get("term_start")
    if (
        title
        and start
        and Offer.objects.filter(
            institution=institution, owner=owner, title=title, term_start=start
        ).exists()
    ):
        message = ALREADY_IMPORTED % {
            "owner": owner.email,
            "title": title,
            "date": start.isoformat(),
        }
        row.errors.setdefault("title", []).append(str(message))


def _save(number: int, row: ParsedRow, owner: User, institution: Institution) -> Offer | None:
    """The row's offer, created (and published) by the services; None, with the reasons in
    row.errors, when the services refuse it or a cell could not be read."""
    try:
        with transaction.atomic():
            offer = services.offer_create(owner=owner, institution=institution, data=row.data)
            if row.publish:
                offer = services.offer_publish(offer=offer, actor=owner)
            if row.errors:
                raise _Discard
    except _Discard:
        return None
    except ValidationError as exc:
        _merge(row.errors, exc)
        return None
    except PermissionDenied as exc:
        row.errors.setdefault("owner_email", []).append(str(exc))
        return None
    except IntegrityError:
        logger.exception("offer import: row %s of institution %s", number, institution)
        row.errors.setdefault("", []).append(str(ROW_NOT_SAVED))
        return None
    return offer


def _import_record(record: Record, run: _Import) -> None:
    report, title = run.report, title_of(record.cells)
    if record.refused:
        report.add_rejected(record.number, title, {"": [record.refused]})
        return
    row = parse_row(record.cells, isced_codes=run.isced_codes)
    owner = run.owner(row.owner_email) if row.owner_email else None
    if row.owner_email and owner is None:
        row.errors["owner_email"] = [
            str(
                OWNER_NOT_LECTURER % {"email": row.owner_email, "institution": run.institution.name}
            )
        ]
    offer = None
    if owner is not None:
        _check_not_imported_before(row, owner, run.institution)
        offer = _save(record.number, row, owner, run.institution)
    if offer is None:
        report.add_rejected(record.number, title, row.errors)
    else:
        report.add_imported(record.number, offer, owner.email)


def offers_import(
    *,
    institution: Institution,
    content: bytes,
    format: str,
    atomic: bool = False,
    check_only: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the file's offers into the institution; report what was imported and why
    each other row was not.

    The caller has checked that the actor may import for this institution. Raises
    FileRefused, having written nothing, when the file cannot be read as a whole. With
    atomic=True nothing is imported when any row is bad; the report still lists them all.
    With check_only=True every row goes through the services and then nothing is kept:
    the report says what an import would do. `progress(done, total)` is called as rows
    are done (every PROGRESS_EVERY rows and at the end)."""
    records = read_records(content, format=format)
    report = ImportReport(institution=institution, format=format, atomic=atomic, rows=len(records))
    run = _Import(institution, report)
    with transaction.atomic():
        for done, record in enumerate(records, start=1):
            _import_record(record, run)
            if progress and (done % PROGRESS_EVERY == 0 or done == len(records)):
                progress(done, len(records))
        if check_only:
            report.checked_only()
            transaction.set_rollback(True)
        elif atomic and report.rejected:
            report.roll_back()
            transaction.set_rollback(True)
    return report
