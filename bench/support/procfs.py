"""What a process and everything it started cost, read from /proc: CPU seconds, memory and the
CPU of each thread. The benchmarks measure the server as the operator would see it: the
`showroom serve` process and its photo worker processes, nothing subtracted."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Usage:
    cpu_s: float  # user + system, of the live processes and of the children they reaped
    rss_mb: float  # resident now, added up
    peak_mb: float  # each process's peak resident memory (VmHWM), added up
    processes: int


def process_tree(pid: int) -> list[int]:
    """`pid` and every process below it (children, their children...)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat_fields(stat)
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, ()))
    return tree


def usage(pid: int) -> Usage:
    """The CPU and memory of `pid`'s whole process tree. CPU counts the children each process
    has reaped, so a photo worker that stopped meanwhile still counts."""
    cpu_ticks, rss_kb, peak_kb, processes = 0, 0, 0, 0
    for process in process_tree(pid):
        fields = _stat_fields(Path(f"/proc/{process}/stat"))
        if fields is None:
            continue  # gone meanwhile: its parent's reaped children hold its time
        # after the command: state ppid ... utime(11) stime(12) cutime(13) cstime(14)
        cpu_ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))
        memory = _status(process)
        rss_kb += memory.get("VmRSS", 0)
        peak_kb += memory.get("VmHWM", 0)
        processes += 1
    return Usage(cpu_ticks / CLOCK_TICKS, rss_kb / 1024, peak_kb / 1024, processes)


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds by thread name (threads of one name added up) of `pid` alone."""
    by_name: dict[str, float] = {}
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        by_name[name] = by_name.get(name, 0.0) + seconds
    return by_name


def _stat_fields(path: Path) -> list[str] | None:
    """The fields of a /proc/<pid>/stat after the command name (which may hold spaces)."""
    try:
        return path.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _status(pid: int) -> dict[str, int]:
    found = {}
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found
