"""Announce a new training to residents in one step: when staff save a new training, a
follow-up offers "📣 Announce to residents" with audiences that fit it (all linked residents,
a kecamatan or a desa, each only households with someone of the training's ages); a preview
shows the ready text (title, days, hours, place, who may join, how to sign up) and the exact
number of recipients, and one confirmation queues the broadcast. Nothing is retyped.

The audiences are the broadcast's own (services/audiences.py, with its `ages` rule); the
broadcast goes through the sender like any other and its progress message is the usual one.
Registered on the staff training router (its gate: staff only). Every step's state is in its
button, so an offer works as long as the training is open; a second tap on "send" for the same
audience finds the broadcast already queued (its dedup key) and says so."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.i18n import pgettext
from conversations.messages import edit_text, remove_buttons
from db import audit, regions
from db.models.accounts import Account
from db.models.aid import Training
from db.models.base import utcnow
from db.models.broadcasts import Broadcast
from domain.dates import format_date_long, to_wib
from handlers import broadcast_progress
from handlers.callback_ids import RowId
from handlers.residents.training_texts import when_text
from handlers.staff.broadcast_compose import n
from services import audiences, broadcasts

KABUPATEN = "32.16"
DESCRIPTION_SHOWN = 200  # characters of the staff's description in the announcement


class AnnounceCb(CallbackData, prefix="tan"):
    # menu (the audiences) | kec (kecamatan list) | kecd (kecamatan, then its desa) | desas
    # (the desa of kecamatan `v`) | aud (preview for audience `v`) | send (queue for `v`) |
    # stop. `v`: "all", "k" + a kecamatan code or "d" + a desa code.
    a: str
    t: RowId
    v: str = ""


def offer(training: Training) -> tuple[str, InlineKeyboardMarkup]:
    """The follow-up to a saved new training: announce it, to whom?"""
    text = _(
        "📣 Announce training #{id} to residents? The message is ready (title, days, hours, "
        "place, how to sign up): only choose who gets it."
    ).format(id=training.id)
    return text, _menu(training)


def _menu(training: Training) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()

    def button(text: str, action: str, value: str = "") -> None:
        builder.button(text=text, callback_data=AnnounceCb(a=action, t=training.id, v=value))

    ages = {"min_age": training.min_age, "max_age": training.max_age}
    button(_("👥 All linked residents aged {min_age}-{max_age}").format(**ages), "aud", "all")
    button(_("🏘 Residents of a kecamatan"), "kec")
    button(_("🏠 Residents of a desa/kelurahan"), "kecd")
    button(_("Not now"), "stop")
    builder.adjust(1)
    return builder.as_markup()


def announcement(training: Training) -> str:
    """The ready text, in the language residents read (the catalog's default)."""
    i18n = get_i18n()
    with i18n.use_locale(i18n.default_locale):
        lines = [
            _("📣 New training: {title}").format(title=training.title),
            _("By: {provider}").format(provider=training.provider),
            _("When: {when}").format(when=when_text(training)),
            _("Where: {place}").format(place=training.place),
            _("For ages {min_age}-{max_age}; {seats} seats.").format(
                min_age=training.min_age, max_age=training.max_age, seats=training.capacity
            ),
        ]
        if training.signup_deadline is not None:
            lines.append(
                _("Sign up by: {date}").format(
                    date=format_date_long(to_wib(training.signup_deadline).date())
                )
            )
        description = " ".join((training.description or "").split())
        if description:
            if len(description) > DESCRIPTION_SHOWN:
                description = description[: DESCRIPTION_SHOWN - 1].rstrip() + "…"
            lines.append(description)
        lines.append(
            _('To sign up: tap "{button}" in the menu of this bot, or type /pelatihan.').format(
                button=_("🎓 Training")
            )
        )
    return "\n".join(lines)


async def _audience(
    session: AsyncSession, training: Training, value: str
) -> tuple[dict[str, Any], str] | None:
    """The audience a button names, with its words; None for a crafted or stale value."""
    ages = audiences.ages(training.min_age, training.max_age, to_wib(training.starts_at).date())
    years = {"min_age": training.min_age, "max_age": training.max_age}
    if value == "all":
        label = _("linked residents aged {min_age}-{max_age}").format(**years)
        return {"type": "residents", "ages": ages}, label
    region = await regions.by_code(session, value[1:]) if value[:1] in ("k", "d") else None
    if region is None:
        return None
    if value[0] == "k" and region.level == "kecamatan":
        label = _("residents of Kecamatan {name} aged {min_age}-{max_age}")
        return {"type": "kecamatan", "codes": [region.code], "ages": ages}, label.format(
            name=region.name, **years
        )
    if value[0] == "d" and region.level in ("desa", "kelurahan"):
        label = _("residents of Desa/Kelurahan {name} aged {min_age}-{max_age}")
        return {"type": "desa", "codes": [region.code], "ages": ages}, label.format(
            name=region.name, **years
        )
    return None


def _regions_keyboard(
    training: Training, found: list[Any], action: str, prefix: str
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for region in found:
        builder.button(
            text=region.name,
            callback_data=AnnounceCb(a=action, t=training.id, v=prefix + region.code),
        )
    builder.button(text=_("« Back"), callback_data=AnnounceCb(a="menu", t=training.id))
    builder.adjust(*([2] * ((len(found) + 1) // 2)), 1)
    return builder.as_markup()


async def announce_action(
    query: CallbackQuery, callback_data: AnnounceCb, session: AsyncSession, account: Account
) -> None:
    message = query.message
    training = await session.get(Training, callback_data.t)
    if not isinstance(message, Message) or training is None:
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    if training.status != "open" or training.starts_at <= utcnow():
        await query.answer(
            _("Sign-ups for this training are closed, so it is not announced."), show_alert=True
        )
        await remove_buttons(message)
        return
    action, value = callback_data.a, callback_data.v
    if action == "stop":
        await query.answer()
        await edit_text(message, _("Not announced. You can still announce it with /siaran."))
        return
    if action == "menu":
        await query.answer()
        await remove_buttons(message)
        text, markup = offer(training)
        await message.answer(text, reply_markup=markup)
        return
    if action in ("kec", "kecd"):
        await query.answer()
        found = await regions.children(session, KABUPATEN)
        step, prefix = ("aud", "k") if action == "kec" else ("desas", "")
        await edit_text(
            message, _("Which kecamatan?"), _regions_keyboard(training, found, step, prefix)
        )
        return
    if action == "desas":
        region = await regions.by_code(session, value)
        if region is None or region.level != "kecamatan":
            await query.answer(_("This button is no longer active."), show_alert=True)
            return
        await query.answer()
        found = await regions.children(session, region.code)
        await edit_text(
            message, _("Which desa/kelurahan?"), _regions_keyboard(training, found, "aud", "d")
        )
        return
    chosen = await _audience(session, training, value)
    if chosen is None or action not in ("aud", "send"):
        await query.answer(_("This button is no longer active."), show_alert=True)
        return
    if action == "aud":
        await query.answer()
        await _preview(message, session, training, value, *chosen)
    else:
        await _send(query, message, session, account, training, value, *chosen)


async def _preview(
    message: Message,
    session: AsyncSession,
    training: Training,
    value: str,
    audience: dict[str, Any],
    label: str,
) -> None:
    count = await broadcasts.count_recipients(session, audience)
    await edit_text(message, _("Preview: this is what they will receive."))
    await message.answer(announcement(training))
    builder = InlineKeyboardBuilder()
    if count:
        builder.button(
            text=_("✅ Send to {n} people").format(n=n(count)),
            callback_data=AnnounceCb(a="send", t=training.id, v=value),
        )
        question = _("Recipients: {audience}, {n} people. Send it?")
    else:
        question = _(
            "Nobody in {audience} can receive it (no linked account, or they blocked the bot)."
        )
    builder.button(
        text=_("⬅️ Choose another audience"), callback_data=AnnounceCb(a="menu", t=training.id)
    )
    builder.button(
        text=pgettext("broadcast draft", "✖️ Cancel"),
        callback_data=AnnounceCb(a="stop", t=training.id),
    )
    builder.adjust(1)
    await message.answer(
        question.format(audience=label, n=n(count)), reply_markup=builder.as_markup()
    )


async def _send(
    query: CallbackQuery,
    message: Message,
    session: AsyncSession,
    account: Account,
    training: Training,
    value: str,
    audience: dict[str, Any],
    label: str,
) -> None:
    key = f"announce:training:{training.id}:{value}"
    found = await session.scalar(select(Broadcast.id).where(Broadcast.dedup_key == key))
    broadcast = None
    if found is None:
        try:
            async with session.begin_nested():
                broadcast = await broadcasts.queue(
                    session, text=announcement(training), audience=audience, created_by=account,
                    progress_chat_id=message.chat.id, dedup_key=key,
                )  # fmt: skip
        except IntegrityError:  # the same tap, handled a moment ago elsewhere
            broadcast = None
    if broadcast is None:
        await query.answer(
            _("It was already sent to {audience}.").format(audience=label), show_alert=True
        )
        await remove_buttons(message)
        return
    audit.record(
        session, account, "broadcast.queued", "broadcast", broadcast.id,
        audience=audience["type"], training=training.id,
    )  # fmt: skip
    await query.answer()
    await remove_buttons(message)
    progress = await broadcast_progress.load(session, broadcast)
    shown = await message.answer(
        broadcast_progress.text(progress), reply_markup=broadcast_progress.keyboard(progress)
    )
    broadcast.progress_message_id = shown.message_id


def register(router: Router) -> None:
    router.callback_query.register(announce_action, AnnounceCb.filter())
