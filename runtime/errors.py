"""Errors raised by the actor kernel. Each says what happened and what the caller can do."""


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
