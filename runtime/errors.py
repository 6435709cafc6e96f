"""Errors raised by the actor kernel. Each says what happened and what the caller can do.

RuntimeKernelError
├── MailboxFull       a tell/ask was not accepted: the actor's bounded mailbox is full
├── ActorStopped      the actor is stopped or stopping: the message was not delivered
├── ActorCrashed      a handler (or `started`) raised; the cause is chained
├── Escalation        a supervisor gave up on a child and hands the decision up
├── PoolFull          the worker pool's bounded job queue is full
└── JobCancelled      the job's group was cancelled before the job finished
"""

from __future__ import annotations

import reprlib

_short = reprlib.Repr()
_short.maxstring = 120
_short.maxother = 160


def causes(error: BaseException) -> list[BaseException]:
    """`error` and everything behind it: its cause, its context, the members of a group
    (trio's nurseries wrap what their tasks raise), each once."""
    seen: list[BaseException] = []
    pending = [error]
    while pending:
        each = pending.pop()
        if any(each is known for known in seen):
            continue
        seen.append(each)
        if isinstance(each, BaseExceptionGroup):
            pending.extend(each.exceptions)
        pending.extend(e for e in (each.__cause__, each.__context__) if e is not None)
    return seen


def describe(message: object) -> str:
    """A message, shortened for a log line or an error (payloads can be large)."""
    return _short.repr(message)


class RuntimeKernelError(Exception):
    """Base of every error the actor kernel raises."""


class MailboxFull(RuntimeKernelError):
    """The actor's bounded mailbox is full: the message was not accepted.

    The sender decides: drop the message, answer "busy", or try again later.
    """

    def __init__(self, actor: str, capacity: int) -> None:
        super().__init__(
            f"mailbox of {actor!r} is full ({capacity} messages); message not accepted"
        )
        self.actor = actor
        self.capacity = capacity


class ActorStopped(RuntimeKernelError):
    """The actor is stopped (or stopping): it accepts no more messages and will not reply."""

    def __init__(self, actor: str) -> None:
        super().__init__(f"actor {actor!r} is stopped; message not delivered")
        self.actor = actor


class ActorCrashed(RuntimeKernelError):
    """An actor's handler (or its `started` hook) raised; the cause is chained."""

    def __init__(self, actor: str, message: object | None) -> None:
        during = "while starting" if message is None else f"handling {describe(message)}"
        super().__init__(f"actor {actor!r} crashed {during}")
        self.actor = actor
        self.message = message


class Escalation(RuntimeKernelError):
    """A supervisor gave up: a child crashed more often than its restart intensity allows.

    Raised out of the supervisor so that its own parent decides what happens next.
    """

    def __init__(self, supervisor: str, child: str, restarts: int, within_s: float) -> None:
        super().__init__(
            f"supervisor {supervisor!r} gave up on {child!r}: "
            f"more than {restarts} restarts within {within_s:g} s"
        )
        self.supervisor = supervisor
        self.child = child


class PoolFull(RuntimeKernelError):
    """The worker pool's bounded job queue is full: the job was not accepted."""

    def __init__(self, capacity: int) -> None:
        super().__init__(f"worker pool queue is full ({capacity} jobs); job not accepted")
        self.capacity = capacity


class JobCancelled(RuntimeKernelError):
    """The job's group was cancelled before the job finished (queued or running)."""

    def __init__(self, group: str) -> None:
        super().__init__(f"job cancelled with its group {group!r}")
        self.group = group
