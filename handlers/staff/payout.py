"""Staff on the payout day, from a schedule's card (/daftarjadwal): the printable list of
each desa (PDF: daftar hadir / tanda terima), and who has not collected yet, by desa.
Marking, undoing, adding and removing a family: handlers/staff/payout_mark.py."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.messages import edit_text
from conversations.schedule_form import program_label
from conversations.validators import format_datetime_id
from db import audit
from db.models.accounts import Account
from db.models.aid import Disbursement
from db.protect import Protector
from domain.money import format_rupiah
from handlers.access import STAFF, gated_router
from handlers.staff import payout_mark
from handlers.staff.payout_buttons import PayoutCb
from services import payout, payout_pdf, schedules

WAITING_PAGE = 10  # names per message of the "not collected yet" list (≤ 600 characters)


def _number(value: int) -> str:
    return format_decimal(value, locale="id")


async def _desa_choice(
    session: AsyncSession, disbursement: Disbursement, action: str, waiting: bool
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for desa in await payout.by_desa(session, disbursement.id):
        count = desa.total - desa.collected if waiting else desa.total
        if waiting and not count:
            continue
        builder.button(
            text=f"{desa.name} ({_number(count)})",
            callback_data=PayoutCb(a=action, id=disbursement.id, d=desa.code),
        )
    builder.adjust(2)
    return builder.as_markup()


async def _schedule(
    query: CallbackQuery, session: AsyncSession, cb: PayoutCb
) -> Disbursement | None:
    disbursement = await schedules.get(session, cb.id)
    if disbursement is None:
        await query.answer(_("This schedule does not exist."), show_alert=True)
    return disbursement


async def lists_menu(query: CallbackQuery, callback_data: PayoutCb, session: AsyncSession) -> None:
    disbursement = await _schedule(query, session, callback_data)
    if disbursement is None or not isinstance(query.message, Message):
        return
    await query.answer()
    waiting = callback_data.a == "wait"
    if waiting:
        text = _("Schedule #{id}: families that have not collected yet, by desa. Tap a desa:")
    else:
        text = _("Schedule #{id}: the printable list (attendance and receipt) of which desa?")
    markup = await _desa_choice(session, disbursement, callback_data.a + "d", waiting)
    if waiting and not markup.inline_keyboard:
        text = _("Schedule #{id}: every family has collected.")
    await query.message.answer(text.format(id=disbursement.id), reply_markup=markup)


def labels(disbursement: Disbursement, code: str, desa: str) -> payout_pdf.Labels:
    return payout_pdf.Labels(
        title=_("ATTENDANCE LIST AND AID RECEIPT"),
        office=_("Dinas Sosial Kabupaten Bekasi"),
        heading=(
            _("Programme: {program} - {title}").format(
                program=program_label(code), title=disbursement.title
            ),
            _("Time and place: {when}, {place}").format(
                when=format_datetime_id(disbursement.scheduled_at), place=disbursement.place
            ),
            _("Desa/Kelurahan: {desa}").format(desa=desa),
        ),
        columns=(
            _("No."),
            _("Head of family"),
            _("Address"),
            _("KK number"),
            _("Amount"),
            _("Signature / thumbprint"),
        ),
        no_kk=_("no KK yet"),
        collected=_("collected"),
        total=_("Number of families: {count}"),
        signatures=(_("Dinas Sosial officer"), _("Village head / Lurah")),
        page=_("Page {page}"),
        address=_("{address} RT {rt}/RW {rw}"),
    )


async def send_pdf(
    query: CallbackQuery,
    callback_data: PayoutCb,
    session: AsyncSession,
    account: Account,
    protector: Protector,
) -> None:
    disbursement = await _schedule(query, session, callback_data)
    if disbursement is None or not isinstance(query.message, Message):
        return
    await query.answer()
    families = await payout.lines(session, protector, disbursement.id, desa_code=callback_data.d)
    if not families:
        await query.message.answer(_("No family of this schedule lives in that desa."))
        return
    code = await schedules.program_code_of(session, disbursement)
    document = payout_pdf.render(
        labels(disbursement, code, families[0].desa), families, format_rupiah(disbursement.amount)
    )
    # Full names and KK numbers on paper: an access to personal data, audited.
    audit.record(
        session, account, "personal_data.exported", "disbursement", disbursement.id,
        report="payout_list", desa=callback_data.d, rows=len(families),
    )  # fmt: skip
    name = f"daftar_hadir_{disbursement.id}_{callback_data.d.replace('.', '')}.pdf"
    await query.message.answer_document(
        BufferedInputFile(document, filename=name),
        caption=_(
            "Attendance list of {desa}: {count} families. It holds full KK numbers: keep it "
            "safe and destroy copies after use."
        ).format(desa=families[0].desa, count=_number(len(families))),
    )


async def waiting_list(
    query: CallbackQuery,
    callback_data: PayoutCb,
    session: AsyncSession,
    protector: Protector,
) -> None:
    disbursement = await _schedule(query, session, callback_data)
    if disbursement is None or not isinstance(query.message, Message):
        return
    await query.answer()
    families = await payout.lines(
        session, protector, disbursement.id, desa_code=callback_data.d, only_waiting=True
    )
    if not families:
        await query.message.answer(_("Every family of that desa has collected."))
        return
    page = min(callback_data.h, (len(families) - 1) // WAITING_PAGE)
    shown = families[page * WAITING_PAGE : (page + 1) * WAITING_PAGE]
    rows = [
        f"{page * WAITING_PAGE + n}. {f.head} · RT {f.rt or '-'}/RW {f.rw or '-'}"
        for n, f in enumerate(shown, start=1)
    ]
    text = (
        _("Not collected yet in {desa}: {count} families.").format(
            desa=families[0].desa, count=_number(len(families))
        )
        + "\n"
        + "\n".join(rows)
    )
    builder = InlineKeyboardBuilder()
    if page > 0:
        builder.button(text="«", callback_data=PayoutCb(
            a="waitp", id=disbursement.id, h=page - 1, d=callback_data.d))  # fmt: skip
    if (page + 1) * WAITING_PAGE < len(families):
        builder.button(text="»", callback_data=PayoutCb(
            a="waitp", id=disbursement.id, h=page + 1, d=callback_data.d))  # fmt: skip
    if callback_data.a == "waitp":  # turning a page: the same message
        await edit_text(query.message, text[:600], builder.as_markup())
    else:
        await query.message.answer(text[:600], reply_markup=builder.as_markup())


def create_router() -> Router:
    router = gated_router("staff_payout", STAFF)
    router.callback_query.register(lists_menu, PayoutCb.filter(F.a.in_({"pdf", "wait"})))
    router.callback_query.register(send_pdf, PayoutCb.filter(F.a == "pdfd"))
    router.callback_query.register(waiting_list, PayoutCb.filter(F.a.in_({"waitd", "waitp"})))
    payout_mark.register(router)
    return router
