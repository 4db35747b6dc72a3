"""`egov serve`: two nodes on one machine (two demos) each keep their own gunicorn control socket."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from gunicorn.ctl.client import ControlClient

from egov.core.management.commands.serve import control_socket_args
from egov.demo_mail import free_port

START_TIMEOUT = 30.0


@contextmanager
def serving(port: int, data_dir: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`egov serve` on 127.0.0.1:port until the block ends; stopped (SIGTERM, then kill) in every case."""
    env = {**os.environ, "EGOV_DATA_DIR": str(data_dir), "EGOV_DEMO": "true"}
    command = [
        sys.executable,
        "-m",
        "egov.cli",
        "serve",
        "--port",
        str(port),
        "--workers",
        "1",
        "--threads",
        "1",
    ]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(proc, port)
        yield proc
    finally:
        stop(proc)


def wait_until_up(proc: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    stop(proc)
    raise AssertionError(
        "egov serve did not start: " + (proc.stderr.read() if proc.stderr else b"").decode()[-2000:]
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def listeners(socket_path: Path) -> list[str]:
    with ControlClient(str(socket_path), timeout=5) as client:
        return [item["address"] for item in client.send_command("show listeners")["listeners"]]


def test_two_servers_from_one_data_dir_each_answer_on_their_own_control_socket(tmp_path: Path) -> None:
    first, second = free_port(), free_port()
    with ExitStack() as stack:
        one = stack.enter_context(serving(first, tmp_path))
        stack.enter_context(serving(second, tmp_path))
        socket_one, socket_two = tmp_path / f"gunicorn-{first}.ctl", tmp_path / f"gunicorn-{second}.ctl"

        assert listeners(socket_one) == [f"http://127.0.0.1:{first}"]
        assert listeners(socket_two) == [f"http://127.0.0.1:{second}"]

        stop(one)
        assert not socket_one.exists()
        assert listeners(socket_two) == [f"http://127.0.0.1:{second}"], "stopping one left the other's socket"
        assert httpx.get(f"http://127.0.0.1:{second}/healthz", timeout=5).status_code == 200


def test_a_data_dir_too_deep_for_a_unix_socket_serves_without_a_control_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 120)

    assert control_socket_args(deep, 8000) == ["--no-control-socket"]
    assert control_socket_args(tmp_path, 8000) == ["--control-socket", str(tmp_path / "gunicorn-8000.ctl")]
