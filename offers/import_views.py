"""Bulk import of offers by an international office: the upload page and the example files."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import office_required
from accounts.models import Institution, User
from accounts.selectors import office_institution_ids
from offers import importing, jobs
from offers.importing.jobs import live_progress
from offers.models import ImportJob, ImportStatus

EXAMPLES = {
    "csv": ("offers_import_example.csv", "text/csv; charset=utf-8"),
    "json": ("offers_import_example.json", "application/json"),
}
NO_SUCH_INSTITUTION = _("No institution has this number.")
RECENT_JOBS = 10
FILE_HELP = _(
    "CSV (UTF-8, comma separated, with a header row) or JSON; at most %(size)s and %(rows)s offers."
)


def importable_institutions(user: User):
    """The institutions the user may import offers into: their offices', or all for the
    secretariat."""
    if user.is_secretariat:
        return Institution.objects.select_related("country")
    return Institution.objects.filter(pk__in=office_institution_ids(user)).select_related("country")


class OfferImportForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Import into"), queryset=Institution.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )
    atomic = forms.BooleanField(
        label=_("All or nothing: if any row is wrong, import none of them"), required=False
    )
    check_only = forms.BooleanField(
        label=_("Check only: show what would be imported, and import nothing yet"),
        required=False,
    )

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = FILE_HELP % {
            "size": filesizeformat(importing.MAX_BYTES),
            "rows": importing.MAX_ROWS,
        }
        field = self.fields["institution"]
        field.queryset = importable_institutions(user)
        if user.is_secretariat:
            # Thousands of institutions: the secretariat types the number from its page.
            field.widget = forms.NumberInput(attrs={"min": 1})
            field.help_text = _("The institution's number, as in the address of its page.")
            field.error_messages["invalid_choice"] = NO_SUCH_INSTITUTION
        self.file_format = ""
        self.content = b""

    def clean_file(self):
        """The file as a whole (size, type, encoding, columns) is checked here, so the
        page says at once what to fix; its rows are checked by the worker."""
        upload = self.cleaned_data["file"]
        try:
            importing.check_size(upload.size)
            self.file_format = importing.detect_format(upload.name)
            self.content = upload.read()
            importing.read_records(self.content, format=self.file_format)
        except importing.FileRefused as exc:
            raise ValidationError(exc.messages) from None
        return upload


@office_required
@require_http_methods(["GET", "POST"])
def offer_import(request: HttpRequest) -> HttpResponse:
    """The upload: the file is checked as a whole here, then imported by a worker."""
    form = OfferImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.import_job_create(
            actor=request.user,
            institution=form.cleaned_data["institution"],
            filename=upload.name,
            format=form.file_format,
            content=form.content,
            atomic=form.cleaned_data["atomic"],
            check_only=form.cleaned_data["check_only"],
        )
        return redirect("imports:job", pk=job.pk)
    recent = (
        ImportJob.objects.filter(institution__in=importable_institutions(request.user))
        .select_related("institution")
        .defer("content", "report")  # up to 10 MB each; the list shows neither
    )[:RECENT_JOBS]
    return render(
        request,
        "offers/import.html",
        {
            "form": form,
            "recent": recent,
            "columns": importing.column_guide(),
            "max_rows": importing.MAX_ROWS,
            "max_size": importing.MAX_BYTES,
        },
    )


def _job_or_404(request: HttpRequest, pk: int) -> ImportJob:
    """A job of an institution the user imports for; 404 for everybody else."""
    return get_object_or_404(
        ImportJob.objects.select_related("institution").defer("content"),
        pk=pk,
        institution__in=importable_institutions(request.user),
    )


@office_required
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    report = importing.ImportReport.from_json(job.institution, job.report) if job.report else None
    done, total = live_progress(job)
    # The page's script fills the same sentence in as rows are done.
    progress_template = json.dumps(
        gettext("%(done)s of %(total)s rows done.") % {"done": "DONE", "total": "TOTAL"}
    ).replace("<", "\\u003c")
    return render(
        request,
        "offers/import_job.html",
        {
            "job": job,
            "report": report,
            "done": done,
            "total": total,
            "progress_template": progress_template,
        },
    )


@office_required
@require_GET
def import_job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job_or_404(request, pk)
    done, total = live_progress(job)
    return JsonResponse(
        {"status": job.status, "label": job.get_status_display(), "done": done, "total": total}
    )


@office_required
@require_POST
def import_job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """After a check: import the same file for real, as a new job."""
    job = _job_or_404(request, pk)
    if not (job.check_only and job.status == ImportStatus.DONE):
        raise Http404
    again = jobs.import_job_create(
        actor=request.user,
        institution=job.institution,
        filename=job.filename,
        format=job.format,
        content=bytes(ImportJob.objects.values_list("content", flat=True).get(pk=job.pk)),
        atomic=job.atomic,
    )
    return redirect("imports:job", pk=again.pk)


@office_required
@require_GET
def example_file(request: HttpRequest, format: str) -> FileResponse:
    name, content_type = EXAMPLES[format]
    return FileResponse(
        (settings.BASE_DIR / "docs" / name).open("rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type,
    )
