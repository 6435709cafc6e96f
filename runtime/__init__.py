"""The actor kernel on trio: actors with bounded mailboxes, supervision, keyed (virtual) actors
and a worker pool with structured cancellation. Knows nothing of WhatsApp or cars."""

from runtime.actor import Actor, ActorRef, Exit, run_actor
from runtime.errors import (
    ActorCrashed,
    ActorStopped,
    Escalation,
    JobCancelled,
    MailboxFull,
    PoolFull,
    RuntimeKernelError,
)
from runtime.fairqueue import FairQueue
from runtime.mailbox import Mailbox
from runtime.pool import Job, JobGroup, WorkerPool
from runtime.registry import KeyedRegistry
from runtime.restart import Restart, RestartPolicy, RestartTracker
from runtime.supervisor import Supervisor
from runtime.thread import DedicatedThread
from runtime.timers import Timers

__all__ = [
    "Actor",
    "ActorCrashed",
    "ActorRef",
    "ActorStopped",
    "DedicatedThread",
    "Escalation",
    "Exit",
    "FairQueue",
    "Job",
    "JobCancelled",
    "JobGroup",
    "KeyedRegistry",
    "Mailbox",
    "MailboxFull",
    "PoolFull",
    "Restart",
    "RestartPolicy",
    "RestartTracker",
    "RuntimeKernelError",
    "Supervisor",
    "Timers",
    "WorkerPool",
    "run_actor",
]
