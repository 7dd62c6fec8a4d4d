"""Real servers on loopback for the tests: `mkgraph serve` and Oxigraph's own server, each in a
subprocess on a free port, stopped when the test module ends."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(command: list[str], ready_url: str, env: dict | None = None, wait: float = 60.0):
    """Start a server process and yield once `ready_url` answers; always stopped afterwards."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + wait
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited: {process.stdout.read().decode()[-2000:]}")
            try:
                if httpx.get(ready_url, timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start within {wait:g} s")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def oxigraph_program() -> str | None:
    """The `oxigraph` command from the PyPI package, beside this Python or on PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def mkgraph_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mkgraph", *args]


def environment(**extra: str) -> dict:
    return dict(os.environ, **extra)


@contextmanager
def recording_server(status: int = 204):
    """A loopback HTTP server that answers every GET, PUT and POST with `status` and records
    (method, path, Authorization header) of each; yields (its base URL, the records)."""
    import http.server
    import threading

    seen: list[tuple[str, str, str | None]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self):
            seen.append((self.command, self.path, self.headers.get("Authorization")))
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_PUT = do_POST = _record

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()
