"""Fixtures of the matching tests."""

import pytest

from matching import engine


@pytest.fixture
def fit_model(db):
    """Fits the text model on the open offers, as the refit task does. A page request
    never fits (without a stored model it shows no suggestions and queues a refit), so a
    test that wants suggestions calls this once its offers exist."""

    def fit():
        version = engine.refit()
        assert version is not None, "no open offer to fit the model on"
        return version

    return fit
