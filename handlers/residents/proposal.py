"""Proposing one's household (usulan) when /daftar did not find it: the button offered after
the failed match, the form (conversations.usulan) with the NIK and KK already typed, and what
the confirmed proposal does (a volunteer of the desa is asked to verify it)."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from conversations import begin
from conversations.parking import keep_with_the_form
from conversations.usulan import KK_KEY, NIK_KEY, RESIDENT_FORM, SPLIT_KEY, region_name
from db.models.accounts import Account
from db.protect import Protector
from domain.roles import PSM, TKSK
from handlers.case_relay import family_words, tell_officers
from handlers.chat import remove_buttons
from handlers.forms import on_submit
from services import cases, proposals, tasks


async def propose_button(
    query: CallbackQuery, account: Account, state: FSMContext, session: AsyncSession
) -> None:
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        return
    await remove_buttons(message)
    data = await state.get_data()
    if not data.get(NIK_KEY) or not data.get(KK_KEY) or account.household_id is not None:
        await message.answer(_("This question has ended. Send /daftar to start again."))
        return
    await message.answer(
        _(
            "Propose your household. We will ask a few short questions; your NIK and KK are "
            "already noted. You can go back or cancel at any time."
        )
    )
    await begin(RESIDENT_FORM, message, state)


# The numbers typed for /daftar are the proposal's: they stay while its form waits (/lanjut).
keep_with_the_form(NIK_KEY, KK_KEY, SPLIT_KEY)


@on_submit(RESIDENT_FORM)
async def submit_resident_proposal(answers: dict[str, Any], data: dict[str, Any]) -> str:
    account: Account = data["account"]
    state: FSMContext = data["state"]
    protector: Protector = data["protector"]
    stored = await state.get_data()
    if not stored.get(NIK_KEY) or not stored.get(KK_KEY):
        return _("Sorry, the numbers you typed were forgotten. Please send /daftar again.")
    nik = protector.decrypt(stored[NIK_KEY])
    kk = protector.decrypt(stored[KK_KEY])
    del stored[NIK_KEY], stored[KK_KEY]  # needed no longer than this
    split = bool(stored.pop(SPLIT_KEY, False))
    await state.set_data(stored)
    proposal = proposals.Proposal(
        name=answers["name"],
        relationship=answers["relationship"],
        address=answers["address"],
        rt=f"{answers['rt']:03d}",
        rw=f"{answers['rw']:03d}",
        kecamatan_code=answers["kecamatan"],
        desa_code=answers["desa"],
        members=answers["members"],
        description=answers["description"],
        phone=answers.get("phone"),
        nik=nik,
        kk=kk,
        split=split,
        split_note=_(
            "Split family (pecah KK): the proposer's NIK is on the list under another KK. "
            "Check whether the family has split, then update the members of both KK."
        ),
    )
    session = data["session"]
    try:
        household = await proposals.propose(
            session, protector, account, proposal, proposals.FROM_RESIDENT
        )
    except proposals.ProposalError as exc:
        return proposal_error(exc)
    for case in await tasks.open_cases_of(session, household.id, [tasks.USULAN]):
        notice = _("🟡 New proposal {number} to verify: {family}.").format(
            number=cases.number(case), family=await family_words(session, case)
        )
        await tell_officers(session, data["bot"], case, notice, roles=(PSM, TKSK))
    return _(
        "Thank you. Your proposal is saved and waits for verification.\n\n"
        "What happens next: a volunteer (PSM) of Desa {desa} will visit your family to check "
        "the data. You will get a message here when it is verified or rejected. Meanwhile "
        "you can see its state in /dataku and report your condition with /lapor."
    ).format(desa=region_name(answers["desa"]))


def proposal_error(exc: proposals.ProposalError) -> str:
    """Why a proposal was not saved (a resident's or a volunteer's)."""
    if exc.reason == "kk_listed":
        return _(
            "This KK number is already on the list or already proposed, so nothing new was "
            "saved. Link it with /daftar, or ask the PSM volunteer of the desa."
        )
    return _(
        "The desa does not belong to the kecamatan chosen. Nothing was saved; please "
        "start again."
    )
