"""Time zones are offered and shown by name in the reader's language."""

from django.utils import translation

from accounts.forms import PreferencesForm
from core.time_zones import TimeZoneField, zone_choices, zone_name


def test_the_list_names_places_in_the_readers_language_without_technical_entries():
    with translation.override("de"):
        choices = dict(zone_choices())
    assert choices["Europe/Berlin"] == "Deutschland (Berlin) (Ortszeit)"
    for technical in ("Factory", "localtime", "Etc/GMT-7", "US/Eastern", "Asia/Saigon"):
        assert technical not in choices
    assert "Asia/Ho_Chi_Minh" in choices
    assert len(choices) < 460


def test_the_list_is_sorted_by_the_names_the_reader_sees():
    with translation.override("de"):
        labels = [label for zone, label in zone_choices()[1:]]
    countries = [label.split(" (")[0] for label in labels]
    # German order: Österreich among the Os, not after Z as in code-point order.
    assert countries.index("Österreich") < countries.index("Pakistan")
    assert countries.index("Ägypten") < countries.index("Albanien")
    with translation.override("en"):
        assert [z for z, _ in zone_choices()][0] == "UTC"


def test_a_zone_reads_in_thai_japanese_and_vietnamese():
    for language, expected in (("th", "ไทย"), ("ja", "タイ"), ("vi", "Thái Lan")):
        with translation.override(language):
            assert expected in zone_name("Asia/Bangkok")


def test_an_old_tz_name_is_read_and_saved_as_its_canonical_zone():
    field = TimeZoneField()
    assert field.clean("Asia/Saigon") == "Asia/Ho_Chi_Minh"
    assert field.clean("Asia/Calcutta") == "Asia/Kolkata"
    with translation.override("en"):
        assert zone_name("Asia/Saigon") == zone_name("Asia/Ho_Chi_Minh")


def test_a_time_zone_that_does_not_exist_is_refused_with_a_message():
    form = PreferencesForm(
        data={"full_name": "A", "preferred_language": "en", "time_zone": "Mars/Olympus"}
    )
    assert not form.is_valid()
    assert "time_zone" in form.errors
