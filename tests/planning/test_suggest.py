"""The pure planner: overlap of two weekly windows on real dates, across summer time, around
public holidays and academic calendars, spread over the shared term."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import holidays

from planning.suggest import Closed, Side, suggest

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")


def _holidays(code: str, year: int = 2027) -> dict:
    return {
        d: (Closed("holiday", n),) for d, n in holidays.country_holidays(code, years=year).items()
    }


def hanoi(**overrides) -> Side:
    fields = {
        "zone": "Asia/Ho_Chi_Minh",
        "windows": ((1, dt.time(15), dt.time(18)),),
        "term_start": dt.date(2027, 1, 18),
        "term_end": dt.date(2027, 5, 28),
        "closed": _holidays("VN"),
    }
    return Side(**(fields | overrides))


def aarhus(**overrides) -> Side:
    fields = {
        "zone": "Europe/Copenhagen",
        "windows": ((1, dt.time(9), dt.time(12)),),
        "term_start": dt.date(2027, 2, 1),
        "term_end": dt.date(2027, 5, 28),
        "closed": _holidays("DK"),
    }
    return Side(**(fields | overrides))


def local(moment: dt.datetime, zone) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def test_plan_skips_tet_and_crosses_the_european_summer_time_change():
    plan = suggest((hanoi(), aarhus()), count=6, minutes=90)

    assert len(plan.starts) == 6 and not plan.short
    assert plan.shared_start == dt.date(2027, 2, 1) and plan.shared_end == dt.date(2027, 5, 28)
    # Every session is on a Tuesday in both places, within both weekly windows.
    hanoi_times = [local(s, HCM) for s in plan.starts]
    aarhus_times = [local(s, CPH) for s in plan.starts]
    assert hanoi_times == [
        "2027-02-16 15:00",
        "2027-03-02 15:00",
        "2027-03-23 15:00",
        "2027-04-13 15:00",
        "2027-04-27 15:00",
        "2027-05-18 15:00",
    ]
    # Hanoi keeps 15:00; Aarhus moves from 09:00 to 10:00 after 28 March 2027.
    assert [t[-5:] for t in aarhus_times] == ["09:00", "09:00", "09:00", "10:00", "10:00", "10:00"]
    # Tuesday 9 February 2027 is in Tết: skipped, and said why.
    tet = [s for s in plan.skipped if s.local_date == dt.date(2027, 2, 9)]
    assert len(tet) == 1 and tet[0].side == 0
    assert "Lunar New Year" in tet[0].reasons[0].name
    assert all(s.astimezone(HCM).date() != dt.date(2027, 2, 9) for s in plan.starts)


def test_every_free_tuesday_is_a_candidate_and_none_falls_on_a_holiday():
    plan = suggest((hanoi(), aarhus()), count=60, minutes=90)
    # 17 Tuesdays from 2 February to 25 May 2027, less Tết (9 February).
    assert plan.candidates == 16 and len(plan.starts) == 16 and plan.short
    assert dt.date(2027, 2, 9) not in {s.astimezone(HCM).date() for s in plan.starts}


def test_a_slot_that_fits_in_winter_vanishes_in_summer():
    # Aarhus 09:00–10:30 is 08:00–09:30 UTC in winter, 07:00–08:30 in summer; Hanoi
    # 15:00–16:30 is 08:00–09:30 UTC all year. 90 minutes fit only before 28 March.
    plan = suggest(
        (
            hanoi(windows=((1, dt.time(15), dt.time(16, 30)),)),
            aarhus(windows=((1, dt.time(9), dt.time(10, 30)),)),
        ),
        count=60,
        minutes=90,
    )
    assert plan.starts
    assert max(s.astimezone(CPH).date() for s in plan.starts) == dt.date(2027, 3, 23)
    # Thirty minutes still fit in summer, from 08:00 UTC (10:00 in Aarhus).
    short = suggest(
        (
            hanoi(windows=((1, dt.time(15), dt.time(16, 30)),)),
            aarhus(windows=((1, dt.time(9), dt.time(10, 30)),)),
        ),
        count=60,
        minutes=30,
    )
    assert local(short.starts[-1], CPH) == "2027-05-25 10:00"


def test_danish_easter_and_exam_weeks_are_skipped_on_their_own_side():
    # Thursday sessions: Maundy Thursday (25 March 2027) is a Danish holiday.
    exams = {
        dt.date(2027, 5, 20) + dt.timedelta(days=i): (Closed("exams", "Final exams"),)
        for i in range(8)
    }
    plan = suggest(
        (
            hanoi(windows=((3, dt.time(15), dt.time(18)),), closed=_holidays("VN") | exams),
            aarhus(windows=((3, dt.time(9), dt.time(12)),)),
        ),
        count=60,
        minutes=60,
    )
    days = {s.astimezone(CPH).date() for s in plan.starts}
    assert dt.date(2027, 3, 25) not in days and dt.date(2027, 3, 18) in days
    assert dt.date(2027, 5, 20) not in days and dt.date(2027, 5, 27) not in days
    reasons = {(s.local_date, s.side, s.reasons[0].name) for s in plan.skipped}
    assert (dt.date(2027, 3, 25), 1, "Maundy Thursday") in reasons
    assert (dt.date(2027, 5, 20), 0, "Final exams") in reasons


def test_each_side_is_checked_on_its_own_local_date():
    # Tokyo Wednesday 05:00 is Tuesday 22:00 in Copenhagen (summer): each side's holidays
    # count on its own date. Wednesday 5 May 2027 is Children's Day in Japan.
    term = (dt.date(2027, 4, 19), dt.date(2027, 5, 20))
    tokyo = Side("Asia/Tokyo", ((2, dt.time(5), dt.time(7)),), *term, _holidays("JP"))
    copenhagen = Side("Europe/Copenhagen", ((1, dt.time(21), dt.time(23, 59)),), *term)
    plan = suggest((tokyo, copenhagen), count=60, minutes=45)
    jst = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert [local(s, jst) for s in plan.starts] == [
        "2027-04-21 05:00",
        "2027-04-28 05:00",
        "2027-05-12 05:00",
        "2027-05-19 05:00",
    ]
    assert [local(s, CPH) for s in plan.starts][0] == "2027-04-20 22:00"
    assert [(s.local_date, s.side) for s in plan.skipped] == [(dt.date(2027, 5, 5), 0)]


def test_no_overlap_no_term_and_not_before():
    none = suggest((hanoi(windows=((0, dt.time(8), dt.time(9)),)), aarhus()), count=6, minutes=60)
    assert none.starts == [] and none.candidates == 0 and none.short
    apart = suggest((hanoi(term_end=dt.date(2027, 1, 30)), aarhus()), count=6, minutes=60)
    assert apart.shared_start is None and apart.starts == []
    later = suggest((hanoi(), aarhus()), count=60, minutes=90, not_before=dt.date(2027, 5, 1))
    assert [local(s, HCM)[:10] for s in later.starts] == [
        "2027-05-04",
        "2027-05-11",
        "2027-05-18",
        "2027-05-25",
    ]
