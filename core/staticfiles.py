"""Static files: hashed and compressed names from the manifest that collectstatic writes.

Before collectstatic has run (a fresh checkout, a benchmark, a test server), a page links
the plain name and WhiteNoise serves the file from the apps' folders (settings:
WHITENOISE_USE_FINDERS) instead of the page failing with a 500."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet
            return name
