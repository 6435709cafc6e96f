"""The dedicated thread: one OS thread for every call, results and errors come back."""

import threading

import pytest
import trio

from runtime import DedicatedThread


async def test_every_call_runs_on_the_same_thread_and_returns_its_result():
    worker = DedicatedThread("writer")
    idents = {await worker.run(threading.get_ident) for _ in range(20)}
    assert len(idents) == 1 and threading.get_ident() not in idents
    assert await worker.run(sum, [1, 2, 3]) == 6
    await worker.stop()


async def test_an_exception_comes_back_to_the_caller():
    worker = DedicatedThread("writer")
    with pytest.raises(ZeroDivisionError):
        await worker.run(lambda: 1 / 0)
    await worker.stop()


async def test_a_call_in_progress_finishes_even_when_the_caller_is_cancelled():
    worker = DedicatedThread("writer")
    started, release, finished = threading.Event(), threading.Event(), []

    def commit():
        started.set()
        release.wait(10)
        finished.append("committed")
        return "done"

    async with trio.open_nursery() as nursery:
        result = []

        async def caller():
            result.append(await worker.run(commit))

        nursery.start_soon(caller)
        await trio.to_thread.run_sync(started.wait)
        nursery.cancel_scope.cancel()  # the caller cannot abandon the work half done...
        release.set()
    assert finished == ["committed"] and result == ["done"]  # ...so it learns how it ended
    await worker.stop()
