"""Weekly overlap in real time zones, daylight saving included."""

import datetime as dt
import random
from dataclasses import dataclass

from matching import overlap as ov

T = dt.time


@dataclass(frozen=True)
class Avail:
    time_zone: str
    windows: tuple
    term_start: dt.date
    term_end: dt.date


def avail(tz, windows, start, end):
    return Avail(tz, tuple(windows), start, end)


# Kuala Lumpur is UTC+8 all year; Berlin is UTC+1 in winter and UTC+2 from 30 March 2025.
KL = avail("Asia/Kuala_Lumpur", [(1, T(15), T(17))], dt.date(2025, 2, 3), dt.date(2025, 6, 27))
BERLIN = avail("Europe/Berlin", [(1, T(8), T(10))], dt.date(2025, 1, 6), dt.date(2025, 5, 30))


def test_kuala_lumpur_afternoon_is_berlin_morning_one_hour_later_in_summer():
    hours = ov.weekly_overlap_hours(KL, BERLIN)
    # Shared term 3 Feb – 30 May 2025: 16 whole weeks; Tue 25 March is the last winter Tuesday.
    assert hours == [2.0] * 8 + [1.0] * 8


def test_slots_show_both_clocks_in_winter_and_in_summer():
    winter = ov.overlap_slots(KL, BERLIN, week=0)
    summer = ov.overlap_slots(KL, BERLIN, week=-1)
    assert [s.text() for s in winter] == [
        "Tue 15:00–17:00 in Asia/Kuala_Lumpur = 08:00–10:00 in Europe/Berlin"
    ]
    assert [s.text() for s in summer] == [
        "Tue 15:00–16:00 in Asia/Kuala_Lumpur = 09:00–10:00 in Europe/Berlin"
    ]
    assert winter[0].start_utc == dt.datetime(2025, 2, 4, 7, 0, tzinfo=dt.UTC)


def test_summary_takes_best_run_of_the_needed_length():
    summary = ov.overlap_summary(KL, BERLIN, need_weeks=8)
    assert (summary.guaranteed, summary.best_run_start) == (2.0, 0)
    assert (summary.minimum, summary.median, summary.maximum) == (1.0, 1.5, 2.0)
    assert summary.varies
    # A ten-week exchange must live through the change: only 1 h is certain every week.
    assert ov.overlap_summary(KL, BERLIN, need_weeks=10).guaranteed == 1.0
    # Longer than the shared term: nothing is guaranteed.
    assert ov.overlap_summary(KL, BERLIN, need_weeks=17).guaranteed == 0.0


def test_autumn_change_gives_the_hour_back():
    kl = avail(
        "Asia/Kuala_Lumpur", [(1, T(15), T(17))], dt.date(2025, 10, 6), dt.date(2025, 11, 30)
    )
    berlin = avail("Europe/Berlin", [(1, T(8), T(10))], dt.date(2025, 10, 6), dt.date(2025, 11, 30))
    # Berlin leaves summer time on Sunday 26 October 2025.
    assert ov.weekly_overlap_hours(kl, berlin) == [1.0, 1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0]


def test_both_hemispheres_change_clocks_in_opposite_directions():
    # London springs forward on 30 March 2025, Sydney falls back on 6 April 2025.
    sydney = avail(
        "Australia/Sydney", [(0, T(18), T(20))], dt.date(2025, 3, 17), dt.date(2025, 4, 27)
    )
    london = avail("Europe/London", [(0, T(8), T(10))], dt.date(2025, 3, 17), dt.date(2025, 4, 27))
    # Sydney 18–20 is 07–09 UTC (UTC+11), then 08–10 UTC (UTC+10); London 08–10 is
    # 08–10 UTC, then 07–09 UTC: one hour, two hours for one week, one hour again.
    assert ov.weekly_overlap_hours(sydney, london) == [1.0, 1.0, 2.0, 1.0, 1.0, 1.0]


def test_overlap_across_midnight_names_the_other_weekday():
    tokyo = avail("Asia/Tokyo", [(1, T(7), T(9))], dt.date(2025, 1, 6), dt.date(2025, 2, 28))
    london = avail("Europe/London", [(0, T(22), T(0))], dt.date(2025, 1, 6), dt.date(2025, 2, 28))
    assert set(ov.weekly_overlap_hours(tokyo, london)) == {2.0}
    (slot,) = ov.overlap_slots(tokyo, london, week=2)
    assert slot.text() == "Tue 07:00–09:00 in Asia/Tokyo = Mon 22:00–24:00 in Europe/London"


def test_no_daylight_saving_means_the_same_hours_every_week():
    jakarta = avail(
        "Asia/Jakarta",
        [(2, T(13), T(16)), (4, T(14), T(15, 30))],
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )
    manila = avail(
        "Asia/Manila",
        [(2, T(15), T(18)), (4, T(9), T(20))],
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )
    # Jakarta 13–16 = Manila 14–17 → 2 h on Wednesday; Friday 15–16:30 Manila → 1.5 h.
    assert set(ov.weekly_overlap_hours(jakarta, manila)) == {3.5}
    assert len(ov.weekly_overlap_hours(jakarta, manila)) == 52


