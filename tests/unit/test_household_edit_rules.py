"""What a volunteer types when fixing a household: RT/RW and names, read forgivingly."""

from __future__ import annotations

import pytest

from services.household_edit import clean_name, read_rt_rw


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("3/1", ("003", "001")), ("003/001", ("003", "001")), ("RT 3 RW 1", ("003", "001")),
        ("rt03 rw01", ("003", "001")), ("rt.4 / rw.12", ("004", "012")), ("4-2", ("004", "002")),
        ("5 7", ("005", "007")),
    ],
)  # fmt: skip
def test_rt_rw_as_people_type_them(typed: str, stored: tuple[str, str]) -> None:
    assert read_rt_rw(typed) == stored


@pytest.mark.parametrize("typed", ["3", "0/1", "1/0", "1234/1", "RT tiga", "", "3/1/2"])
def test_what_is_not_an_rt_rw(typed: str) -> None:
    assert read_rt_rw(typed) is None


def test_names() -> None:
    assert clean_name("  Siti   Aminah ") == "Siti Aminah"
    assert clean_name("A") is None and clean_name("Budi 2") is None
    assert clean_name("3216054107001001") is None
