"""``python -m dashboards.grafana [--check]``: write (or check) the Grafana dashboards."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboards.grafana import CONFIG, OUT_DIR, dashboards
from seamscope.network import load_network


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboards.grafana", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the committed files are stale"
    )
    parser.add_argument(
        "--config", type=Path, default=CONFIG, help=f"network config (default: {CONFIG.name})"
    )
    args = parser.parse_args(argv)
    wanted = dashboards(load_network(args.config))
    present = {p.name: p.read_text("utf-8") for p in OUT_DIR.glob("*.json")}
    stale = sorted(n for n in wanted.keys() | present.keys() if wanted.get(n) != present.get(n))
    if args.check:
        if stale:
            print(
                f"stale Grafana dashboards: {', '.join(stale)}; run `python -m dashboards.grafana`",
                file=sys.stderr,
            )
            return 1
        print(f"{len(wanted)} Grafana dashboards are up to date")
        return 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name in present.keys() - wanted.keys():
        (OUT_DIR / name).unlink()
    for name, text in wanted.items():
        (OUT_DIR / name).write_text(text, "utf-8")
    print(f"wrote {len(wanted)} dashboards to {OUT_DIR} ({len(stale)} changed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
