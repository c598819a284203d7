"""Bulk import of offers by an international office (being built)."""

from django.http import Http404


def offer_import(request):
    raise Http404
