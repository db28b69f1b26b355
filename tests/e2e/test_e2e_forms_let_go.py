"""Forms that let go (the issue "Forms and menus that let go", §3.1): inside any form run by the
engine, every main-menu button and every command of the role does what it says; the
half-filled form is kept, one line says how to continue it (/lanjut) or drop it (/batal), and
/lanjut asks the pending question again with the earlier answers kept. A command that starts
another form replaces the kept one and says so. (Cancel words, /start and the features' own
waiting steps: test_e2e_forms_let_go_more.py.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conversations.telegram import STATE_KEY
from db.models.accounts import Account
from handlers.commands import commands_for
from handlers.keyboards import menu_entries, menu_label
from tests.fake_telegram import FakeMessage, FakeTelegram, FakeUser
from tests.harness import BotApp, agree, as_role, e2e_settings, in_id, t
from tests.residents import linked_resident
from tests.staff_data import CIBENING
from tests.staff_data import add_household as add_listed_household
from tests.volunteers_support import DESA_A, add_household, new_kk

WAITING = "Your unfinished form is kept: /lanjut to continue it, /batal to cancel it."
REPLACED = "The earlier unfinished form was cancelled."
RESUME_VISIT = "You have an unfinished visit report. Continue where you stopped, or discard it?"
STOPPED = (
    "Cancelled. Nothing was saved. Here is the main menu.",
    "There is nothing to cancel. Here is the main menu.",
)
# Commands every role has that are not in the command list (an invitation code is redeemed).
HIDDEN_COMMANDS = ("/petugas",)


def actions_of(role: str) -> list[str]:
    """Every command of the role (but the two about the form itself) and every button of its
    main menu, as the person would send them."""
    commands = [f"/{c.name}" for c in in_id(commands_for, role)]
    commands = [c for c in commands if c not in ("/batal", "/lanjut")] + list(HIDDEN_COMMANDS)
    account = Account(role=role, consent="given")
    buttons = [in_id(menu_label, entry) for entry in menu_entries(account)]
    return commands + buttons


async def form_answers(app: BotApp, user: FakeUser) -> dict[str, Any]:
    state = app.dp.fsm.get_context(app.bot, chat_id=user.id, user_id=user.id)
    form = (await state.get_data()).get(STATE_KEY) or {}
    return dict(form.get("answers") or {})


async def reply_to(user: FakeUser, text: str) -> FakeMessage:
    await user.send(text)
    return await user.wait_message()


async def tap_then_see(user: FakeUser, message: FakeMessage, label: str, question: str) -> str:
    """Tap `label` on the form's question; the next question shows on the same message."""
    await (await user.click(message, label)).wait_answered()
    await user.wait_for(lambda: t(question) in (message.text or ""))
    return message.text


# --------------------------------------------------------------------------- the forms


async def lapor(user: FakeUser, **_: str) -> str:
    first = await reply_to(user, "/lapor")
    assert t("What is the main work of the head of household?") in first.text
    return await tap_then_see(
        user, first, t("Not working"), "How much is the income of the whole household in a month?"
    )


async def correction(user: FakeUser, **_: str) -> str:
    shown = await reply_to(user, "/dataku")
    await (await user.click(shown, t("✏️ Ask for a correction"))).wait_answered()
    await user.wait_message(predicate=lambda m: t("Ask for a correction of your data") in m.text)
    summary = await reply_to(user, "Kami sudah pindah ke RT 04")
    assert summary.text.startswith(t("Please check your request:"))
    return summary.text


async def visit(user: FakeUser, kk: str) -> str:
    await reply_to(user, "/kunjungan")
    await user.send(kk)
    first = await user.wait_message(predicate=lambda m: t("What happened at the visit?") in m.text)
    return await tap_then_see(
        user,
        first,
        t("Met the family"),
        "Who no longer lives here? Tap nobody if everyone still lives here.",
    )


async def proposal(user: FakeUser, **_: str) -> str:
    first = await reply_to(user, "/usul")
    assert t("Which kecamatan does the family live in?") in first.text
    return await tap_then_see(user, first, "Tambun Utara", "Which desa or kelurahan?")


