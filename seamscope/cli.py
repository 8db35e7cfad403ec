"""The ``seamscope`` command line. Every query command takes ``--json`` for machines."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from seamscope import __version__
from seamscope.embedded import RunState
from seamscope.network import Network, NetworkConfigError, load_network
from seamscope.settings import Settings
from streams.calendar import parse_duration

log = logging.getLogger("seamscope")


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def load_settings(**overrides: Any) -> Settings:
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        problems = "\n".join(
            f"  - SEAMSCOPE_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        raise CliError(f"invalid settings:\n{problems}") from exc
    return settings


def with_running_demo(settings: Settings) -> Settings:
    """Fill in the embedded broker's address when a demo is running and none was given."""
    if settings.kafka_bootstrap:
        return settings
    state = RunState.read(settings.run_dir)
    if state is None:
        return settings
    return settings.model_copy(update={"kafka_bootstrap": state.kafka_bootstrap})


def network_of(settings: Settings) -> Network:
    try:
        return load_network(settings.config)
    except NetworkConfigError as exc:
        raise CliError(str(exc)) from exc


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", stream=sys.stderr
    )
    if level != "DEBUG":  # the Kafka client narrates every rebalance at INFO
        logging.getLogger("aiokafka").setLevel(logging.WARNING)


# -- commands -------------------------------------------------------------------------
def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from streams.worker import run_worker

    settings = with_running_demo(settings)
    if not settings.kafka_bootstrap:
        raise CliError("set SEAMSCOPE_KAFKA_BOOTSTRAP=host:port, or start `seamscope demo`")
    require_metrics(settings)
    return run_worker(settings, network_of(settings))


def cmd_sink(args: argparse.Namespace, settings: Settings) -> int:
    from sinks.migrate import migrate
    from sinks.runner import SinkRunner

    settings = with_running_demo(settings)
    if not settings.kafka_bootstrap:
        raise CliError("set SEAMSCOPE_KAFKA_BOOTSTRAP=host:port, or start `seamscope demo`")
    require_metrics(settings)
    store = open_store(settings)
    migrate(store)
    runner = SinkRunner(settings, store)

    async def main() -> None:
        import signal

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, runner.stop)
        await runner.run()

    asyncio.run(main())
    store.close()
    print(f"sink stopped after {runner.sink.rows_written} rows in {runner.flushes} flushes")
    return 0


def require_metrics(settings: Settings) -> None:
    """The metrics exporter the settings name can be set up (else say how to)."""
    from seamscope.telemetry import TelemetryError, require_exporter

    try:
        require_exporter(settings.metrics_exporter)
    except TelemetryError as exc:
        raise CliError(str(exc)) from exc


def open_store(settings: Settings) -> Any:
    from sinks.store import Store, StoreError

    if settings.is_embedded_store and RunState.read(settings.run_dir) is not None:
        raise CliError(
            "a running `seamscope demo` owns the embedded store; stop it first, "
            "or point SEAMSCOPE_CLICKHOUSE_URL at another folder or a ClickHouse server"
        )
    try:
        return Store(settings.clickhouse_url.get_secret_value(), settings.clickhouse_database)
    except StoreError as exc:
        raise CliError(str(exc)) from exc


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from sinks.migrate import migrate

    store = open_store(settings)
    applied = migrate(store)
    store.close()
    names = [f"{m.version:04d}_{m.name}" for m in applied]
    if args.json:
        print(json.dumps({"applied": names}))
    else:
        print("applied: " + ", ".join(names) if names else "schema is up to date")
    return 0


