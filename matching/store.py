"""The model store: fitting the text model on the open offers, storing it as a version,
loading a stored version.

A version is a file in the default storage, under `matching/`, and a TextModelVersion
row naming it; the KEEP_VERSIONS newest are kept. The default storage is what every web
and worker machine reaches: S3-compatible object storage when S3_BUCKET is set, else a
directory (config.settings, STORAGES). Each process loads the newest version it sees and
swaps it in when a newer row appears (`matching.engine`).

Fitting happens here only, in `refit`, which the refit task (`matching.tasks`), the
`refit_matching` command, the pairing rounds and the tests call — never a page request:
without a stored model the engine serves no suggestions and queues a refit.

`matching.similarity` is imported inside the functions that fit or load, for start-up
speed only (it brings scipy, ~0.3 s, which a process that never scores does not need;
scikit-learn is imported lazily inside its methods in turn). There is no cycle to dodge.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import time
from typing import TYPE_CHECKING

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from matching.models import TextModelVersion
from offers.models import Offer, OfferStatus

if TYPE_CHECKING:
    from matching.similarity import TextModel

logger = logging.getLogger(__name__)

MODEL_DIR = "matching"
KEEP_VERSIONS = 3


class StorageUnavailable(OSError):
    """The default storage (a disk, or S3-compatible object storage) refused a write."""


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

    rows = matchable_offers().values_list(
        "pk", "description_language", "title", "description", "learning_outcomes"
    )
    docs, languages = [], []
    for pk, language, *parts in rows:
        docs.append((pk, "\n".join(p for p in parts if p)))
        languages.append(language)
    if not docs:
        return None
    # The language is part of the data: a corrected language is a new model.
    keyed = [(pk, f"{lang}\x1d{text}") for (pk, text), lang in zip(docs, languages, strict=True)]
    digest = data_hash(keyed, TextModel().params)
    latest = latest_version()
    if latest and latest.data_hash == digest and not force:
        return latest
    started = time.perf_counter()
    model = TextModel().fit(docs, languages=languages)
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
    """Write the model to the default storage under a name of its own (a forced refit of
    unchanged texts makes a new file too); (its name there, its size in bytes). Raises
    StorageUnavailable, an OSError, so the refit task retries later."""
    # Never a name used before, even by a pruned version: a process holding an old row
    # must find its file or none, not another model under the same name.
    stem = f"model-{timezone.now():%Y%m%dT%H%M%S}-{digest[:12]}-{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/model.joblib"
        model.save(path)
        size = os.path.getsize(path)
        try:
            with open(path, "rb") as fitted:
                name = default_storage.save(f"{MODEL_DIR}/{stem}.joblib", File(fitted))
        except Exception as exc:  # S3 errors are botocore's own; a disk's are OSErrors
            raise StorageUnavailable(f"could not store the text model: {exc}") from exc
        return name, size


def _prune_old_versions(*, keep: int) -> None:
    """Delete the files and rows of all but the `keep` newest versions. A process still
    serving an older one keeps it in memory; it needs the file only to load it."""
    for old in TextModelVersion.objects.all()[keep:]:
        try:
            default_storage.delete(old.file)  # a missing file is no error
        except Exception:
            # Keep the row, so the next refit tries again; the new version is stored.
            logger.warning("could not delete %s from the storage", old.file, exc_info=True)
            continue
        old.delete()


def load_model(version: TextModelVersion) -> TextModel:
    """The stored model of this version, read from the default storage: in place from a
    local disk, else copied from object storage to a temporary file first. Raises what the
    storage raises when it cannot be read (`matching.engine` then keeps the model it has)."""
    from matching.similarity import TextModel  # start-up speed: see the module docstring

    try:
        local = default_storage.path(version.file)
    except NotImplementedError:  # object storage: no local path
        pass
    else:
        return TextModel.load(local)
    with (
        default_storage.open(version.file, "rb") as src,
        tempfile.NamedTemporaryFile(suffix=".joblib") as tmp,
    ):
        shutil.copyfileobj(src, tmp, 1 << 20)
        tmp.flush()
        return TextModel.load(tmp.name)
