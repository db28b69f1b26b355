"""Dialogs of the bot: forms declared as data and run by one small engine.

``engine`` and ``validators`` import no Telegram types; ``telegram`` is the aiogram adapter.
"""

from domain.dates import format_date_id, format_time_id, wib_datetime
from domain.identity import is_kota_bekasi, mask_number, nik_birth_date, nik_is_female
from domain.money import format_rupiah
from domain.phone import format_phone_national

from .engine import current_field, current_step, handle, start
from .schema import (
    Ask,
    Cancelled,
    Confirm,
    Done,
    Field,
    Form,
    Input,
    Option,
    Question,
    Step,
    get_form,
    register_form,
)
from .screens import display_value, question, summary_lines
from .telegram import (
    FormCallback,
    FormFlow,
    begin,
    input_from_callback,
    input_from_message,
    render,
    run_step,
    send_step,
    show_current,
)
from .validators import (
    ValidationError,
    parse_date,
    parse_int,
    parse_kk,
    parse_nik,
    parse_phone,
    parse_rupiah,
    parse_time,
)

__all__ = [
    "Ask",
    "Cancelled",
    "Confirm",
    "Done",
    "Field",
    "Form",
    "FormCallback",
    "FormFlow",
    "Input",
    "Option",
    "Question",
    "Step",
    "ValidationError",
    "begin",
    "current_field",
    "current_step",
    "display_value",
    "format_date_id",
    "format_phone_national",
    "format_rupiah",
    "format_time_id",
    "get_form",
    "handle",
    "input_from_callback",
    "input_from_message",
    "is_kota_bekasi",
    "mask_number",
    "nik_birth_date",
    "nik_is_female",
    "parse_date",
    "parse_int",
    "parse_kk",
    "parse_nik",
    "parse_phone",
    "parse_rupiah",
    "parse_time",
    "question",
    "register_form",
    "render",
    "run_step",
    "send_step",
    "show_current",
    "start",
    "summary_lines",
    "wib_datetime",
]
