"""The reports' value layer: every question of the forms has its column, codes become
Indonesian words, and cells get the formats staff need."""

from __future__ import annotations

import datetime as dt

from conversations.field_visit import VISIT_PROPOSAL
from conversations.lapor import FORM as LAPOR
from conversations.schema import get_form
from services.export_values import (
    REPORT_ANSWERS,
    VISIT_ANSWERS,
    answers,
    audience_words,
    number_format,
    word,
)

# Kept in their own columns (or not exportable: a Telegram photo id).
NOT_ANSWER_COLUMNS = {"photo", "location", "outcome", "note"}


def test_every_form_question_has_a_column() -> None:
    lapor = {f.name for f in LAPOR.fields} - NOT_ANSWER_COLUMNS
    assert lapor == set(REPORT_ANSWERS) - {"note"}
    visit = {f.name for f in get_form(VISIT_PROPOSAL).fields} - NOT_ANSWER_COLUMNS
    assert visit == set(VISIT_ANSWERS)


def test_codes_become_words() -> None:
    assert word(True) == "Ya" and word(False) == "Tidak"
    assert word("enrolled") == "terdaftar" and word("notice") == "pemberitahuan"
    assert word("buruh_harian") == "buruh harian"
    assert word(["food", "school"]) == "pangan, biaya sekolah"
    assert word("Rumah bocor_parah di RT 2") == "Rumah bocor_parah di RT 2"  # free text kept
    row = answers({"gone": ["7"], "work": "karyawan"}, VISIT_ANSWERS, {7: "Rizky"})
    assert row[0] == "Rizky" and row[4] == "karyawan"


def test_formats() -> None:
    assert number_format("3216181503120001", "no_kk") == "@"
    assert number_format("3216181205780003", "nik_kepala") == "@"
    assert number_format(dt.datetime(2026, 1, 1, 9), "tanggal") == "DD/MM/YYYY HH:MM"
    assert number_format(dt.date(2026, 1, 1), "lahir") == "DD/MM/YYYY"
    assert number_format("Setu", "kecamatan") is None


def test_a_trainings_announcement_audience_in_words() -> None:
    audience = {"type": "kecamatan", "codes": ["32.16.18"],
                "ages": {"min": 15, "max": 64, "on": "2030-05-06"}}  # fmt: skip
    assert audience_words(audience, {"32.16.18": "Setu"}) == (
        "type kecamatan; codes Setu; usia 15-64 tahun"
    )
