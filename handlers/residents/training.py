"""`/pelatihan` and the "Pelatihan" button: open skills trainings, sign up a member of the
household (seat or waiting list, services.enrollment), my trainings, cancel."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import notify
from conversations.i18n import pgettext
from conversations.validators import format_datetime_id
from db import audit
from db.models.accounts import Account
from db.models.aid import Enrollment, Training
from db.models.households import Member
from domain.roles import WARGA
from handlers.callback_ids import RowId
from handlers.chat import remove_buttons
from handlers.commands import COMMANDS, CommandInfo
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry, show_menu
from handlers.residents.household import linked_household
from handlers.residents.training_texts import outcome_text, training_text
from services import enrollment as svc

RESIDENTS = frozenset({WARGA})
MAX_MESSAGE = 600  # characters of one message (the house rule)
MENU_ENTRIES.append(MenuEntry("pelatihan", __("🎓 Training"), roles=RESIDENTS))
COMMANDS.append(
    CommandInfo(
        "pelatihan",
        __("Skills training"),
        __("lists open skills trainings; sign up a member of your household or cancel."),
        roles=RESIDENTS,
    )
)
BUTTON_TITLE = 28


class TrainingCallback(CallbackData, prefix="trn"):
    """`a`: pick (choose who joins training `t`) | join (ask: member `m` joins `t`?) |
    join_ok (sign them up) | keep (no, nothing changes) | mine | cancel / cancel_ok
    (enrollment `e`). Only opaque ids; ownership is checked on use."""

    a: str
    t: RowId = 0
    m: RowId = 0
    e: RowId = 0


def _clip(text: str, limit: int = BUTTON_TITLE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mine_button(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("📋 My trainings"), callback_data=TrainingCallback(a="mine"))


async def list_trainings(message: Message, account: Account, session: AsyncSession) -> None:
    household = await linked_household(message, account, session)
    if household is None:
        return
    trainings = await svc.open_trainings(session)
    builder = InlineKeyboardBuilder()
    if not trainings:
        _mine_button(builder)
        await message.answer(
            _(
                "There is no open training right now. We will announce new trainings here. "
                "Your sign-ups: tap “My trainings”."
            ),
            reply_markup=builder.as_markup(),
        )
        return
    parts = [_("Open trainings:")]
    for training in trainings:
        parts.append(training_text(training, await svc.waiting_count(session, training.id)))
        builder.button(
            text=_("✍️ Sign up: {title}").format(title=_clip(training.title)),
            callback_data=TrainingCallback(a="pick", t=training.id),
        )
    _mine_button(builder)
    builder.adjust(1)
    # Several trainings make several messages of at most 600 characters; the buttons come
    # with the last.
    chunks = [parts[0]]
    for part in parts[1:]:
        if len(chunks[-1]) + 2 + len(part) > MAX_MESSAGE:
            chunks.append(part)
        else:
            chunks[-1] += "\n\n" + part
    for chunk in chunks[:-1]:
        await message.answer(chunk)
    await message.answer(chunks[-1], reply_markup=builder.as_markup())


async def _members(session: AsyncSession, household_id: int) -> list[Member]:
    return list(
        await session.scalars(
            select(Member).where(Member.household_id == household_id).order_by(Member.id)
        )
    )


async def pick_member(
    query: CallbackQuery, callback_data: TrainingCallback, account: Account, session: AsyncSession
) -> None:
    training = await session.get(Training, callback_data.t)
    members = await _members(session, account.household_id) if account.household_id else []
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if training is None or not members:
        await query.message.answer(_("This training is no longer available. See /pelatihan."))
        return
    builder = InlineKeyboardBuilder()
    for member in members:
        builder.button(
            text=_clip(member.name, 40),
            callback_data=TrainingCallback(a="join", t=training.id, m=member.id),
        )
    builder.adjust(1)
    await query.message.answer(
        _("Who in your household will join “{title}”?").format(title=training.title),
        reply_markup=builder.as_markup(),
    )


async def _tapped_member(
    query: CallbackQuery, callback_data: TrainingCallback, account: Account, session: AsyncSession
) -> Member | None:
    """The member of a tapped button when they are of the tapper's household; otherwise None,
    after telling them (a hand-made button)."""
    member = await session.get(Member, callback_data.m)
    if (
        member is None
        or account.household_id is None
        or member.household_id != account.household_id
    ):
        await query.answer(_("This person is not in your household."), show_alert=True)
        return None
    return member


async def ask_join(
    query: CallbackQuery, callback_data: TrainingCallback, account: Account, session: AsyncSession
) -> None:
    """A sign-up takes a seat (and may promise someone a waiting-list place): one tap on a name
    asks first, so that a slip of the finger signs nobody up."""
    member = await _tapped_member(query, callback_data, account, session)
    if member is None:
        return
    training = await session.get(Training, callback_data.t)
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if training is None:
        await query.message.answer(_("This training is no longer available. See /pelatihan."))
        return
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Yes, sign up"),
        callback_data=TrainingCallback(a="join_ok", t=training.id, m=member.id),
    )
    builder.button(text=_("✖️ No"), callback_data=TrainingCallback(a="keep"))
    builder.adjust(2)
    await remove_buttons(query.message)
    await query.message.answer(
        _("Sign up {name} for “{title}” on {when}?").format(
            name=member.name, title=training.title, when=format_datetime_id(training.starts_at)
        ),
        reply_markup=builder.as_markup(),
    )


async def join(
    query: CallbackQuery, callback_data: TrainingCallback, account: Account, session: AsyncSession
) -> None:
    member = await _tapped_member(query, callback_data, account, session)
    if member is None:
        return
    result = await svc.sign_up(session, callback_data.t, member, account)
    if result.outcome in (svc.ENROLLED, svc.WAITING):
        audit.record(
            session,
            account,
            "training." + result.outcome,
            "training",
            callback_data.t,
            member_id=member.id,
        )
    await query.answer()
    if isinstance(query.message, Message):
        await remove_buttons(query.message)
        await show_menu(query.message, outcome_text(result, member), account)


async def keep(query: CallbackQuery, account: Account) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await remove_buttons(query.message)
        await show_menu(query.message, _("Nothing was changed. Here is the main menu."), account)


def _status_line(item: svc.MyTraining) -> str:
    if item.enrollment.status == svc.WAITING:
        return _("waiting list, number {position}").format(position=item.position)
    if item.enrollment.status == svc.ATTENDED:
        return _("attended")
    return _("signed up")


async def my_trainings(query: CallbackQuery, account: Account, session: AsyncSession) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    items = (
        await svc.household_enrollments(session, account.household_id)
        if account.household_id
        else []
    )
    if not items:
        await show_menu(
            query.message,
            _("Nobody in your household is signed up for a training. See /pelatihan."),
            account,
        )
        return
    parts = [_("Your household's trainings:")]
    builder = InlineKeyboardBuilder()
    for item in items:
        parts.append(
            _("• {name}: “{title}”, {when}: {status}").format(
                name=item.member.name,
                title=item.training.title,
                when=format_datetime_id(item.training.starts_at),
                status=_status_line(item),
            )
        )
        if item.enrollment.status == svc.ATTENDED:
            continue  # the training is under way and they came: nothing to cancel
        builder.button(
            text=_("✖️ Cancel: {name}, {title}").format(
                name=_clip(item.member.name, 16), title=_clip(item.training.title, 20)
            ),
            callback_data=TrainingCallback(a="cancel", e=item.enrollment.id),
        )
    builder.adjust(1)
    await query.message.answer("\n".join(parts), reply_markup=builder.as_markup())


async def _own_enrollment(
    session: AsyncSession, account: Account, enrollment_id: int
) -> tuple[Enrollment, Member, Training] | None:
    if account.household_id is None:
        return None
    row = (
        await session.execute(
            select(Enrollment, Member, Training)
            .join(Member, Member.id == Enrollment.member_id)
            .join(Training, Training.id == Enrollment.training_id)
            .where(Enrollment.id == enrollment_id, Member.household_id == account.household_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1], row[2])


async def _tapped_enrollment(
    query: CallbackQuery, callback_data: TrainingCallback, account: Account, session: AsyncSession
) -> tuple[Enrollment, Member, Training] | None:
    """The sign-up of a tapped button when it is of the tapper's household; otherwise None,
    after telling them (a hand-made button)."""
    own = await _own_enrollment(session, account, callback_data.e)
    if own is None:
        await query.answer(_("This sign-up is not of your household."), show_alert=True)
    return own


def _confirm_keyboard(enrollment_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Yes, cancel"), callback_data=TrainingCallback(a="cancel_ok", e=enrollment_id)
    )
    # TRANSLATORS: a resident cancelling a sign-up: no, stay signed up for the training.
    builder.button(
        text=pgettext("enrolment", "No, keep it"), callback_data=TrainingCallback(a="mine")
    )
    builder.adjust(2)
    return builder.as_markup()


async def ask_cancel(
    query: CallbackQuery, callback_data: TrainingCallback, account: Account, session: AsyncSession
) -> None:
    own = await _tapped_enrollment(query, callback_data, account, session)
    if own is None:
        return
    await query.answer()
    _enrollment, member, training = own
    if isinstance(query.message, Message):
        await query.message.answer(
            _("Cancel the sign-up of {name} for “{title}”?").format(
                name=member.name, title=training.title
            ),
            reply_markup=_confirm_keyboard(callback_data.e),
        )


async def confirm_cancel(
    query: CallbackQuery,
    callback_data: TrainingCallback,
    account: Account,
    session: AsyncSession,
    bot: Bot,
) -> None:
    own = await _tapped_enrollment(query, callback_data, account, session)
    if own is None:
        return
    enrollment, member, training = own
    result = await svc.cancel(session, enrollment)
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        await remove_buttons(message)
    if result is None:
        if message is not None:
            await show_menu(message, _("This sign-up was already cancelled."), account)
        return
    audit.record(
        session, account, "training.cancelled", "training", training.id, member_id=member.id
    )
    if result.promoted is not None:
        await tell_promoted(session, bot, result.promoted, training)
    if message is not None:
        await show_menu(
            message,
            _("The sign-up of {name} for “{title}” is cancelled.").format(
                name=member.name, title=training.title
            ),
            account,
        )


async def tell_promoted(
    session: AsyncSession, bot: Bot, promoted: Enrollment, training: Training
) -> None:
    """Tell whoever signed the promoted member up that the seat is theirs."""
    member = await session.get(Member, promoted.member_id)
    who = await session.get(Account, promoted.account_id) if promoted.account_id else None
    if member is None or who is None:
        return
    text = _(
        "Good news: a seat freed up. {name} is now signed up for “{title}”. Please come on "
        "{when} at {place}. Bring your KTP."
    ).format(
        name=member.name,
        title=training.title,
        when=format_datetime_id(training.starts_at),
        place=training.place,
    )
    await notify.send(bot, who, text)


async def _dispatch(
    query: CallbackQuery,
    callback_data: TrainingCallback,
    account: Account,
    session: AsyncSession,
    bot: Bot,
) -> None:
    if account.household_id is None:
        await query.answer(_("Please link your household first with /daftar."), show_alert=True)
        return
    action = callback_data.a
    if action == "pick":
        await pick_member(query, callback_data, account, session)
    elif action == "join":
        await ask_join(query, callback_data, account, session)
    elif action == "join_ok":
        await join(query, callback_data, account, session)
    elif action == "keep":
        await keep(query, account)
    elif action == "mine":
        await my_trainings(query, account, session)
    elif action == "cancel":
        await ask_cancel(query, callback_data, account, session)
    elif action == "cancel_ok":
        await confirm_cancel(query, callback_data, account, session, bot)
    else:
        await query.answer()


def create_router() -> Router:
    router = Router(name="resident_training")
    router.message.register(list_trainings, Command("pelatihan"))
    router.message.register(list_trainings, MenuButton("pelatihan"))
    router.callback_query.register(_dispatch, TrainingCallback.filter())
    return router