def test_term_overlap_counts_whole_weeks_of_both_terms():
    a = avail("UTC", [], dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    b = avail("UTC", [], dt.date(2025, 2, 1), dt.date(2025, 6, 30))
    assert ov.shared_term(a, b) == (dt.date(2025, 2, 1), 8)  # 59 days
    c = avail("UTC", [], dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert ov.term_overlap_weeks(a, c) == 0
    assert ov.weekly_overlap_hours(a, c) == []


def test_windows_only_occur_inside_their_own_term():
    a = avail("UTC", [(0, T(10), T(12))], dt.date(2025, 1, 6), dt.date(2025, 3, 2))
    b = avail("UTC", [(0, T(11), T(12))], dt.date(2025, 1, 6), dt.date(2025, 1, 26))
    # Shared term is b's three weeks; a's Mondays after it do not count.
    assert ov.weekly_overlap_hours(a, b) == [1.0, 1.0, 1.0]


def test_overlapping_windows_of_one_offer_are_not_counted_twice():
    a = avail(
        "UTC", [(0, T(9), T(12)), (0, T(10), T(11))], dt.date(2025, 1, 6), dt.date(2025, 1, 12)
    )
    b = avail("UTC", [(0, T(8), T(18))], dt.date(2025, 1, 6), dt.date(2025, 1, 12))
    assert ov.weekly_overlap_hours(a, b) == [3.0]


def test_validate_windows_lists_every_problem():
    problems = ov.validate_windows(
        [
            (1, T(9), T(11)),
            (1, T(10), T(12)),
            (7, T(1), T(2)),
            (2, T(5), T(4)),
            (3, T(22), T(0)),  # until midnight: fine
            (1, T(11), T(13)),  # touches window 1: fine, overlaps window 2
        ]
    )
    assert problems == [
        ov.WINDOW_BAD_WEEKDAY.format(n=3),
        ov.WINDOW_BAD_ORDER.format(n=4),
        ov.WINDOW_OVERLAP.format(n=1, m=2, day="Tue"),
        ov.WINDOW_OVERLAP.format(n=2, m=6, day="Tue"),
    ]
    assert ov.validate_windows([(0, T(8), T(10)), (0, T(10), T(12))]) == []


ZONES = [
    "Asia/Kuala_Lumpur", "Europe/Berlin", "Australia/Sydney", "Pacific/Auckland",
    "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham",
    "Atlantic/Azores", "Asia/Tokyo",
]  # fmt: skip


def random_avail(rng: random.Random) -> Avail:
    windows = []
    for day in rng.sample(range(7), rng.randint(3, 6)):
        start = rng.randrange(0, 22 * 4) * 15
        length = rng.randrange(4, 40) * 15
        end = min(start + length, 24 * 60)
        windows.append((day, T(start // 60, start % 60), T(end // 60 % 24, end % 60)))
    start = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(0, 300))
    return avail(
        rng.choice(ZONES), windows, start, start + dt.timedelta(days=rng.randrange(30, 200))
    )


def brute_force_total(a: Avail, b: Avail) -> float:
    """Half-minute by half-minute reference over the shared whole weeks, with zoneinfo
    directly (half minutes: the week origin of a +12:45 zone falls on one)."""
    from zoneinfo import ZoneInfo

    start, weeks = ov.shared_term(a, b)
    if not weeks:
        return 0.0

    def minutes(x: Avail) -> set[int]:
        zone, out = ZoneInfo(x.time_zone), set()
        day = x.term_start
        while day <= x.term_end:
            for wd, s, e in x.windows:
                if wd == day.weekday():
                    t0 = dt.datetime.combine(day, s, zone).timestamp()
                    end_day = day + dt.timedelta(days=1) if e == T(0) else day
                    t1 = dt.datetime.combine(end_day, e, zone).timestamp()
                    out.update(range(int(t0) // 30, int(t1) // 30))
            day += dt.timedelta(days=1)
        return out

    t0 = ov._week_origin(a, b, start) // 30
    shared = {m for m in minutes(a) & minutes(b) if t0 <= m < t0 + weeks * 7 * 2880}
    return len(shared) / 120


def test_weekly_hours_add_up_to_a_brute_force_reference():
    rng = random.Random(7)
    totals = []
    for _ in range(40):
        a, b = random_avail(rng), random_avail(rng)
        totals.append(brute_force_total(a, b))
        assert abs(sum(ov.weekly_overlap_hours(a, b)) - totals[-1]) < 1e-6
    assert sum(t > 0 for t in totals) >= 12  # the comparison is not vacuous


def test_weekly_mask_bounds_every_week_from_above():
    rng = random.Random(11)
    tight = 0
    for _ in range(200):
        a, b = random_avail(rng), random_avail(rng)
        hours = ov.weekly_overlap_hours(a, b)
        if not hours:
            continue
        bound = ov.mask_hours(
            ov.weekly_mask(a.time_zone, a.windows, 2025, 2026),
            ov.weekly_mask(b.time_zone, b.windows, 2025, 2026)[None, :],
        )[0]
        assert max(hours) <= bound + 1e-9
        tight += max(hours) > 0 and bound - max(hours) <= 2
    assert tight >= 50