def cmd_normalize(args: argparse.Namespace, settings: Settings) -> int:
    from schemas.adapters import FORMATS
    from schemas.adapters.base import PartnerContext
    from schemas.canonical import Ownership, PartnerType

    if args.list_formats:
        print("\n".join(sorted(FORMATS)))
        return 0
    if not args.partner_format or not args.file:
        raise CliError("give --partner-format F and a FILE (or --list-formats)")
    if args.partner_format not in FORMATS:
        raise CliError(
            f"unknown format {args.partner_format!r}; known: {', '.join(sorted(FORMATS))}"
        )
    try:
        value = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {args.file}: {exc.strerror}") from exc
    headers = {}
    for h in args.header or []:
        name, sep, val = h.partition("=")
        if not sep:
            raise CliError(f"--header takes name=value, got {h!r}")
        headers[name.strip().lower()] = val.strip()
    ctx = PartnerContext(
        partner_id=args.partner or args.partner_format,
        partner_type=PartnerType(args.partner_type) if args.partner_type else _guess_type(args),
        node_id=args.node or "cli",
        ownership=Ownership(args.ownership),
        partner_format=args.partner_format,
        carrier=args.carrier or "",
    )
    from streams.pipeline import normalize_record

    record = _CliRecord(str(args.file), value, [(k, v.encode()) for k, v in headers.items()])
    result, _ = normalize_record(record, ctx, datetime.now(UTC))
    if args.json:
        print(json.dumps({
            "events": [json.loads(e.model_dump_json()) for e in result.events],
            "dead_letter": {"reason": "; ".join(result.problems)} if result.problems else None,
        }, indent=2))  # fmt: skip
    else:
        for e in result.events:
            print(e.model_dump_json(indent=2))
        if result.problems:
            print("dead letter: " + "; ".join(result.problems), file=sys.stderr)
    return 1 if result.problems and not result.events else 0


class _CliRecord:
    def __init__(self, topic: str, value: bytes, headers: list[tuple[str, bytes]]) -> None:
        self.topic, self.partition, self.offset = topic, 0, 0
        self.value, self.headers = value, headers


def _guess_type(args: argparse.Namespace) -> Any:
    from schemas.canonical import PartnerType

    kinds = {"shopify": PartnerType.marketplace, "epcis": PartnerType.warehouse}
    return kinds.get(args.partner_format, PartnerType.carrier)


def cmd_journey(args: argparse.Namespace, settings: Settings) -> int:
    journeys = query_journeys(args.id, settings, args.api)
    if args.trace and journeys:
        return trace_journeys(journeys, args.trace)
    if args.json:
        print(json.dumps({"query": args.id, "journeys": journeys}, indent=2))
    elif not journeys:
        print(f"no journey found for {args.id!r}")
    else:
        for j in journeys:
            print(render_timeline(j))
    return 0 if journeys else 1


def trace_journeys(journeys: list[dict[str, Any]], kind: str) -> int:
    """Export the journeys as traces (spans on standard output for ``console``); say where."""
    from seamscope.telemetry import TelemetryError
    from seamscope.traces import export_journeys, span_exporter

    try:
        exporter = span_exporter(kind)
    except TelemetryError as exc:
        raise CliError(str(exc)) from exc
    try:
        exported = export_journeys(journeys, exporter)
    except TelemetryError as exc:  # (the collector refused them, or was not reached)
        raise CliError(f"{exc}; see the log above") from exc
    for j, (trace_id, spans) in zip(journeys, exported, strict=True):
        print(f"journey {j['journey_id']}: trace {trace_id}, {spans} spans", file=sys.stderr)
    return 0


def query_journeys(any_id: str, settings: Settings, api: str | None) -> list[dict[str, Any]]:
    """Ask a running demo's API when there is one, else open the store directly."""
    url = api or settings.api_url
    if not url and settings.is_embedded_store:
        state = RunState.read(settings.run_dir)
        url = state.api_url if state else ""
    if url:
        q = urllib.parse.urlencode({"id": any_id})
        try:
            with urllib.request.urlopen(f"{url}/api/journey?{q}", timeout=30) as resp:  # noqa: S310
                return list(json.load(resp)["journeys"])
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return []
            raise CliError(f"the query API at {url} answered {exc.code}: {exc.read()!r}") from exc
        except urllib.error.URLError as exc:
            raise CliError(f"cannot reach the query API at {url}: {exc.reason}") from exc
    from sinks.queries import find_journeys

    store = open_store(settings)
    try:
        return [j.to_json() for j in find_journeys(store, any_id)]
    finally:
        store.close()


