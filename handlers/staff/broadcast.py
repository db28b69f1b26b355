"""Staff broadcasts (`/siaran`, menu "Siaran"): compose, choose the audience, preview with the
exact recipient count, confirm now or schedule for later (handlers/staff/broadcast_send.py);
then pause, resume, cancel, and resend to those that failed (broadcast_control.py).

The sender (bot/workers/broadcast_sender.py) delivers the queued broadcast and keeps the
progress message current. Every handler here is behind the staff gate (refused and audited
otherwise).
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import edit_text
from conversations.parking import clear_but_keep_form
from conversations.validators import format_datetime_id
from db import regions
from db.models.accounts import Account
from db.models.aid import Disbursement, Training
from db.models.households import AidProgram
from handlers.access import STAFF, gated_router
from handlers.broadcast_progress import BroadcastControl
from handlers.callback_ids import row_id
from handlers.commands import COMMANDS, CommandInfo
from handlers.keyboards import MENU_ENTRIES, MenuButton, MenuEntry, show_menu
from handlers.staff import broadcast_send
from handlers.staff.broadcast_compose import Compose, ComposeCallback, buttons, composing, n
from handlers.staff.broadcast_control import control
from services import broadcasts

KABUPATEN = "32.16"
LIST_LIMIT = 10  # disbursements / trainings offered as an audience

MENU_ENTRIES.append(MenuEntry("broadcast", __("📣 Broadcast"), roles=STAFF))
COMMANDS.append(
    CommandInfo(
        "siaran",
        __("Broadcast a notice"),
        __(
            "sends a notice to residents or volunteers, with a preview and the exact number "
            "of recipients."
        ),
        roles=STAFF,
    )
)


AUDIENCE_LABELS = {
    "residents": __("All linked residents"),
    "kecamatan": __("A kecamatan"),
    "desa": __("A desa/kelurahan"),
    "program": __("A program"),
    "disbursement": __("Recipients of a disbursement"),
    "training": __("Participants of a training"),
    "volunteers": __("Volunteers (PSM/TKSK)"),
}


# ---------------------------------------------------------------------- compose


async def start(message: Message, state: FSMContext, session: AsyncSession) -> None:
    await clear_but_keep_form(state)
    await state.set_state(Compose.message)
    await message.answer(
        _(
            "Write the message to broadcast. You may also send a photo or a document with the "
            "message as its caption.\nDo not put anyone's personal data (NIK, names) in it.\n"
            "/batal stops."
        ),
        # Broadcasts waiting for their time, one tap away (to check or cancel them).
        reply_markup=await broadcast_send.scheduled_button(session),
    )


async def composed(message: Message, state: FSMContext) -> None:
    if message.text and message.text in {str(entry.label) for entry in MENU_ENTRIES}:
        # Another menu button while writing: leave the draft and let that feature answer.
        await clear_but_keep_form(state)
        raise SkipHandler
    photo = message.photo[-1].file_id if message.photo else None
    document = message.document.file_id if message.document else None
    text = message.text or message.caption
    if not text or text.startswith("/"):
        await message.answer(
            _(
                "Please send the text of the message (with a photo or document, as its caption). "
                "/batal stops."
            )
        )
        return
    await state.update_data(text=text, photo=photo, document=document)
    await state.set_state(Compose.audience)
    await _ask_audience(message)


async def _ask_audience(message: Message) -> None:
    items = [
        (str(label), ComposeCallback(step="aud", value=kind))
        for kind, label in AUDIENCE_LABELS.items()
    ]
    await message.answer(_("Who should receive it?"), reply_markup=buttons(items))


# ---------------------------------------------------------------------- audience


async def choose_audience(
    query: CallbackQuery, callback_data: ComposeCallback, state: FSMContext, session: AsyncSession
) -> None:
    if not await composing(query, state):
        return
    kind, message = callback_data.value, query.message
    assert isinstance(message, Message)
    await query.answer()
    if kind == "residents":
        await _preview(message, state, session, {"type": "residents"}, _("all linked residents"))
    elif kind == "volunteers":
        await _preview(
            message,
            state,
            session,
            {"type": "volunteers", "area": None},
            _("all volunteers (PSM/TKSK)"),
        )
    elif kind in ("kecamatan", "desa"):
        step = "kec" if kind == "kecamatan" else "kecd"
        items = [
            (r.name, ComposeCallback(step=step, value=r.code))
            for r in await regions.children(session, KABUPATEN)
        ]
        await edit_text(message, _("Which kecamatan?"), buttons(items, columns=2))
    elif kind == "program":
        programs = await session.scalars(select(AidProgram).order_by(AidProgram.code))
        items = [(p.code, ComposeCallback(step="prog", value=p.code)) for p in programs]
        await edit_text(message, _("Which program?"), buttons(items, columns=3))
    elif kind == "disbursement":
        found = await session.scalars(
            select(Disbursement)
            .where(Disbursement.status == "scheduled")
            .order_by(Disbursement.scheduled_at.desc())
            .limit(LIST_LIMIT)
        )
        # Each payout twice: all its recipients, or only those who have not collected yet.
        items = []
        for d in found:
            name = f"{d.title} · {format_datetime_id(d.scheduled_at)}"
            items.append((name[:60], ComposeCallback(step="disb", value=str(d.id))))
            items.append(
                (_("⏳ not collected yet: {name}").format(name=name)[:60],
                 ComposeCallback(step="disbw", value=str(d.id)))
            )  # fmt: skip
        await _list_or_none(message, items, _("Which disbursement?"))
    elif kind == "training":
        trainings = await session.scalars(
            select(Training)
            .where(Training.status != "cancelled")
            .order_by(Training.starts_at.desc())
            .limit(LIST_LIMIT)
        )
        items = [
            (
                f"{t.title} · {format_datetime_id(t.starts_at)}"[:60],
                ComposeCallback(step="trn", value=str(t.id)),
            )
            for t in trainings
        ]
        await _list_or_none(message, items, _("Which training?"))


async def _list_or_none(message: Message, items: list, question: str) -> None:
    if items:
        await edit_text(message, question, buttons(items))
    else:
        back = [(_("⬅️ Choose another audience"), ComposeCallback(step="change"))]
        await edit_text(message, _("There is none to choose yet."), buttons(back))


async def choose_item(
    query: CallbackQuery, callback_data: ComposeCallback, state: FSMContext, session: AsyncSession
) -> None:
    if not await composing(query, state):
        return
    step, value, message = callback_data.step, callback_data.value, query.message
    assert isinstance(message, Message)
    if step in ("disb", "disbw", "trn") and row_id(value) is None:  # a crafted button
        await query.answer(_("This button is no longer active."))
        return
    await query.answer()
    if step == "kecd":  # a desa: first its kecamatan, now the desa
        items = [
            (r.name, ComposeCallback(step="desa", value=r.code))
            for r in await regions.children(session, value)
        ]
        await edit_text(message, _("Which desa/kelurahan?"), buttons(items, 2))
        return
    if step in ("kec", "desa"):
        region = await regions.by_code(session, value)
        if region is None:
            return
        audience: dict[str, Any] = {
            "type": "kecamatan" if step == "kec" else "desa",
            "codes": [region.code],
        }
        label = (_("Kecamatan {name}") if step == "kec" else _("Desa/Kelurahan {name}")).format(
            name=region.name
        )
    elif step == "prog":
        audience, label = {"type": "program", "code": value}, _("program {code}").format(code=value)
    elif not value.isdigit():
        return
    elif step in ("disb", "disbw"):
        event = await session.get(Disbursement, row_id(value))
        if event is None:
            return
        audience = {"type": "disbursement", "id": event.id}
        label = _("recipients of {title}").format(title=event.title)
        if step == "disbw":  # leave out the families that have collected already
            audience["waiting"] = True
            label = _("recipients of {title} who have not collected yet").format(
                title=event.title
            )
    else:
        training = await session.get(Training, row_id(value))
        if training is None:
            return
        audience = {"type": "training", "id": training.id}
        label = _("participants of {title}").format(title=training.title)
    await _preview(message, state, session, audience, label)


async def _preview(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    audience: dict[str, Any],
    label: str,
) -> None:
    data = await state.get_data()
    count = await broadcasts.count_recipients(session, audience)
    # A new audience starts the last step afresh: "send later" asks its time again.
    await state.update_data(audience=audience, label=label, count=count, send_at=None)
    await edit_text(message, _("Preview: this is what they will receive."))
    await _send_content(message, data)
    change = (_("⬅️ Choose another audience"), ComposeCallback(step="change"))
    if count == 0:
        await message.answer(
            _(
                "Nobody in {audience} can receive it (no linked account, or they blocked the bot)."
            ).format(audience=label),
            reply_markup=buttons([change]),
        )
        return
    await state.set_state(Compose.confirm)
    send = (_("✅ Send to {n} people").format(n=n(count)), ComposeCallback(step="send"))
    later = (_("⏰ Send later"), ComposeCallback(step="later"))
    await message.answer(
        _("Recipients: {audience}, {n} people. Send it?").format(audience=label, n=n(count)),
        reply_markup=buttons([send, later, change]),
    )


async def _send_content(message: Message, data: dict[str, Any]) -> Message:
    if data.get("photo"):
        return await message.answer_photo(data["photo"], caption=data["text"])
    if data.get("document"):
        return await message.answer_document(data["document"], caption=data["text"])
    return await message.answer(data["text"])


async def change_audience(query: CallbackQuery, state: FSMContext) -> None:
    if not await composing(query, state):
        return
    await query.answer()
    await state.set_state(Compose.audience)
    assert isinstance(query.message, Message)
    await _ask_audience(query.message)


async def stop(query: CallbackQuery, state: FSMContext, account: Account) -> None:
    await clear_but_keep_form(state)
    await query.answer()
    assert isinstance(query.message, Message)
    await edit_text(query.message, _("Broadcast cancelled. Nothing was sent."))
    await show_menu(query.message, _("Here is the main menu."), account)


def create_router() -> Router:
    router = gated_router("staff_broadcast", STAFF)
    router.message.register(start, Command("siaran"))
    router.message.register(start, MenuButton("broadcast"))
    router.message.register(composed, StateFilter(Compose.message))
    router.callback_query.register(choose_audience, ComposeCallback.filter(F.step == "aud"))
    router.callback_query.register(
        choose_item,
        ComposeCallback.filter(
            F.step.in_({"kec", "kecd", "desa", "prog", "disb", "disbw", "trn"})
        ),
    )
    router.callback_query.register(change_audience, ComposeCallback.filter(F.step == "change"))
    router.callback_query.register(stop, ComposeCallback.filter(F.step == "stop"))
    router.callback_query.register(
        broadcast_send.send_now, ComposeCallback.filter(F.step == "send")
    )
    router.callback_query.register(
        broadcast_send.ask_when, ComposeCallback.filter(F.step == "later")
    )
    router.callback_query.register(
        broadcast_send.schedule, ComposeCallback.filter(F.step == "sched")
    )
    router.message.register(broadcast_send.when_typed, StateFilter(Compose.when))
    router.callback_query.register(
        broadcast_send.list_scheduled, broadcast_send.ScheduledCb.filter()
    )
    router.callback_query.register(control, BroadcastControl.filter())
    return router
