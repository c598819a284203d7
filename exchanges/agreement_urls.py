"""Routes of the signable agreement: the PDF and the printable page of an approved
proposal, for the people who see the proposal (exchanges.agreement_views)."""

from django.urls import path

from exchanges import agreement_views

app_name = "agreement"

urlpatterns = [
    path("proposals/<int:pk>/agreement.pdf", agreement_views.agreement_pdf, name="pdf"),
    path("proposals/<int:pk>/agreement/print/", agreement_views.agreement_print, name="print"),
]
