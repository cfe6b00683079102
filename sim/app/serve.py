"""Start the workshop page as a local web server (``crsim app``).

The server binds to 127.0.0.1 unless told otherwise, runs Solara in production
mode with its bundled front-end (no CDN), and never phones home.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.scenario import resolve_scenario

LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def environment(scenario: str | None, customers: int | None = None) -> dict[str, str]:
    """Environment of the server process: the market to show first, no telemetry, no CDN."""
    env = dict(os.environ)
    env["CRSIM_APP_SCENARIO"] = (
        str(Path(scenario).resolve()) if scenario and scenario.endswith(".toml") else (scenario or "")
    )
    if customers is not None:
        env["CRSIM_APP_CUSTOMERS"] = str(customers)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    # a closed tab's session ends at once (the page's close signal); a tab whose connection dropped without
    # one is stopped at once by the page's player and freed after a minute, not Solara's default of a day
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "60s")
    env["SOLARA_THEME_SHOW_BANNER"] = "False"
    env["MPLBACKEND"] = "Agg"
    return env


def command(port: int, host: str = LOOPBACK) -> list[str]:
    """The ``solara run`` command line of the page."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.app.page",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",  # Solara would ask the package index for its latest version otherwise
    ]


def check_scenario(scenario: str | None) -> None:
    """Fail early, with the usual one-line message, on a bad scenario (before a server starts)."""
    resolve_scenario(scenario)


class PortInUse(OSError):
    """The port asked for is taken (or cannot be bound) on that address."""


def check_port(port: int, host: str = LOOPBACK) -> None:
    """Fail before anything starts if ``host:port`` cannot be bound (another server on it, say)."""
    try:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself binds
            s.bind((host, port))
    except OSError as err:
        raise PortInUse(f"cannot serve on {host}:{port}: {err.strerror or err}; choose another with --port") from None


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 90.0) -> None:
    """Wait until ``url`` answers 200, or raise if the server died or did not come up in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the app server did not answer at {url} within {timeout:.0f} s")


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop a server process: politely, then by force if it has not gone within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running_app(
    scenario: str | None = None, port: int | None = None, customers: int | None = None, log: Path | None = None
) -> Iterator[str]:
    """Run the page in a subprocess on a free loopback port; yields its URL and stops it afterwards."""
    port = port or free_port()
    url = f"http://{LOOPBACK}:{port}/"
    out: Any = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        command(port), env=environment(scenario, customers), stdout=out, stderr=subprocess.STDOUT
    )
    try:
        wait_until_up(url, process)
        yield url
    finally:
        stop(process)
        if log:
            out.close()


def serve(scenario: str | None = None, port: int = 8765, host: str = LOOPBACK) -> int:
    """Run the page in the foreground until interrupted.

    On POSIX the server replaces this process, so a signal that stops ``crsim app`` stops the server
    too and no server is left behind without its parent.
    """
    check_scenario(scenario)
    check_port(port, host)
    if not is_loopback(host):
        print(
            f"crsim: warning: --host {host}: the page has no login; anyone who can reach this address can use it "
            "(see the README: behind a reverse proxy with a password)",
            file=sys.stderr,
            flush=True,
        )
    print(f"crsim app: open http://{host}:{port}/ in a browser (Ctrl+C to stop)", file=sys.stderr, flush=True)
    cmd, env = command(port, host), environment(scenario)
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0
