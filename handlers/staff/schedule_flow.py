"""The conversation states of the staff's aid schedules, shared by handlers/staff/schedule*.py.
A state is stored with the person's conversation by its name ("ScheduleFlow:kk_file")."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup

from handlers.form_parking import keep_waiting


class ScheduleFlow(StatesGroup):
    desa = State()  # picking desa of a kecamatan
    area_program = State()  # an area chosen: everyone there, or one programme's households
    kk_file = State()  # waiting for the file of KK numbers
    collecting = State()  # marking households as having collected


# Only buttons answer it: a look at another feature leaves the desa picker working.
keep_waiting(ScheduleFlow.desa)
