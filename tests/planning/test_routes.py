"""The planner's address must reach the planner on the real site, not exchanges' action
route "proposals/<pk>/<action>/" (config/urls.py includes planning.urls before it)."""

from django.urls import resolve


def test_the_planner_address_reaches_the_planner():
    assert resolve("/proposals/7/sessions/").view_name == "planning:planner"
    assert resolve("/proposals/7/sessions.ics").view_name == "planning:proposal-ics"
    assert resolve("/calendar/feed/abc.ics").view_name == "planning:feed"
