"""Background workers: work that no user triggers (upkeep, the broadcast sender, reminders),
all in this package, each a loop of rounds (`loop.every`; the broadcast sender keeps a loop of
its own, which holds a lease and finishes the batch in hand when stopped).

Each worker is `async def worker(bot: Bot, dp: Dispatcher) -> None` and runs until cancelled,
reading its work from the database, so that any number of bot processes can run side by side
and a crash loses nothing. A worker must survive its own errors (log, wait, try again): one
failing round must never stop the bot. `dp["settings"]`, `dp["sessionmaker"]`, `dp["i18n"]`
and `dp["protector"]` are there for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from aiogram import Bot, Dispatcher

log = logging.getLogger(__name__)

Worker = Callable[[Bot, Dispatcher], Coroutine[Any, Any, None]]


def all_workers() -> list[Worker]:
    """Every worker a bot process runs. Features add theirs here."""
    # Imported here: worker modules import the app's modules, which import this one.
    from bot.workers import aid_followup, broadcast_sender, cases, maintenance, reminders

    return [
        maintenance.purge_idle_conversations,
        broadcast_sender.broadcast_sender,
        reminders.reminder_scheduler,
        aid_followup.ask_received,
        cases.answer_times,
    ]


def start_workers(
    bot: Bot, dp: Dispatcher, workers: list[Worker] | None = None
) -> list[asyncio.Task[None]]:
    tasks = []
    for worker in all_workers() if workers is None else workers:
        name = f"worker:{getattr(worker, '__module__', '')}.{getattr(worker, '__name__', worker)}"
        tasks.append(asyncio.create_task(worker(bot, dp), name=name))
    return tasks


async def stop_workers(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
