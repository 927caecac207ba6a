"""One turn at a time per conversation (:class:`bot.dialog.turn_queue.TurnQueue`), in the order
the events came, with waiting turns that are cancelled (a worker stopping) handled."""

from __future__ import annotations

import asyncio

from bot.dialog.turn_queue import TurnQueue


async def _turn(
    queue: TurnQueue, key: str, log: list[str], name: str, hold: asyncio.Event
) -> None:
    if not queue.try_start(key):
        await queue.wait_start(key)
    try:
        log.append(f"{name} starts")
        await hold.wait()
        log.append(f"{name} ends")
    finally:
        queue.finish(key)


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_turns_of_one_conversation_run_one_after_another_in_order() -> None:
    queue, log, go = TurnQueue(), [], asyncio.Event()
    tasks = [asyncio.create_task(_turn(queue, "k", log, name, go)) for name in "abc"]
    other = asyncio.create_task(_turn(queue, "other", log, "x", go))
    await _settle()
    assert log == ["a starts", "x starts"]  # another conversation does not wait
    go.set()
    await asyncio.gather(*tasks, other)
    mine = [line for line in log if not line.startswith("x")]
    assert mine == ["a starts", "a ends", "b starts", "b ends", "c starts", "c ends"]
    assert len(queue) == 0  # nothing kept once the conversations are idle


async def test_a_failing_turn_lets_the_next_one_run() -> None:
    queue, log = TurnQueue(), []

    async def failing() -> None:
        assert queue.try_start("k")
        try:
            await asyncio.sleep(0)
            raise RuntimeError("the turn failed")
        finally:
            queue.finish("k")

    go = asyncio.Event()
    go.set()
    first = asyncio.create_task(failing())
    await asyncio.sleep(0)
    second = asyncio.create_task(_turn(queue, "k", log, "b", go))
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert isinstance(results[0], RuntimeError) and log == ["b starts", "b ends"]
    assert len(queue) == 0


async def test_a_waiting_turn_that_is_cancelled_leaves_the_queue() -> None:
    queue, log, go = TurnQueue(), [], asyncio.Event()
    first = asyncio.create_task(_turn(queue, "k", log, "a", go))
    await _settle()
    waiting = asyncio.create_task(_turn(queue, "k", log, "b", go))
    last = asyncio.create_task(_turn(queue, "k", log, "c", go))
    await _settle()
    waiting.cancel()
    await _settle()
    go.set()
    await asyncio.gather(first, last)
    assert waiting.cancelled()
    assert log == ["a starts", "a ends", "c starts", "c ends"]
    assert len(queue) == 0


async def test_a_turn_cancelled_just_as_its_go_came_hands_it_on() -> None:
    queue, log, go = TurnQueue(), [], asyncio.Event()
    assert queue.try_start("k")  # a running turn, finished by hand below
    waiting = asyncio.create_task(_turn(queue, "k", log, "b", go))
    last = asyncio.create_task(_turn(queue, "k", log, "c", go))
    await _settle()
    queue.finish("k")  # b's go comes ...
    waiting.cancel()  # ... and b is cancelled before it could run
    go.set()
    await asyncio.gather(last)
    await _settle()
    assert waiting.cancelled()
    assert log == ["c starts", "c ends"]  # c was not left waiting for b forever
    assert len(queue) == 0
