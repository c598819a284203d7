"""Pages of a lower app that show what an app above it knows: the offer page shows the
matching's suggestions, the proposal page and API the chat. The lower app names a slot
and asks `contribute`; the upper app registers a provider in its AppConfig.ready. So the
lower app never imports the upper one, and the upper one decides what it shows.

A provider takes the request and the object (and the lower app's access policy object)
and returns a dict merged into the page's context (or the API's answer)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

Provider = Callable[..., dict]

_providers: dict[str, list[Provider]] = defaultdict(list)

OFFER_PAGE = "offer-page"  # provider(request, offer, access) -> template context
PROPOSAL_PAGE = "proposal-page"  # provider(request, proposal, access) -> template context
PROPOSAL_API = "proposal-api"  # provider(request, proposal, access) -> fields of the answer
INSTITUTION_PAGE = "institution-page"  # provider(request, institution, None) -> context


def register(slot: str, provider: Provider) -> None:
    if provider not in _providers[slot]:
        _providers[slot].append(provider)


def contribute(slot: str, request, obj, access) -> dict:
    merged: dict = {}
    for provider in _providers[slot]:
        merged.update(provider(request, obj, access))
    return merged
