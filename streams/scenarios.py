"""Live scenarios with injected failures and their ground truth, for tests and benchmarks.

``fast_network`` rescales the SLA stages so a simulated day passes in seconds;
``run_stuck_scenario`` publishes orders on time, some of them failing in the ways real
operations fail, and says which orders must end up reported as stuck.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from seamscope.network import Network

#: SLA stages in simulated hours, generous against the simulator's normal durations
#: (pick <= 6.5h, hand-off <= 4h, carrier pickup <= 2h, hand-off to delivery <= 58h).
FAST_STAGES: list[dict[str, Any]] = [
    {"id": "pick_pack", "start": "order_placed", "end": ["packed", "handed_off"],
     "holder": "warehouse", "hours": 40},
    {"id": "ship", "start": "packed", "end": ["handed_off"], "holder": "warehouse", "hours": 20},
    {"id": "carrier_pickup", "start": "handed_off",
     "end": ["picked_up", "in_transit", "out_for_delivery", "delivered"],
     "holder": "carrier", "hours": 20},
    {"id": "delivery", "start": "handed_off", "end": ["delivered", "ready_for_pickup"],
     "holder": "carrier", "hours": 100},
]  # fmt: skip


def fast_network(base: dict[str, Any], speed: float, silence_s: float) -> Network:
    """``base`` (a loaded seamscope.yaml) with SLA limits for a world ``speed`` times fast."""
    config = dict(base)
    config["sla"] = {
        "stages": [
            {k: v for k, v in s.items() if k != "hours"}
            | {"within": f"{s['hours'] * 3600 / speed:.1f}s", "working_time": False}
            for s in FAST_STAGES
        ],
        "silence": f"{silence_s:.0f}s",
        "rollup": 1000,
        "group_wait": "1s",
    }
    return Network.model_validate(config)


def write_network(network: Network, path: Path) -> Path:
    """Save ``network`` as a config file a worker can load (``SEAMSCOPE_CONFIG``)."""
    path.write_text(yaml.safe_dump(json.loads(network.model_dump_json())))
    return path
