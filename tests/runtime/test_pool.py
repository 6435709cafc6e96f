"""The worker pool: fairness, structured cancellation, outcomes, no leaked tasks."""

import pytest
import trio
import trio.testing

from runtime import JobCancelled, PoolFull, WorkerPool


async def start_pool(nursery, workers=2, capacity=100):
    pool = WorkerPool("downloads", workers=workers, capacity=capacity)
    await nursery.start(pool.run)
    return pool


def all_tasks() -> set:
    tasks, stack = set(), [trio.lowlevel.current_root_task()]
    while stack:
        task = stack.pop()
        tasks.add(task)
        for nursery in task.child_nurseries:
            stack.extend(nursery.child_tasks)
    return tasks


async def test_jobs_return_values_to_whoever_waits(autojump_clock):
    async with trio.open_nursery() as nursery:
        pool = await start_pool(nursery)
        group = pool.group("upload-1")

        async def double(x):
            await trio.sleep(1)
            return x * 2

        jobs = [group.submit(double, n) for n in range(5)]
        assert [await job.result() for job in jobs] == [0, 2, 4, 6, 8]
        pool.close()


async def test_one_owners_many_jobs_do_not_starve_another_owners_one_job(autojump_clock):
    finished: list[str] = []

    async def job(name):
        await trio.sleep(1)
        finished.append(name)

    async with trio.open_nursery() as nursery:
        pool = await start_pool(nursery, workers=1)
        busy = pool.group("upload-a", owner="seller-a")
        for n in range(30):
            busy.submit(job, f"a{n}")
        lone = pool.group("upload-b", owner="seller-b").submit(job, "b0")
        await lone.result()
        assert finished.index("b0") <= 1  # behind at most the job already running
        pool.close()


async def test_cancelling_one_group_cancels_its_queued_and_running_jobs_only(autojump_clock):
    events: list[str] = []

    async def download(name, seconds):
        try:
            await trio.sleep(seconds)
            events.append(f"{name} done")
            return name
        finally:
            events.append(f"{name} cleanup")

    async with trio.open_nursery() as nursery:
        pool = await start_pool(nursery, workers=3)
        mine, theirs = pool.group("upload-a", "seller-a"), pool.group("upload-b", "seller-b")
        my_jobs = [mine.submit(download, f"a{n}", 10) for n in range(4)]
        their_jobs = [theirs.submit(download, f"b{n}", 15) for n in range(3)]
        await trio.sleep(5)
        running_mine = [job for job in my_jobs if job.scope is not None]
        assert running_mine  # some of mine were in flight, the rest still queued
        assert mine.cancel() == 4
        for job in my_jobs:
            with pytest.raises(JobCancelled):
                await job.result()
        assert mine.running == 0
        assert trio.current_time() == pytest.approx(5)  # interrupted at once, not at the end
        assert sorted([await job.result() for job in their_jobs]) == ["b0", "b1", "b2"]
        with pytest.raises(JobCancelled):
            mine.submit(download, "a-late", 1)
        pool.close()
    assert not any(e.startswith("a") and e.endswith("done") for e in events)
    started = {job for job in my_jobs if job.scope is not None}
    assert {f"a{my_jobs.index(job)} cleanup" for job in started} <= set(events)
    assert len([e for e in events if e.startswith("a")]) == len(started)  # queued ones never ran


async def test_no_task_outlives_its_cancelled_group(autojump_clock):
    async def with_helpers():
        async with trio.open_nursery() as inner:  # a job may start helpers of its own
            inner.start_soon(trio.sleep_forever)
            inner.start_soon(trio.sleep_forever)

    async with trio.open_nursery() as nursery:
        pool = await start_pool(nursery, workers=4)
        await trio.testing.wait_all_tasks_blocked()
        before = all_tasks()
        group = pool.group("upload")
        jobs = [group.submit(with_helpers) for _ in range(6)]
        await trio.testing.wait_all_tasks_blocked()
        assert len(all_tasks() - before) == 8  # 4 running jobs with 2 helpers each
        group.cancel()
        for job in jobs:
            assert isinstance((await job.wait()).error, JobCancelled)
        await trio.testing.wait_all_tasks_blocked()
        assert all_tasks() == before
        pool.close()


async def test_a_crashing_job_reports_its_error_and_the_worker_goes_on(autojump_clock):
    reported = []

    async def broken():
        raise OSError("disk full")

    async def fine():
        return "ok"

    async with trio.open_nursery() as nursery:
        pool = await start_pool(nursery, workers=1)
        group = pool.group("upload")
        bad = group.submit(broken, on_done=lambda job: reported.append(job.outcome))
        good = group.submit(fine)
        with pytest.raises(OSError, match="disk full"):
            await bad.result()
        assert await good.result() == "ok"
        assert isinstance(reported[0].error, OSError)
        pool.close()


async def test_a_cancelled_job_reports_to_its_on_done_callback(autojump_clock):
    reported = []
    async with trio.open_nursery() as nursery:
        pool = await start_pool(nursery, workers=1)
        group = pool.group("upload")
        for _ in range(2):  # one running, one queued
            group.submit(trio.sleep, 100, on_done=lambda job: reported.append(job.outcome))
        await trio.testing.wait_all_tasks_blocked()
        group.cancel()
        await trio.testing.wait_all_tasks_blocked()
        assert [type(o.error) for o in reported] == [JobCancelled, JobCancelled]
        pool.close()


async def test_a_full_queue_refuses_the_job(autojump_clock):
    async with trio.open_nursery() as nursery:
        pool = await start_pool(nursery, workers=1, capacity=2)
        group = pool.group("upload")
        group.submit(trio.sleep, 10)
        await trio.testing.wait_all_tasks_blocked()  # that one is running, not queued
        group.submit(trio.sleep, 10)
        group.submit(trio.sleep, 10)
        with pytest.raises(PoolFull):
            group.submit(trio.sleep, 10)
        pool.close()


async def test_closing_the_pool_cancels_what_is_left(autojump_clock):
    async with trio.open_nursery() as nursery:
        pool = await start_pool(nursery, workers=1)
        group = pool.group("upload")
        jobs = [group.submit(trio.sleep, 100) for _ in range(3)]
        await trio.testing.wait_all_tasks_blocked()
        pool.close()
    for job in jobs:
        assert isinstance(job.outcome.error, JobCancelled)


async def test_timers_call_later_and_end_with_their_service(autojump_clock):
    from runtime import ActorStopped, Timers

    timers, fired = Timers(), []
    with pytest.raises(ActorStopped):
        timers.later(1, lambda: fired.append("too early"))
    async with trio.open_nursery() as nursery:
        await nursery.start(timers.run)
        timers.later(2.5, lambda: fired.append(trio.current_time()))
        timers.later(100, lambda: fired.append("never"))
        await trio.sleep(3)
        nursery.cancel_scope.cancel()
    assert fired == [pytest.approx(2.5)]
