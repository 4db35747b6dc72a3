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


@contextmanager
def listening() -> Iterator[int]:
    """A port another program listens on, for as long as the block lasts."""
    import socket

    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def run_egov(*args: str, data_dir: Path, port: int) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    env.update(EGOV_DATA_DIR=str(data_dir), EGOV_DEMO="true", PORT=str(port))
    return subprocess.run(
        [sys.executable, "-m", "egov.cli", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_second_demo_on_a_port_in_use_stops_at_once_and_says_so(tmp_path: Path) -> None:
    """It used to prepare a node, print "serving on" the other demo's address and exit 0."""
    data = tmp_path / "second-demo"
    with listening() as port:
        done = run_egov("demo", data_dir=data, port=port)

    assert done.returncode == 2
    assert f"127.0.0.1:{port}" in done.stderr and "PORT=" in done.stderr
    assert "cổng đang được một chương trình khác dùng" in done.stderr and "another program" in done.stderr
    assert "Traceback" not in done.stderr and "serving on" not in done.stdout
    assert not data.exists(), "nothing was prepared for a node that cannot listen"


def test_serve_on_a_port_in_use_says_so_without_retrying(tmp_path: Path) -> None:
    with listening() as port:
        started = time.monotonic()
        done = run_egov("serve", "--port", str(port), data_dir=tmp_path, port=port)

    assert done.returncode == 2 and "another program" in done.stderr
    assert time.monotonic() - started < 20, "no five bind retries"
