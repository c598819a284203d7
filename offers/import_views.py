"""Bulk import of offers by an international office: the upload page and the example files."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import office_required
from accounts.models import Institution, User
from accounts.selectors import office_institution_ids
from offers import importing

EXAMPLES = {
    "csv": ("offers_import_example.csv", "text/csv; charset=utf-8"),
    "json": ("offers_import_example.json", "application/json"),
}
NO_SUCH_INSTITUTION = _("No institution has this number.")
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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            importing.check_size(upload.size)
            self.file_format = importing.detect_format(upload.name)
        except importing.FileRefused as exc:
            raise ValidationError(exc.messages) from None
        return upload


@office_required
@require_http_methods(["GET", "POST"])
def offer_import(request: HttpRequest) -> HttpResponse:
    form = OfferImportForm(request.POST or None, request.FILES or None, user=request.user)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = importing.offers_import(
                institution=form.cleaned_data["institution"],
                content=form.cleaned_data["file"].read(),
                format=form.file_format,
                atomic=form.cleaned_data["atomic"],
            )
        except importing.FileRefused as exc:
            for message in exc.messages:
                form.add_error("file", message)
    return render(
        request,
        "offers/import.html",
        {
            "form": form,
            "report": report,
            "columns": importing.column_guide(),
            "max_rows": importing.MAX_ROWS,
            "max_size": importing.MAX_BYTES,
        },
    )


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
