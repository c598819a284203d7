"""A model stored by the previous format (version 2, a fitted scikit-learn CountVectorizer
inside) is never loaded: the store treats it as none and the next refit replaces it; and
the refit bench prints its figures."""

import json
import subprocess
import sys
from pathlib import Path

import joblib
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from matching import engine, store
from matching.models import TextModelVersion
from matching.similarity import FORMAT_VERSION, ModelFormatError, TextModel
from tests import factories

BENCH = Path(__file__).resolve().parents[2] / "bench" / "refit_memory.py"


def test_the_format_is_version_4():
    assert FORMAT_VERSION == 4  # 4: texts go through matching.glossary first


def test_a_version_2_file_is_refused(tmp_path):
    path = tmp_path / "old.joblib"
    joblib.dump({"format_version": 2, "state": {"_words": None}}, path)
    with pytest.raises(ModelFormatError):
        TextModel.load(path)


@pytest.mark.django_db
def test_a_stored_version_2_model_is_replaced_by_the_next_refit(alice, european_institution):
    siti = factories.make_offer(alice)  # Coastal Ecosystems
    jan = factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")
    marine = factories.make_offer(
        jan, title="Marine Spatial Planning", description="Seas, coasts, reefs and estuaries."
    )
    old_file = default_storage.save(f"{store.MODEL_DIR}/model-old.joblib", ContentFile(b"not read"))
    TextModelVersion.objects.create(format_version=2, data_hash="old", file=old_file, offers=2)
    assert store.latest_version() is None  # this code cannot read it: no model yet
    version = engine.refit()
    assert version.format_version == FORMAT_VERSION
    model = store.load_model(version)
    assert model.rows_of([siti.pk, marine.pk]).min() >= 0
    assert [m.partner_id for m in engine.suggestions(siti)] == [marine.pk]


def test_the_refit_bench_prints_time_and_memory():
    out = subprocess.run(
        [sys.executable, str(BENCH), "--sizes", "300", "--queries", "5"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    assert [run["offers"] for run in figures["runs"]] == [300]
    for run in figures["runs"]:
        assert run["refit_s"] > 0 and run["refit_peak_mb"] >= 0 and run["nnz"] > 0
        assert run["suggest_p95_ms"] > 0
