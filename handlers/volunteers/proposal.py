"""`/usul`: a volunteer (PSM, TKSK) or staff proposes a household that is not on the list
(usulan), within their own area; the proposal waits in the desa's task list for verification.
The questions are in conversations.usulan."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from conversations import begin
from conversations.usulan import VOLUNTEER_FORM, region_name
from db.models.accounts import Account
from domain.roles import PETUGAS
from handlers.access import VOLUNTEERS_AND_STAFF, gated_router, require_consent
from handlers.forms import on_submit
from handlers.residents.proposal import proposal_error
from services import proposals


async def start_volunteer_proposal(message: Message, account: Account, state: FSMContext) -> None:
    area = None if account.role == PETUGAS else account.area_code
    await begin(VOLUNTEER_FORM, message, state, context={"area": area})


@on_submit(VOLUNTEER_FORM)
async def submit_volunteer_proposal(answers: dict[str, Any], data: dict[str, Any]) -> str:
    account: Account = data["account"]
    area = None if account.role == PETUGAS else account.area_code
    desa = answers["desa"]
    if area is not None and not (desa == area or desa.startswith(area + ".")):
        return _("That desa is outside your area. Nothing was saved.")
    proposal = proposals.Proposal(
        name=answers["name"],
        relationship="kepala",
        address=answers["address"],
        rt=f"{answers['rt']:03d}",
        rw=f"{answers['rw']:03d}",
        kecamatan_code=answers["kecamatan"],
        desa_code=desa,
        members=answers["members"],
        description=answers["description"],
        phone=answers.get("phone"),
        nik=answers.get("nik"),
        kk=answers.get("kk"),
    )
    try:
        await proposals.propose(
            data["session"], data["protector"], account, proposal, proposals.FROM_VOLUNTEER
        )
    except proposals.ProposalError as exc:
        return proposal_error(exc)
    return _(
        "Thank you. The proposal is saved as waiting for verification, and it is in the task "
        "list of Desa {desa}."
    ).format(desa=region_name(desa))


def create_router() -> Router:
    # A proposal holds a family's personal data: like the other volunteers' tools, only
    # after the volunteer agreed to the privacy notice.
    router = require_consent(gated_router("usulan_relawan", VOLUNTEERS_AND_STAFF))
    router.message.register(start_volunteer_proposal, Command("usul"))
    return router
