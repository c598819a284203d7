"""The documented backup (docs/operations.md): pg_dump in the custom format, restored with
pg_restore into an empty database, gives back every row of every table."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from tests import factories
from tests.conftest import _missing
from tests.live import shared_test_database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def test_a_dump_restored_into_an_empty_database_has_every_row(
    alice, european_institution, tmp_path
):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        _missing("this test needs pg_dump and pg_restore (Debian's postgresql-client)")
    from exchanges import services

    jan = factories.lecturer(european_institution, email="jan@wur.nl")
    offer = factories.make_offer(alice)
    partner = factories.make_offer(
        jan, title="Marine Spatial Planning", time_zone="Europe/Amsterdam"
    )
    services.proposal_create(actor=alice, offer=offer, partner=partner)
    source = shared_test_database_url()
    dump = tmp_path / "tandem.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], check=True)  # noqa: S603, S607

    name = f"tandem_restore_{uuid.uuid4().hex[:8]}"
    admin = source.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    target = source.rsplit("/", 1)[0] + f"/{name}"
    try:
        subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", f"--dbname={target}", str(dump)],  # noqa: S607
            check=True,
        )
        restored = row_counts(target)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    original = row_counts(source)
    assert restored == original
    assert original["exchanges_offer"] == 2 and original["exchanges_proposal"] == 1
    assert connection.vendor == "postgresql"
