"""Who may sign up for a training (services.enrollment.eligibility) and the self-report's
computed figures (services.reports): plain rules, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from db.models.aid import Training
from db.models.households import Member
from services.enrollment import eligibility
from services.reports import compute_figures, urgent_reasons

START = dt.datetime(2026, 12, 10, 1, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)


def training(**kw: object) -> Training:
    values = {"status": "open", "starts_at": START, "min_age": 15, "max_age": 64,
              "signup_deadline": None}  # fmt: skip
    values.update(kw)
    return Training(**values)


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (dt.date(2011, 12, 10), None),  # 15 on the first day of the training
        (dt.date(2011, 12, 11), "too_young"),  # 15 one day too late
        (dt.date(1961, 12, 11), None),  # still 64
        (dt.date(1961, 12, 10), "too_old"),  # 65 on the first day
        (None, None),  # unknown: checked at the training
    ],
)
def test_age_at_the_start_of_the_training(born: dt.date | None, expected: str | None) -> None:
    assert eligibility(training(), Member(birth_date=born), NOW) == expected


def test_closed_started_or_past_deadline_refused() -> None:
    member = Member(birth_date=dt.date(1990, 1, 1))
    assert eligibility(training(status="closed"), member, NOW) == "closed"
    assert eligibility(training(), member, START) == "closed"
    assert eligibility(training(signup_deadline=NOW), member, NOW) == "closed"
    assert eligibility(training(signup_deadline=NOW + dt.timedelta(hours=1)), member, NOW) is None


def test_figures_against_the_poverty_line() -> None:
    figures = compute_figures(1_500_000, 4, 322_170)
    assert figures.income_per_person_day == 12_500 and figures.extreme_poor is False
    poor = compute_figures(1_000_000, 4, 322_170)  # 250.000 a person a month
    assert poor.income_per_person_day == 8_333 and poor.extreme_poor is True
    assert compute_figures(0, 3, 322_170).extreme_poor is True
    assert compute_figures(None, 3, 322_170).extreme_poor is None


def test_urgent_reasons() -> None:
    assert urgent_reasons({"food": "tidak_ada", "sickness": "ringan"}) == ["food"]
    assert urgent_reasons({"house_safety": "tidak_aman", "sickness": "parah"}) == [
        "sickness",
        "house_safety",
    ]
    assert urgent_reasons({"food": "cukup"}) == []
