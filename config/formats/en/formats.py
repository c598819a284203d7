"""English dates and times for an international audience: day before month and a 24-hour
clock, as in the rest of Asia and Europe ("1 March 2027, 15:30"). Django's American
default ("March 1, 2027, 3:30 p.m.") also doubled the full stop at a sentence's end."""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
