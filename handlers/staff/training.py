"""Staff: trainings. /pelatihanbaru makes one (the training form, saved on confirmation here);
menu "Pelatihan" and /daftarpelatihan list them: sign-ups and waiting list (names with masked
NIK, audited), close sign-ups, attendance per day (training_attendance), XLSX export with the
days (audited), change and cancel (both announced to those signed up through a queued notice).
A new training can be announced to residents at once (training_announce)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import begin, notify
from conversations.i18n import lazy_pgettext, pgettext
from conversations.messages import edit_text
from conversations.parking import clear_but_keep_form
from conversations.training_form import (
    FORM_NAME,
    cancelled_notice,
    changed_notice,
    details,
    initial_of,
    values_of,
)
from db import audit
from db.models.accounts import Account
from db.models.aid import Training
from db.models.base import utcnow
from domain.dates import format_date_long, to_wib, today_wib
from handlers.access import STAFF, gated_router
from handlers.callback_ids import RowId
from handlers.chat import remove_buttons
from handlers.commands import COMMANDS, CommandInfo
from handlers.forms import FOLLOW_UPS, on_submit
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry
from handlers.staff import training_add, training_announce, training_attendance
from services import attendance, training_admin
from services.training_admin import Signup

LIST_PAST_DAYS = 30
MAX_LISTED = 100  # sign-ups shown in one message; the export has them all

MENU_ENTRIES.append(MenuEntry("staff_trainings", __("🎓 Manage trainings"), roles=STAFF))
COMMANDS.append(
    CommandInfo("pelatihanbaru", __("New training"), __("adds a training."), roles=STAFF)
)
COMMANDS.append(
    CommandInfo(
        "daftarpelatihan",
        __("Trainings"),
        __("lists trainings: sign-ups, attendance, export, change, cancel."),
        roles=STAFF,
    )
)


class TrainingCb(CallbackData, prefix="tr"):
    # view | list | signups | waiting | close | cancel | cancel_yes | attend (the days: see
    # training_attendance) | export | edit | add
    a: str
    id: RowId = 0
    # Was the enrollment of the old one-tap attendance; kept so that buttons already in chats
    # ("tr:view:3:0") still unpack.
    e: RowId = 0


STATUS_LABELS = {
    "open": __("open for sign-up"),
    "closed": __("sign-up closed"),
    # TRANSLATORS: status of a training that staff cancelled.
    "cancelled": lazy_pgettext("training status", "cancelled"),
}


async def new_training(message: Message, state: FSMContext) -> None:
    await clear_but_keep_form(state)  # begin() replaces a kept form, and says so
    await begin(FORM_NAME, message, state)


async def _list_view(session: AsyncSession) -> tuple[str, InlineKeyboardMarkup]:
    since = utcnow() - dt.timedelta(days=LIST_PAST_DAYS)
    found = await training_admin.listing(session, since=since)
    builder = InlineKeyboardBuilder()
    builder.button(text=_("➕ New training"), callback_data=TrainingCb(a="new"))
    if not found:
        text = _("There are no trainings yet. Add one with /pelatihanbaru.")
        return text, builder.as_markup()
    for training in found:
        mark = "✖️ " if training.status == "cancelled" else ""
        when = format_date_long(to_wib(training.starts_at).date())
        label = (
            f"{mark}#{training.id} {when} · {training.title} "
            f"({training.seats_taken}/{training.capacity})"
        )
        builder.button(text=label[:60], callback_data=TrainingCb(a="view", id=training.id))
    builder.adjust(1)
    return _("Trainings (from {days} days ago). Tap one:").format(
        days=LIST_PAST_DAYS
    ), builder.as_markup()


async def list_trainings(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await state.set_state(None)
    text, markup = await _list_view(session)
    await message.answer(text, reply_markup=markup)


async def _detail_view(
    session: AsyncSession, training: Training
) -> tuple[str, InlineKeyboardMarkup]:
    counts = await training_admin.counts(session, training.id)
    lines = [
        _("Training #{id} ({status})").format(
            id=training.id, status=STATUS_LABELS.get(training.status, training.status)
        ),
        details(training),
        "",
        _("Signed up: {enrolled}, attended: {attended}, waiting list: {waiting}.").format(
            enrolled=counts.get("enrolled", 0) + counts.get("attended", 0),
            attended=counts.get("attended", 0),
            waiting=counts.get("waiting", 0),
        ),
    ]
    builder = InlineKeyboardBuilder()

    def button(text: str, action: str) -> None:
        builder.button(text=text, callback_data=TrainingCb(a=action, id=training.id))

    button(_("👥 Sign-ups"), "signups")
    button(_("⏳ Waiting list"), "waiting")
    button(_("📄 Export (Excel)"), "export")
    if training.status != "cancelled":
        button(_("✅ Attendance"), "attend")
        button(_("✏️ Change"), "edit")
    if training.status == "open":
        button(_("➕ Add a participant"), "add")
        button(_("🔒 Close sign-ups"), "close")
    if training.status != "cancelled":
        button(_("✖️ Cancel training"), "cancel")
    button(_("« All trainings"), "list")
    builder.adjust(2)
    return "\n".join(lines), builder.as_markup()


def _age(signup: Signup) -> str:
    if signup.birth_date is None:
        return "?"
    today = today_wib()
    born = signup.birth_date
    return str(today.year - born.year - ((today.month, today.day) < (born.month, born.day)))


def _signup_lines(signups: list[Signup]) -> list[str]:
    lines = []
    for k, signup in enumerate(signups[:MAX_LISTED], start=1):
        mark = " ✅" if signup.status == "attended" else ""
        lines.append(
            _("{n}. {name} ({nik}), {age} years, {desa}").format(
                n=k, name=signup.name, nik=signup.nik_masked, age=_age(signup), desa=signup.desa
            )
            + mark
        )
    if len(signups) > MAX_LISTED:
        lines.append(
            _("…and {count} more: see the export.").format(count=len(signups) - MAX_LISTED)
        )
    return lines


async def _export(message: Message, session: AsyncSession, training: Training) -> None:
    rows = await training_admin.signups(session, training.id, ("enrolled", "attended", "waiting"))
    status = {
        "enrolled": _("signed up"),
        "attended": _("attended"),
        "waiting": _("waiting list"),
    }
    # Attendance: one column per day of the training (present, not present, or empty when
    # nobody marked that person that day), then the number of days present.
    days = attendance.training_days(training)
    marks = await attendance.marks(session, [r.enrollment_id for r in rows])
    came, absent = _("present"), _("not present")
    headers = [
        _("No."),
        _("Name"),
        _("NIK (masked)"),
        _("Age"),
        _("Desa"),
        _("Kecamatan"),
        _("Status"),
        _("Signed up on"),
        *(day.strftime("%d-%m-%Y") for day in days),
        _("Days present"),
    ]
    table = []
    for k, r in enumerate(rows, start=1):
        marked = marks.get(r.enrollment_id, {})
        per_day = [
            "" if day not in marked else came if marked[day] else absent for day in days
        ]
        table.append([
            k,
            r.name,
            r.nik_masked,
            _age(r),
            r.desa,
            r.kecamatan,
            status[r.status],
            format_date_long(to_wib(r.signed_up_at).date()),
            *per_day,
            sum(1 for day in days if marked.get(day)),
        ])  # fmt: skip
    content = training_admin.export_xlsx(training.title, headers, table)
    await message.answer_document(
        BufferedInputFile(content, filename=f"pelatihan-{training.id}.xlsx"),
        caption=_("Sign-ups of training #{id}: {count} people.").format(
            id=training.id, count=len(rows)
        ),
    )


async def training_action(
    query: CallbackQuery,
    callback_data: TrainingCb,
    state: FSMContext,
    session: AsyncSession,
    account: Account,
    bot: Bot,
) -> None:
    message = query.message
    if not isinstance(message, Message):
        await query.answer()
        return
    action = callback_data.a
    if action == "list":
        await query.answer()
        text, markup = await _list_view(session)
        await edit_text(message, text, markup)
        return
    if action == "new":
        await query.answer()
        await new_training(message, state)
        return
    training = await training_admin.get(session, callback_data.id)
    if training is None:
        await query.answer(_("This training does not exist."), show_alert=True)
        return
    changes = ("close", "cancel", "cancel_yes", "attend", "edit")
    if training.status == "cancelled" and action in changes:
        await query.answer(_("This training is cancelled."), show_alert=True)
        action = "view"
    elif action == "close" and training.status != "open":
        await query.answer(_("Sign-ups are already closed."), show_alert=True)
        action = "view"
    else:
        await query.answer()

    if action == "view":
        text, markup = await _detail_view(session, training)
        await edit_text(message, text, markup)
    elif action in ("signups", "waiting"):
        statuses = ("enrolled", "attended") if action == "signups" else ("waiting",)
        signups = await training_admin.signups(session, training.id, statuses)
        audit.record(
            session, account, "training.signups_viewed", "training", training.id, list=action
        )
        head = (
            _("Sign-ups of training #{id} ({count}):")
            if action == "signups"
            else _("Waiting list of training #{id} ({count}), in order:")
        ).format(id=training.id, count=len(signups))
        body = _signup_lines(signups) or [_("Nobody yet.")]
        await message.answer("\n".join([head, *body]))
    elif action == "close":
        await training_admin.close_signups(session, account, training)
        text, markup = await _detail_view(session, training)
        await edit_text(message, text, markup)
    elif action == "cancel":
        counts = await training_admin.counts(session, training.id)
        people = sum(counts.get(s, 0) for s in ("enrolled", "attended", "waiting"))
        builder = InlineKeyboardBuilder()
        builder.button(
            text=_("Yes, cancel it"), callback_data=TrainingCb(a="cancel_yes", id=training.id)
        )
        # TRANSLATORS: staff cancelling a whole training: no, do not cancel it.
        builder.button(
            text=pgettext("training cancel", "No, keep it"),
            callback_data=TrainingCb(a="view", id=training.id),
        )
        await edit_text(
            message,
            _("Cancel training #{id}? The {count} people signed up will be told.").format(
                id=training.id, count=people
            ),
            builder.as_markup(),
        )
    elif action == "cancel_yes":
        await training_admin.cancel(session, account, training, cancelled_notice(training))
        await edit_text(
            message,
            _("Training #{id} is cancelled. Everyone signed up will be told.").format(
                id=training.id
            ),
        )
    elif action == "attend":
        await training_attendance.show_days(message, session, training)
    elif action == "add" and isinstance(query.message, Message):
        await training_add.ask_who(query.message, training.id, state)
    elif action == "export":
        audit.record(session, account, "training.exported", "training", training.id)
        await _export(message, session, training)
    elif action == "edit":
        await remove_buttons(message)
        await clear_but_keep_form(state)  # begin() replaces a kept form, and says so
        await begin(
            FORM_NAME,
            message,
            state,
            initial=initial_of(training),
            context={"training_id": training.id},
            review=True,
        )


@on_submit(FORM_NAME)
async def submit(answers: dict[str, Any], data: dict[str, Any]) -> str:
    session, account = data["session"], data["account"]
    context = data.get("form_context") or {}
    values = values_of(answers)
    if values["starts_at"] <= dt.datetime.now(dt.UTC):
        return _("That time has already passed, so nothing was saved. Please start again.")
    if "training_id" not in context:
        created = await training_admin.create(session, account, **values)
        # Announcing it is one step away: the offer comes as a follow-up with its buttons.
        data[FOLLOW_UPS].append(training_announce.offer(created))
        return _("Saved: training #{id}. Residents can now sign up in the bot.").format(
            id=created.id
        )
    training = await training_admin.get(session, int(context["training_id"]))
    if training is None or training.status == "cancelled":
        return _("This training can no longer be changed (it was cancelled).")
    if values["capacity"] < training.seats_taken:
        return _(
            "Not saved: {taken} people already have a seat, so the capacity cannot be lower "
            "than that."
        ).format(taken=training.seats_taken)
    preview = Training(**values)
    changed, promoted = await training_admin.change(
        session, account, training, changed_notice(preview), **values
    )
    if not changed:
        return _("Nothing was changed.")
    text = _("Saved. Everyone signed up for training #{id} will be told of the change.").format(
        id=training.id
    )
    if promoted:
        text += "\n" + _("{count} people moved up from the waiting list.").format(
            count=len(promoted)
        )
        await _tell_promoted(session, data["bot"], training, promoted)
    return text


async def _tell_promoted(session: Any, bot: Any, training: Training, promoted: list) -> None:
    text = _("Good news: a seat is free for you in the training {title}. You are signed up.")
    for enrollment in promoted:
        account = await session.get(Account, enrollment.account_id or 0)
        if account is not None:
            await notify.send(bot, account, text.format(title=training.title))


def create_router() -> Router:
    router = gated_router("staff_training", STAFF)
    router.message.register(new_training, Command("pelatihanbaru"))
    router.message.register(list_trainings, Command("daftarpelatihan"))
    router.message.register(list_trainings, MenuButton("staff_trainings"))
    router.callback_query.register(training_action, TrainingCb.filter())
    training_add.register(router)
    training_attendance.register(router)
    training_announce.register(router)
    return router
