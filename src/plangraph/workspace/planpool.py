"""Plans built side by side on worker processes, each bounded in time.

Plans are independent, so with more than one worker and more than two plans they are
built in worker processes (spawned: a fork would copy the caller's engine threads and
locks), and results come back in input order. Two things can stop a plan without an
error the pipeline could catch, and each fails only that plan:

* an exception escapes the task, whatever its type: that plan fails with its message;
* its worker dies (a crash, the OOM killer): the tasks from there on are built again
  one at a time, each in a process of its own, so that the plan at fault is named;
* it takes longer than the time limit (a layout that sends a parser into a loop):
  its worker is killed, the plan is reported, and the tasks after it go on in a new
  pool. A plan is waited for only once every plan before it is done, so it has had
  at least the limit to itself.

With one or two plans (``plangraph add`` of a file) the plan is built in the calling
process, where Ctrl-C stops it, because spawning a worker would cost more than the plan.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from plangraph.errors import describe_exception
from plangraph.search.write.embedding import bare_main
from plangraph.workspace.faults import is_disk_full

PLAN_TIME_LIMIT_S = 600.0
"""Seconds one plan may take on a worker. Plans take 1–3 s here; a 14-page PDF's tables
2.7 s; the limit is far above any plan read so far and below a night's build stalling."""
HANG_ENV = "PLANGRAPH_HANG_AT"
"""A step named here makes the process sleep for an hour (the test of the time limit)."""

Task = tuple[Any, ...]
Outcome = tuple[str, Any]


def hang_point(step: str) -> None:
    """Stall here, as a plan caught in a loop would, if ``PLANGRAPH_HANG_AT`` names this step."""
    if os.environ.get(HANG_ENV) == step:
        time.sleep(3600)


def plan_results(run: Callable[[Task], Outcome], tasks: list[Task], *, workers: int, progress: bool,
                 name: Callable[[Task], str], time_limit_s: float = PLAN_TIME_LIMIT_S) -> Iterator[Outcome]:
    """``run(task)`` for each task, in order: ``("ok", value)`` or ``("error", message)``.

    Args:
        run: a module-level function (it is sent to the workers by reference).
        name: how an error names a task (its file).
        time_limit_s: seconds a task may take on a worker before it is stopped.
    """
    from tqdm import tqdm

    bar = tqdm(total=len(tasks), desc="plans", unit="plan", disable=not progress or len(tasks) < 2)
    try:
        if workers < 2 or len(tasks) < 3:
            for task in tasks:
                yield _guarded(run, task, name)
                bar.update()
            return
        start = 0
        while start < len(tasks):
            first = start
            pool, futures = _started(run, min(workers, len(tasks) - start), tasks[start:])
            stuck = False
            try:
                for fut in futures:
                    try:
                        outcome = fut.result(timeout=time_limit_s)
                    except TimeoutError:
                        outcome, stuck = ("error", _too_long(name(tasks[start]), time_limit_s)), True
                    except BrokenProcessPool:
                        raise
                    except Exception as exc:  # noqa: BLE001  (what escaped ``run``, or its result not sent back)
                        outcome = _failed(name(tasks[start]), exc)
                    yield outcome
                    start += 1
                    bar.update()
                    if stuck:
                        break
                if stuck:  # plans the other workers finished meanwhile count; the rest go to a new pool
                    for fut in futures[start - first:]:
                        if not fut.done() or fut.exception() is not None:
                            break
                        yield fut.result()
                        start += 1
                        bar.update()
            except BrokenProcessPool:
                stuck = True
                _stop(pool, kill=True)  # before the rest run: a surviving worker would compete with them
                yield from _one_by_one(run, tasks[start:], name, time_limit_s, bar)
                return
            finally:
                _stop(pool, kill=stuck)
    finally:
        bar.close()


def _guarded(run: Callable[[Task], Outcome], task: Task, name: Callable[[Task], str]) -> Outcome:
    """``run(task)`` in this process; any exception that escapes it fails this task only."""
    try:
        return run(task)
    except Exception as exc:  # noqa: BLE001  (one plan's failure, whatever it is, is that plan's)
        return _failed(name(task), exc)


def _failed(name: str, exc: BaseException) -> Outcome:
    """The outcome of a plan whose work raised ``exc``; a full disk is no plan's fault and
    stops the change (:func:`~plangraph.workspace.faults.changing` names the folder)."""
    if is_disk_full(exc):
        raise exc
    message = describe_exception(exc)[0]
    return "error", message if name in message else f"{name}: {message}"


def _too_long(name: str, time_limit_s: float) -> str:
    return (f"{name}: building this plan took longer than {time_limit_s:g} s and was stopped "
            "(the limit is --plan-time-limit)")


def _one_by_one(run: Callable[[Task], Outcome], tasks: list[Task], name: Callable[[Task], str],
                time_limit_s: float, bar: Any) -> Iterator[Outcome]:
    for task in tasks:
        alone, (fut,) = _started(run, 1, [task])
        try:
            yield fut.result(timeout=time_limit_s)
        except BrokenProcessPool:
            yield "error", f"{name(task)}: the process building this plan stopped (it crashed or ran out of memory)"
        except TimeoutError:
            yield "error", _too_long(name(task), time_limit_s)
        except Exception as exc:  # noqa: BLE001
            yield _failed(name(task), exc)
        finally:
            _stop(alone, kill=True)
        bar.update()


def _started(run: Callable[[Task], Outcome], workers: int, tasks: list[Task]) -> tuple[ProcessPoolExecutor, list[Any]]:
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    with bare_main():
        return pool, [pool.submit(run, task) for task in tasks]


def _stop(pool: ProcessPoolExecutor, *, kill: bool) -> None:
    """Shut the pool down; with ``kill``, without waiting for a task still running: its
    workers are killed first (``ProcessPoolExecutor`` has no public way to stop a
    running task before Python 3.14's ``terminate_workers``)."""
    if kill:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.kill()
    pool.shutdown(wait=True, cancel_futures=True)