async def training(user: FakeUser, **_: str) -> str:
    first = await reply_to(user, "/pelatihanbaru")
    assert t("Name of the training?") in first.text
    return (await reply_to(user, "Menjahit")).text


async def schedule(user: FakeUser, **_: str) -> str:
    kinds = await reply_to(user, "/jadwalbaru")
    await (await user.click(kinds, t("One kecamatan"))).wait_answered()
    await user.wait_for(lambda: kinds.text == t("Which kecamatan?"))
    await (await user.click(kinds, "Setu")).wait_answered()
    which = await user.wait_message(
        predicate=lambda m: t("All households there") in (m.buttons or [])
    )
    await (await user.click(which, t("All households there"))).wait_answered()
    first = await user.wait_message(predicate=lambda m: t("Which program?") in (m.text or ""))
    blt = next(b for b in first.buttons if b.endswith(t("BLT")))
    return await tap_then_see(user, first, blt, "Name of this disbursement?")


@dataclass(frozen=True)
class Case:
    role: str
    area: str | None
    open_form: Callable[..., Awaitable[str]]
    starts_a_form: frozenset[str]  # commands and buttons that begin another engine form


RESIDENT_FORM_STARTERS = frozenset({"/lapor", t("📝 Report condition")})
CASES = {
    "lapor": Case("warga", None, lapor, RESIDENT_FORM_STARTERS),
    "correction": Case("warga", None, correction, RESIDENT_FORM_STARTERS),
    "visit": Case("psm", DESA_A, visit, frozenset({"/usul"})),
    "proposal": Case("psm", DESA_A, proposal, frozenset({"/usul"})),
    "training": Case("petugas", None, training, frozenset({"/usul", "/pelatihanbaru"})),
    "schedule": Case("petugas", None, schedule, frozenset({"/usul", "/pelatihanbaru"})),
}


async def set_up(app: BotApp, tg: FakeTelegram, case: Case) -> tuple[FakeUser, dict[str, str]]:
    user = tg.user(7801, "Pengguna")
    extra: dict[str, str] = {}
    if case.role == "warga":
        await agree(user)
        await linked_resident(app, user.id, [("Siti Aminah", None)])
    else:
        await as_role(app, user, case.role, case.area)
        kk = new_kk()
        await add_household(app, DESA_A, ["Sari Lestari"], kk=kk)
        await add_listed_household(app, 1, CIBENING, programs=("BLT",))  # in Setu
        extra["kk"] = kk
    return user, extra


@pytest.mark.parametrize("form", sorted(CASES))
async def test_every_command_and_menu_button_works_inside_the_form(
    tg: FakeTelegram, tmp_path: Path, form: str
) -> None:
    case = CASES[form]
    settings = e2e_settings(tmp_path, tg, throttle_rate=100_000)
    async with BotApp(tg, settings) as app:
        user, extra = await set_up(app, tg, case)
        actions = actions_of(case.role)
        assert len(actions) >= 12, actions

        async def open_form() -> str:
            await user.send("/batal")
            await user.wait_message(predicate=lambda m: m.text in [t(s) for s in STOPPED])
            return await case.open_form(user, **extra)

        # What each one answers outside any form: the same is expected inside one.
        expected: dict[str, str] = {}
        for action in actions:
            await user.send("/batal")
            await user.wait_message(predicate=lambda m: m.text in [t(s) for s in STOPPED])
            expected[action] = (await reply_to(user, action)).text

        for action in actions:
            pending = await open_form()
            answers = await form_answers(app, user)
            assert answers, (action, user.transcript())
            answer = await reply_to(user, action)
            if action in case.starts_a_form:
                assert answer.text == f"{t(REPLACED)}\n\n{expected[action]}", action
                continue
            if form == "visit" and action in ("/kunjungan", t("📝 Visit")):
                # A second visit would replace days of work: asked first, continue or discard.
                assert answer.text == t(RESUME_VISIT), action
            else:
                assert answer.text == expected[action], (action, user.transcript())
                await user.wait_message(predicate=lambda m: m.text == t(WAITING))
            again = await reply_to(user, "/lanjut")
            assert again.text == pending, (action, user.transcript())
            assert await form_answers(app, user) == answers, action
