"""The field-visit form run by the engine without Telegram: members listed per category from
the form context (prefilled from the data), the proposal decision, the location warning, and
the context handed to submit."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest

from bot.i18n import create_i18n
from conversations import Ask, Confirm, Done, Input, current_step, get_form, handle, start
from conversations.field_visit import VISIT, VISIT_PROPOSAL
from db.models.households import Household, Member
from services.field_reports import in_bekasi, visit_context

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def indonesian():
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("id"):
        yield


def context(verification: str = "terdaftar") -> dict:
    household = Household(id=7, kk_masked="3216********0001", verification=verification)
    members = [
        Member(id=1, name="Hasan", birth_date=dt.date(1950, 1, 1), severe_disability=False),
        Member(id=2, name="Rina", birth_date=dt.date(2000, 1, 1), severe_disability=True),
        Member(id=3, name="Bayi", birth_date=dt.date(2025, 1, 1), severe_disability=False),
    ]
    return visit_context(household, members, TODAY)


def labels(step) -> list[str]:
    return [label for row in step.question.buttons for label, _token in row]


def tap(form, state, label: str):
    step = current_step(form, state)
    for row in step.question.buttons:
        for text, token in row:
            if text == label:
                return handle(form, state, Input.button(token), today=TODAY)
    raise AssertionError(f"{label!r} not in {labels(step)}")


def test_members_are_listed_per_category_prefilled_from_the_data():
    form = get_form(VISIT)
    state = start(form, context=context())
    tap(form, state, "Bertemu keluarga")
    step = current_step(form, state)
    assert isinstance(step, Ask) and step.question.field == "gone"
    assert labels(step)[:3] == ["◻️ Hasan", "◻️ Rina", "◻️ Bayi"]
    tap(form, state, "◻️ Bayi")  # no longer lives here: left out of the next questions
    step = tap(form, state, "Selesai")
    assert step.question.field == "productive"
    assert labels(step)[:2] == ["◻️ Hasan", "✅ Rina"]  # 15–64 ticked from the birth date
    step = tap(form, state, "Selesai")
    assert step.question.field == "lansia" and labels(step)[:2] == ["✅ Hasan", "◻️ Rina"]
    step = tap(form, state, "Selesai")
    assert step.question.field == "difabel" and labels(step)[:2] == ["◻️ Hasan", "✅ Rina"]
    tap(form, state, "✅ Rina")  # the volunteer corrects the data
    step = tap(form, state, "Selesai")
    assert step.question.field == "work"
    assert state["answers"]["gone"] == ["3"] and state["answers"]["difabel"] == []


def test_proposal_asks_for_a_decision_and_a_reason_only_when_rejected():
    form = get_form(VISIT_PROPOSAL)
    state = start(form, context=context("menunggu_verifikasi"))
    step = tap(form, state, "Data salah")
    assert step.question.field == "decision"
    step = tap(form, state, "✖️ Tidak layak: tolak")
    assert step.question.field == "reject_reason"
    step = handle(form, state, Input.from_text("Bukan warga desa ini"), today=TODAY)
    assert step.question.field == "photo"

    # Nobody home: nothing to decide yet.
    state = start(form, context=context("menunggu_verifikasi"))
    step = tap(form, state, "Tidak ada orang")
    assert step.question.field == "photo"


def test_a_location_outside_bekasi_is_questioned_not_refused_and_submit_gets_the_context():
    form = get_form(VISIT)
    state = start(form, context=context())
    tap(form, state, "Alamat tidak ditemukan")
    step = current_step(form, state)
    assert step.question.field == "location"  # no photo of a house that was not found
    step = handle(form, state, Input.location(-6.9175, 107.6191), today=TODAY)  # Bandung
    assert step.question.field == "location_ok"
    step = tap(form, state, "Jangan simpan lokasi")
    assert step.question.field == "note"
    step = handle(form, state, Input.skip(), today=TODAY)
    assert isinstance(step, Confirm)
    done = handle(form, state, Input.confirm(), today=TODAY)
    assert isinstance(done, Done)
    assert done.context["household_id"] == 7 and done.answers["location_ok"] == "drop"

    state = start(form, context=context())
    tap(form, state, "Alamat tidak ditemukan")
    step = handle(form, state, Input.location(-6.2615, 107.1528), today=TODAY)  # Cikarang
    assert step.question.field == "note"


def test_bekasi_box():
    assert in_bekasi(-6.2615, 107.1528) and in_bekasi(-5.95, 107.03)  # Cikarang, Muaragembong
    assert not in_bekasi(-6.9175, 107.6191) and not in_bekasi(-6.2088, 106.8456)  # Bandung, Jakarta
