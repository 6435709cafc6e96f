"""`GET /metrics` in the Prometheus text format (prometheus_client).

Everything is read at scrape time from the stats the parts already keep (and, for the
backlogs, from the database on a read thread), so nothing on the hot paths counts twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
)
from starlette.requests import Request
from starlette.responses import Response

from actors.downloads import DownloadStats
from actors.outbox import OutboxStats
from actors.persistence import PersistenceStats
from web.intake import IntakeStats


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    """The stats the parts keep, and the backlogs read at scrape time."""

    intake: IntakeStats
    downloads: DownloadStats
    outbox: OutboxStats  # all tenants together
    commits: PersistenceStats
    inbox_backlog: int
    outbox_backlog: int
    sessions_active: int


Snapshot = Callable[[], Awaitable[MetricsSnapshot]]


class _Collector:
    def __init__(self, snapshot: MetricsSnapshot) -> None:
        self.snapshot = snapshot

    def collect(self):
        n = self.snapshot
        webhooks = CounterMetricFamily(
            "showroom_webhooks", "Webhooks by outcome", labels=["outcome"]
        )
        webhooks.add_metric(["accepted"], n.intake.accepted)
        webhooks.add_metric(["duplicate"], n.intake.duplicates)
        webhooks.add_metric(["ignored"], n.intake.ignored)
        for status, count in sorted(n.intake.refused.items()):
            webhooks.add_metric([f"refused_{status}"], count)
        yield webhooks
        yield GaugeMetricFamily(
            "showroom_inbox_backlog", "Inbox events not processed yet", value=n.inbox_backlog
        )
        yield GaugeMetricFamily(
            "showroom_sessions_active", "Session actors in memory", value=n.sessions_active
        )
        downloads = CounterMetricFamily(
            "showroom_downloads", "Photo downloads by outcome", labels=["outcome"]
        )
        for outcome in ("stored", "failed", "cancelled"):
            downloads.add_metric([outcome], getattr(n.downloads, outcome))
        yield downloads
        yield CounterMetricFamily(
            "showroom_download_requests",
            "Requests made to the gateway for photos",
            value=n.downloads.requests,
        )
        yield CounterMetricFamily(
            "showroom_download_not_ready",
            "Photo requests that found no file yet",
            value=n.downloads.not_ready,
        )
        # the stats already count per "at most this many seconds": cumulative, as needed
        buckets = [(str(bound), count) for bound, count in n.downloads.wait_buckets.items()]
        buckets.append(("+Inf", n.downloads.wait_count))
        yield HistogramMetricFamily(
            "showroom_photo_wait_seconds",
            "From the webhook to the request that got the photo",
            buckets=buckets,
            sum_value=n.downloads.wait_sum_s,
        )
        yield GaugeMetricFamily(
            "showroom_outbox_backlog", "Replies waiting to be sent", value=n.outbox_backlog
        )
        sends = CounterMetricFamily(
            "showroom_outbox_sends", "Reply sends by outcome", labels=["outcome"]
        )
        for outcome in ("sent", "retried", "failed", "unreachable"):
            sends.add_metric([outcome], getattr(n.outbox, outcome))
        yield sends
        yield CounterMetricFamily(
            "showroom_db_commits", "Committed write batches", value=n.commits.batches
        )
        yield CounterMetricFamily("showroom_db_writes", "Writes committed", value=n.commits.writes)
        batch = n.commits.batch_sizes
        yield GaugeMetricFamily(
            "showroom_db_batch_size_mean",
            "Mean writes per commit over the last 1000 commits",
            value=sum(batch) / len(batch) if batch else 0.0,
        )


def metrics_route(snapshot: Snapshot) -> Callable[[Request], Awaitable[Response]]:
    async def metrics(_: Request) -> Response:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Collector(await snapshot()))
        return Response(
            generate_latest(registry), media_type="text/plain; version=0.0.4; charset=utf-8"
        )

    return metrics
