"""The periodic loop every background worker shares."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bot.workers.loop import every


async def test_a_failing_round_is_logged_and_the_next_one_runs(caplog) -> None:  # type: ignore[no-untyped-def]
    rounds: list[int] = []
    done = asyncio.Event()

    async def one_round() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise RuntimeError("NIK 3216065212850001 in a message")  # must not reach the log
        if len(rounds) == 3:
            done.set()

    task = asyncio.create_task(every(0.01, one_round, "test round"))
    await asyncio.wait_for(done.wait(), 5)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert rounds[:3] == [0, 1, 2]
    assert "test round failed: RuntimeError" in caplog.text
    assert "3216065212850001" not in caplog.text


async def test_cancelling_stops_the_loop() -> None:
    async def one_round() -> None:
        await asyncio.sleep(10)

    task = asyncio.create_task(every(1, one_round, "slow"))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
