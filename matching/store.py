"""The model store: fitting the text model on the open offers, storing it as a version,
loading a stored version.

Fitting happens here only, in `refit`, which the refit task (`matching.tasks`), the
`refit_matching` command, the pairing rounds and the tests call — never a page request:
without a stored model the engine serves no suggestions and queues a refit.

`matching.similarity` is imported inside the functions that fit or load, for start-up
speed only (it brings scipy, ~0.3 s, which a process that never scores does not need;
scikit-learn is imported lazily inside its methods in turn). There is no cycle to dodge.
"""

from __future__ import annotations

import logging
import tempfile
import time
from typing import TYPE_CHECKING

from django.core.files import File
from django.core.files.storage import default_storage

from matching.models import TextModelVersion
from offers.models import Offer, OfferStatus

if TYPE_CHECKING:
    from matching.similarity import TextModel

logger = logging.getLogger(__name__)

MODEL_DIR = "matching"
KEEP_VERSIONS = 3


def matchable_offers():
    """The offers the model is fitted on and suggestions come from: the open ones."""
    return Offer.objects.filter(status=OfferStatus.OPEN).order_by("pk")


def latest_version() -> TextModelVersion | None:
    """The newest stored version this code can load, or None before the first fit (or
    after an upgrade changed the model's format, until the next refit)."""
    from matching.similarity import FORMAT_VERSION  # start-up speed: see the docstring

    return TextModelVersion.objects.filter(format_version=FORMAT_VERSION).first()


def refit(*, force: bool = False) -> TextModelVersion | None:
    """Fit the text model on every open offer and store it as a new version, unless the
    texts are unchanged since the newest version. Returns the version in use, or None
    when there is nothing to fit."""
    from matching.similarity import FORMAT_VERSION, TextModel, data_hash  # start-up speed

    docs = [
        (pk, "\n".join(p for p in parts if p))
        for pk, *parts in matchable_offers().values_list(
            "pk", "title", "description", "learning_outcomes"
        )
    ]
    if not docs:
        return None
    digest = data_hash(docs, TextModel().params)
    latest = latest_version()
    if latest and latest.data_hash == digest and not force:
        return latest
    started = time.perf_counter()
    model = TextModel().fit(docs)
    seconds = time.perf_counter() - started
    name, size = _save(model, digest)
    version = TextModelVersion.objects.create(
        format_version=FORMAT_VERSION,
        data_hash=digest,
        file=name,
        offers=len(docs),
        size_bytes=size,
        fit_seconds=round(seconds, 3),
    )
    logger.info("matching model v%s fitted on %s offers in %.1f s", version.pk, len(docs), seconds)
    _prune_old_versions(keep=KEEP_VERSIONS)
    return version


def _save(model: TextModel, digest: str) -> tuple[str, int]:
    """Write the model to the default storage; (its name there, its size in bytes)."""
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/model.joblib"
        model.save(path)
        with open(path, "rb") as fitted:
            name = default_storage.save(f"{MODEL_DIR}/model-{digest[:16]}.joblib", File(fitted))
        return name, default_storage.size(name)


def _prune_old_versions(*, keep: int) -> None:
    for old in TextModelVersion.objects.all()[keep:]:
        if default_storage.exists(old.file):
            default_storage.delete(old.file)
        old.delete()


def load_model(version: TextModelVersion) -> TextModel:
    """The stored model of this version, read from the default storage."""
    from matching.similarity import TextModel  # start-up speed: see the module docstring

    if hasattr(default_storage, "path"):
        return TextModel.load(default_storage.path(version.file))
    with default_storage.open(version.file) as src, tempfile.NamedTemporaryFile() as tmp:
        tmp.write(src.read())
        tmp.flush()
        return TextModel.load(tmp.name)