def render_timeline(j: dict[str, Any]) -> str:
    ids = ", ".join(f"{i['type']} {i['value']}" for i in j["identifiers"])
    lines = [f"journey {j['journey_id']}", f"  identifiers: {ids}"]
    if j.get("stage"):
        s = j["stage"]
        at = datetime.fromisoformat(s["since"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        overlay = f", {s['overlay']}" if s["overlay"] else ""
        lines.append(f"  now: {s['milestone']}{overlay} since {at} UTC ({s['partner_id']})")
    if j["aliases"]:
        lines.append(f"  merged from: {', '.join(j['aliases'])}")
    lines.append(
        f"  {'occurred (UTC)':<20} {'milestone':<18} {'partner':<14} {'node (ownership)':<30}"
    )
    for e in j["events"]:
        at = datetime.fromisoformat(e["occurred_at"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        node = f"{e['node_id']} ({e['ownership']})"
        detail = e["raw_status"] or e["description"]
        if e["exception_reason"]:
            detail += f" [{e['exception_reason']} / {e['exception_responsible']}]"
        lines.append(f"  {at:<20} {e['milestone']:<18} {e['partner_id']:<14} {node:<30} {detail}")
    return "\n".join(lines)


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    from streams import kafka
    from streams.simulate import Disorder, Simulator, ground_truth, publish

    settings = with_running_demo(settings)
    network = network_of(settings)
    sim = Simulator(network, seed=args.seed)
    if args.disorder:
        steps = sim.plan_disorder(args.orders, datetime.now(UTC), Disorder(), days=args.days)
    else:
        steps = sim.plan_history(args.orders, datetime.now(UTC), days=args.days)
    if args.truth:
        truth = ground_truth(network, steps)
        with args.truth.open("w") as f:
            for event_id, orders in sorted(truth.items()):
                f.write(json.dumps({"event_id": event_id, "orders": sorted(orders)}) + "\n")
        print(f"wrote the ground truth of {len(truth)} events to {args.truth}", file=sys.stderr)

    async def main() -> int:
        await kafka.ensure_network_topics(settings, network.raw_topics)
        producer = kafka.producer(settings)
        await producer.start()
        try:
            sent = 0
            for i in range(0, len(steps), 2000):
                sent += await publish(producer, steps[i : i + 2000])
                print(f"published {sent} payloads", file=sys.stderr)
            return sent
        finally:
            await producer.stop()

    sent = asyncio.run(main())
    numbers = sorted({s.order.order_number for s in steps})
    if args.json:
        print(json.dumps({"payloads": sent, "orders": numbers}))
    else:
        print(f"published {sent} payloads for {len(numbers)} orders, e.g. order {numbers[0]}")
    return 0


def cmd_orphans(args: argparse.Namespace, settings: Settings) -> int:
    from sinks.queries import find_orphans

    orphans = via_api_or_store(
        settings, args.api, "/api/orphans", {"older_than_s": args.older_than}, find_orphans
    )
    if args.json:
        print(json.dumps({"orphans": orphans}, indent=2))
    else:
        print(f"{len(orphans)} orphan events older than {args.older_than}s")
        for o in orphans:
            keys = ", ".join(o["identifier_keys"])
            print(f"  {o['occurred_at']}  {o['milestone']:<18} {o['partner_id']:<14} {keys}")
    return 0


def parse_since(text: str) -> datetime:
    """An ISO time (``2026-11-21T08:00Z``) or an age (``90m``, ``6h``, ``2d``) ago from now."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip()
    if text[:-1].isdigit() and text[-1:] in units:
        return datetime.now(UTC) - timedelta(seconds=int(text[:-1]) * units[text[-1]])
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CliError(f"--since takes an ISO time or an age like 6h or 2d, got {text!r}") from exc
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from streams.replay import replay_dead_letters

    settings = with_running_demo(settings)
    network = network_of(settings)
    since = parse_since(args.since) if args.since else None
    if args.partner and args.partner not in {p.id for p in network.partners}:
        raise CliError(f"no partner {args.partner!r} in {settings.config}")
    report = asyncio.run(replay_dead_letters(settings, network, args.partner, since))
    if args.json:
        print(json.dumps({
            "outcomes": dict(report.outcomes),
            "replays": [json.loads(r.model_dump_json()) for r in report.replays],
        }, indent=2))  # fmt: skip
        return 0
    total = sum(report.outcomes.values())
    summary = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(report.outcomes.items()))
    print(f"replayed {total} dead letters: {summary or 'none matched'}")
    for r in report.replays:
        detail = f"-> {r.republished_to} ({r.events} events)" if r.republished_to else r.reason
        print(f"  {r.dead_letter_id}  {r.partner_id:<14} {r.outcome:<13} {detail}")
    return 0


def cmd_stuck(args: argparse.Namespace, settings: Settings) -> int:
    from sinks.queries import find_stuck

    age = int(parse_duration(args.older_than).total_seconds()) if args.older_than else 0
    params = {"partner": args.partner, "node": args.node, "stage": args.stage, "older_than_s": age}
    rows = via_api_or_store(settings, args.api, "/api/stuck", params, find_stuck)
    if args.json:
        print(json.dumps({"stuck": rows}, indent=2))
        return 0
    more = (
        " (the oldest 1000: narrow with --partner, --node or --stage)" if len(rows) >= 1000 else ""
    )
    print(f"{len(rows)} stuck journeys{more}")
    for r in rows:
        why = "past SLA" if r["why"] == "sla_breach" else "partner silent"
        print(
            f"  order {r['order'] or '?':<10} {r['stage']:<16} {why:<15} held by "
            f"{r['held_by']} ({r['node']}) since {r['since']}, due {r['deadline']}; "
            f"last: {r['last_milestone']} at {r['last_event_at']} by {r['last_partner']}"
        )
    return 0


def cmd_alerts(args: argparse.Namespace, settings: Settings) -> int:
    from sinks.queries import find_alerts

    rows = via_api_or_store(
        settings, args.api, "/api/alerts", {"open_only": args.open}, find_alerts
    )
    if args.json:
        print(json.dumps({"alerts": rows}, indent=2))
        return 0
    print(f"{len(rows)} {'open ' if args.open else ''}alerts")
    for r in rows:
        subject = r["journey_id"] or f"{r['journeys']} journeys"
        print(f"  {r['status']:<9} {r['kind']:<15} {r['rule']:<14} {r['partner_id']:<12} "
              f"{subject}  updated {r['updated_at']}")  # fmt: skip
    return 0


def via_api_or_store(
    settings: Settings, api: str | None, path: str, params: dict[str, Any],
    query: Callable[..., list[dict[str, Any]]],
) -> list[dict[str, Any]]:  # fmt: skip
    """Ask a running demo's API when there is one, else open the store directly."""
    url = api or settings.api_url
    if not url and settings.is_embedded_store:
        state = RunState.read(settings.run_dir)
        url = state.api_url if state else ""
    if url:
        q = urllib.parse.urlencode({k: v for k, v in params.items() if v not in (None, "")})
        try:
            with urllib.request.urlopen(f"{url}{path}?{q}", timeout=30) as resp:  # noqa: S310
                return list(json.load(resp)["rows"])
        except urllib.error.HTTPError as exc:
            raise CliError(f"the query API at {url} answered {exc.code}: {exc.read()!r}") from exc
        except urllib.error.URLError as exc:
            raise CliError(f"cannot reach the query API at {url}: {exc.reason}") from exc
    store = open_store(settings)
    try:
        return query(store, **params)
    finally:
        store.close()


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    from seamscope.api import TokenRequired, serve

    token = settings.web_token.get_secret_value() if settings.web_token else None
    # The network config gives the SLA panels their stages; without one they stay empty.
    network = network_of(settings) if settings.config.exists() else None
    if network is None:
        log.warning("no network config at %s: the SLA panels will be empty", settings.config)
    store = open_store(settings)

    async def main() -> None:
        import signal

        try:
            runner, url = await serve(store, args.host, args.port, token, network)
        except TokenRequired as exc:
            raise CliError(str(exc)) from exc
        except OSError as exc:
            raise CliError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc
        print(f"web UI and query API on {url}/ (Ctrl-C stops)", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await runner.cleanup()

    try:
        asyncio.run(main())
    finally:
        store.close()
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from seamscope.demo import DemoError, run_demo
    from seamscope.embedded import EmbeddedBrokerError

    require_metrics(settings)
    try:
        return run_demo(settings, network_of(settings), args)
    except (DemoError, EmbeddedBrokerError) as exc:
        raise CliError(str(exc)) from exc


# -- parser ---------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="seamscope", description=__doc__)
    p.add_argument("--version", action="version", version=f"seamscope {__version__}")
    p.add_argument("--config", type=Path, help="network config (default: seamscope.yaml)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, fn: Callable[..., int], help_: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.add_argument("--json", action="store_true", help="machine-readable output")
        sp.set_defaults(fn=fn)
        return sp

    d = add("demo", cmd_demo, "run the embedded stack with simulated traffic until Ctrl-C")
    d.add_argument("--orders", type=int, default=200, help="orders of history to start with")
    d.add_argument("--rate", type=float, default=2.0, help="new live orders per second")
    d.add_argument("--speed", type=float, default=3600.0, help="simulated seconds per second")
    d.add_argument("--seed", type=int, default=7)
    d.add_argument("--keep-data", action="store_true", help="keep the previous demo's store")
    d.add_argument(
        "--stuck-rate", type=float, default=0.1,
        help="share of the history's orders that get stuck (for the stuck and alerts views)",
    )  # fmt: skip
    add("worker", cmd_worker, "run the stream worker (normalize, stitch)")
    add("sink", cmd_sink, "run the ClickHouse sink")
    add("migrate", cmd_migrate, "apply ClickHouse schema migrations")
    n = add("normalize", cmd_normalize, "show the canonical events (or dead letter) for a payload")
    n.add_argument("file", nargs="?", help="payload file, or - for standard input")
    n.add_argument("--partner-format", "-f", help="format name (see --list-formats)")
    n.add_argument("--list-formats", action="store_true", help="print every supported format")
    n.add_argument("--header", action="append", help="transport header name=value (repeatable)")
    n.add_argument("--partner", help="partner id (default: the format name)")
    n.add_argument("--partner-type", choices=["marketplace", "warehouse", "carrier"])
    n.add_argument("--node", help="node id")
    n.add_argument("--ownership", choices=["owned", "partner"], default="partner")
    n.add_argument("--carrier", help="carrier code for carrier formats")
    j = add("journey", cmd_journey, "the timeline of the journey an identifier belongs to")
    j.add_argument("id", help="any identifier: order number, tracking number, SSCC, ...")
    j.add_argument("--api", help="query API URL of a running demo (default: found in run folder)")
    j.add_argument(
        "--trace", choices=("console", "otlp"),
        help="export the journey as an OpenTelemetry trace (a span per stage) instead: "
        "console prints the spans as JSON; otlp sends them to OTEL_EXPORTER_OTLP_ENDPOINT",
    )  # fmt: skip
    s = add("simulate", cmd_simulate, "publish realistic partner traffic for N orders")
    s.add_argument("--orders", type=int, default=100)
    s.add_argument("--days", type=float, default=3.0, help="spread orders over the past N days")
    s.add_argument("--seed", type=int, default=7)
    s.add_argument(
        "--disorder", action="store_true",
        help="shuffled arrival, duplicates, split shipments, relabels, cancellations, clock skew",
    )  # fmt: skip
    s.add_argument("--truth", type=Path, help="write the ground truth (event -> order) as JSONL")
    r = add("replay-deadletters", cmd_replay, "re-process dead letters after a mapping fix")
    r.add_argument("--partner", help="only this partner's dead letters")
    r.add_argument("--since", help="only those since an ISO time or an age (6h, 2d)")
    st = add("stuck", cmd_stuck, "journeys past their SLA or held by a silent partner")
    st.add_argument("--partner")
    st.add_argument("--node")
    st.add_argument("--stage", help="an SLA stage id from seamscope.yaml")
    st.add_argument("--older-than", help="stuck since at least this long (90m, 6h, 2d)")
    st.add_argument("--api", help="query API URL of a running demo")
    al = add("alerts", cmd_alerts, "SLA breaches, silent partners and incidents")
    al.add_argument("--open", action="store_true", help="only open and escalated alerts")
    al.add_argument("--api", help="query API URL of a running demo")
    o = add("orphans", cmd_orphans, "events no order has claimed yet")
    o.add_argument("--older-than", type=int, default=3600, help="seconds since ingestion")
    o.add_argument("--api", help="query API URL of a running demo")
    w = add("web", cmd_web, "serve the web UI and query API over a store")
    w.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    w.add_argument("--port", type=int, default=8080)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        overrides = {"config": args.config} if args.config else {}
        settings = load_settings(**overrides)
        setup_logging(settings.log_level)
        return int(args.fn(args, settings))
    except CliError as exc:
        print(f"seamscope: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
