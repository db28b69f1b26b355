"""The bot's commands per role: the Telegram command list (setMyCommands) and /bantuan."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from db.models.accounts import Account
from domain.roles import ALL_ROLES, WARGA


@dataclass(frozen=True)
class CommandInfo:
    name: str
    description: LazyProxy  # short, for Telegram's command menu
    help: LazyProxy  # one line for /bantuan
    roles: frozenset[str] = ALL_ROLES


# Later features add their commands here; COMMAND_ORDER below says the order users see.
COMMANDS: list[CommandInfo] = [
    CommandInfo(
        "menu",
        __("Main menu"),
        __("shows the main menu with buttons."),
    ),
    CommandInfo(
        "bantuan",
        __("Help"),
        __("explains what the bot can do for you."),
    ),
    CommandInfo(
        "batal",
        __("Cancel"),
        __("stops what you are doing now; nothing is saved."),
    ),
    CommandInfo(
        "lanjut",
        __("Continue a form"),
        __("continues the form you left unfinished, at the question where you stopped."),
    ),
    CommandInfo(
        "privasi",
        __("Privacy and consent"),
        __("shows how your data is used, and lets you agree or refuse."),
    ),
    CommandInfo(
        "start",
        __("Start again"),
        __("starts the bot again from the beginning."),
    ),
]


# The order people see (Telegram's command list and /bantuan): features add their commands
# on import, so the import order must not decide this (as for the menu, keyboards.MENU_ORDER).
COMMAND_ORDER = (
    "menu", "bantuan", "batal", "lanjut", "privasi", "start",
    "daftar", "dataku", "cek", "usul", "pelatihan", "lapor", "jadwal", "aduan", "aduanku",
    "kontak",
    "siaran", "impor", "ekspor", "jadwalbaru", "daftarjadwal", "statistik",
    "pelatihanbaru", "daftarpelatihan",
    "tugas", "kasus", "cari", "kunjungan", "laporcepat", "undang", "relawan",
)  # fmt: skip


def _command_rank(command: CommandInfo) -> int:
    name = command.name
    return COMMAND_ORDER.index(name) if name in COMMAND_ORDER else len(COMMAND_ORDER)


def commands_for(role: str) -> list[CommandInfo]:
    # Stable: a command not in COMMAND_ORDER keeps its place among those, after the others.
    return sorted((c for c in COMMANDS if role in c.roles), key=_command_rank)


def telegram_commands(role: str) -> list[BotCommand]:
    return [BotCommand(command=c.name, description=str(c.description)) for c in commands_for(role)]


def help_lines(role: str) -> list[str]:
    return [_("/{command}: {help}").format(command=c.name, help=c.help) for c in commands_for(role)]


async def set_default_commands(bot: Bot, i18n: I18n) -> None:
    """Residents' commands are the default list for every private chat (in Indonesian)."""
    with i18n.context(), i18n.use_locale(i18n.default_locale):
        commands = telegram_commands(WARGA)
    await bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats())


async def sync_commands(bot: Bot, account: Account) -> None:
    """Give volunteers and staff their own command list; residents use the default one."""
    scope = BotCommandScopeChat(chat_id=account.telegram_id)
    if account.role == WARGA:
        if account.commands_role is not None:
            await bot.delete_my_commands(scope=scope)
    else:
        await bot.set_my_commands(telegram_commands(account.role), scope=scope)
    account.commands_role = account.role
