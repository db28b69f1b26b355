"""My data (`/dataku`, menu "Data Saya"): the household and members (masked), the latest
report, trainings; a correction request; withdrawal of consent with unlinking."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import begin
from conversations.i18n import lazy_pgettext
from conversations.usulan import CORRECTION_FORM
from conversations.validators import format_datetime_id
from db.models.accounts import Account
from db.models.aid import Enrollment, Training
from domain.money import format_rupiah
from domain.roles import PSM, TKSK
from handlers.case_relay import family_words, tell_officers
from handlers.chat import remove_buttons
from handlers.forms import on_submit
from handlers.keyboards import MenuButton, consent_keyboard, show_menu
from handlers.office import office_contact
from handlers.residents import training as resident_training
from handlers.residents.keyboards import (
    WITHDRAW_YES,
    DataCallback,
    my_data_keyboard,
    withdraw_keyboard,
)
from handlers.residents.link import household_lines
from services import cases, my_data, proposals

if TYPE_CHECKING:
    from bot.settings import Settings  # handed in by the dispatcher

RELATIONSHIP_LABELS = {
    "kepala": __("head of the family"),
    "istri": __("wife"),
    "suami": __("husband"),
    "pasangan": __("wife / husband"),
    "anak": __("child"),
    "lainnya": __("other"),
}
VERIFICATION_LABELS = {
    "terdaftar": __("on the list of Dinas Sosial"),
    "menunggu_verifikasi": __("proposed, waiting for verification"),
    "terverifikasi": __("verified"),
    "ditolak": __("not accepted"),
}
ENROLLMENT_LABELS = {
    "enrolled": __("registered"),
    "waiting": __("on the waiting list"),
    # TRANSLATORS: a member's sign-up for a training that was cancelled (not the training).
    "cancelled": lazy_pgettext("enrolment", "cancelled"),
    "attended": __("attended"),
}


def render(data: my_data.MyData) -> str:
    assert data.household is not None
    view = data.household
    lines = [
        _("Your household"),
        household_lines(view),
        _("RT {rt} / RW {rw}").format(rt=data.rt or "—", rw=data.rw or "—"),
        _("Status: {status}").format(
            status=VERIFICATION_LABELS.get(view.verification, view.verification)
        ),
        "",
        _("Members:"),
    ]
    for member in data.members:
        relation = RELATIONSHIP_LABELS.get(member.relationship)
        line = f"• {member.name_masked} ({relation or member.relationship})"
        if member.nik_masked:
            line += f", NIK {member.nik_masked}"
        if member.is_me:
            line += " — " + _("you")
        lines.append(line)
    lines.append("")
    report = data.latest_report
    if report is None:
        lines.append(_("Latest report: none yet. Send /lapor to report your condition."))
    else:
        lines.append(_("Latest report: {when}").format(when=format_datetime_id(report.created_at)))
        if report.income_per_person_day is not None:
            lines.append(
                _("Income per person per day: {amount}").format(
                    amount=format_rupiah(report.income_per_person_day)
                )
            )
    lines.append("")
    if data.trainings:
        lines.append(_("Trainings:"))
        for training in data.trainings:
            lines.append(
                f"• {training.title}, {format_datetime_id(training.starts_at)}: "
                f"{ENROLLMENT_LABELS.get(training.status, training.status)}"
            )
    else:
        lines.append(_("Trainings: none. See /pelatihan."))
    lines += ["", _("Is something wrong? Ask for a correction below.")]
    return "\n".join(lines)


async def show_my_data(
    message: Message, account: Account, session: AsyncSession, state: FSMContext
) -> None:
    if account.consent != "given":
        await message.answer(
            _("To see your data, please first agree to the privacy notice."),
            reply_markup=consent_keyboard(),
        )
        return
    data = await my_data.my_data(session, account)
    if data.household is None:
        pending = await proposals.pending_of(session, account)
        text = _(
            "Your account is not linked to a household yet. Send /daftar to link it with "
            "your NIK and KK."
        )
        if pending:
            text = _("Your proposal is waiting for verification by a volunteer.") + "\n\n" + text
        await message.answer(text, reply_markup=my_data_keyboard(linked=False))
        return
    await message.answer(render(data), reply_markup=my_data_keyboard(linked=True))


async def ask_correction(query: CallbackQuery, account: Account, state: FSMContext) -> None:
    await query.answer()
    if isinstance(query.message, Message) and account.household_id is not None:
        await begin(CORRECTION_FORM, query.message, state)


@on_submit(CORRECTION_FORM)
async def submit_correction(answers: dict[str, Any], data: dict[str, Any]) -> str:
    session = data["session"]
    task = await my_data.request_correction(session, data["account"], answers["text"])
    if task is None:
        return _("Your account is not linked to a household, so there is nothing to correct.")
    notice = _("🔵 Data correction {number}: {family}.").format(
        number=cases.number(task), family=await family_words(session, task)
    ) + "\n" + my_data.scrub_numbers(" ".join(str(answers["text"]).split()))[:300]
    await tell_officers(session, data["bot"], task, notice, roles=(PSM, TKSK))
    return _(
        "Thank you. Your request was sent to the volunteers of your desa with number "
        "{number}. They will check it, and may visit or contact you. You will be told what "
        "was changed."
    ).format(number=cases.number(task))


async def ask_withdraw(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await confirm_withdrawal(query.message, via="dataku")


async def confirm_withdrawal(message: Message, *, via: str) -> None:
    """Withdrawing unlinks and anonymises at once and cannot be undone: always asked first,
    wherever it starts (`via`: /dataku, or "I do not agree" in /privasi)."""
    await message.answer(
        _(
            "Withdraw your consent and unlink your account?\n\n"
            "• Your account is taken off your household.\n"
            "• What you typed yourself (notes, photos, locations, your name and phone) is "
            "deleted or made anonymous.\n"
            "• Training sign-ups are cancelled and you get no more messages from us.\n"
            "• The office's list (BNBA) is not changed: your household stays on it.\n\n"
            "You can agree again later with /privasi."
        ),
        reply_markup=withdraw_keyboard(via),
    )


async def withdraw(
    query: CallbackQuery,
    callback_data: DataCallback,
    account: Account,
    session: AsyncSession,
    state: FSMContext,
    settings: Settings,
    bot: Bot,
) -> None:
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        await remove_buttons(message)
    if account.consent != "given":
        return
    via = "privasi" if callback_data.a == WITHDRAW_YES["privasi"] else "dataku"
    text = await withdraw_consent(session, account, bot, state, settings, via=via)
    if message is not None:
        await show_menu(message, text, account)


async def withdraw_consent(
    session: AsyncSession,
    account: Account,
    bot: Bot,
    state: FSMContext,
    settings: Settings,
    *,
    via: str,
) -> str:
    """Withdraw consent, wherever it is asked (`via`: /dataku or /privasi), and return the last
    message to send. services.my_data unlinks and anonymises; whoever moves up into a training
    seat it frees is told, as when a sign-up is cancelled; a conversation under way is dropped."""
    promoted: list[Enrollment] = []
    await my_data.withdraw(session, account, via=via, promoted=promoted)
    for enrollment in promoted:
        training = await session.get(Training, enrollment.training_id)
        if training is not None:
            await resident_training.tell_promoted(session, bot, enrollment, training)
    await state.clear()
    return _(
        "Done. Your consent is withdrawn, your account is unlinked and the data you entered "
        "is deleted or anonymised. This is the last message we send you. To use the service "
        "again, send /privasi. Questions: {contact}."
    ).format(contact=office_contact(settings))


async def keep(query: CallbackQuery, account: Account) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await remove_buttons(query.message)
        await show_menu(query.message, _("Nothing was changed. Here is the main menu."), account)


def create_router() -> Router:
    """A fresh router per dispatcher (a router can belong to one dispatcher only)."""
    router = Router(name="resident_data")
    router.message.register(show_my_data, Command("dataku"))
    router.message.register(show_my_data, MenuButton("my_data"))
    router.callback_query.register(ask_correction, DataCallback.filter(F.a == "fix"))
    router.callback_query.register(ask_withdraw, DataCallback.filter(F.a == "withdraw"))
    router.callback_query.register(
        withdraw, DataCallback.filter(F.a.in_(set(WITHDRAW_YES.values())))
    )
    router.callback_query.register(keep, DataCallback.filter(F.a == "withdraw_no"))
    return router
