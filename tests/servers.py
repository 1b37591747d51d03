"""Real servers for tests on loopback ports: gunicorn serving the app as production does,
and a silent server that takes connections and never answers (a hung database or Redis)."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB_PORTS = range(8001, 8010)  # the ports this suite's web servers may take


def free_port(ports=WEB_PORTS):
    """A loopback port in `ports` that nothing listens on."""
    for port in ports:
        with socket.socket() as probe:
            # As servers do: a port whose closed connections linger in TIME-WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


class SilentServer:
    """Accepts connections and holds them without a word, for `hold` seconds at most."""

    def __init__(self, hold=15):
        self.hold = hold
        self.socket = socket.create_server(("127.0.0.1", free_port()))
        self.port = self.socket.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _address = self.socket.accept()
            except OSError:  # closed
                return
            self.held.append(connection)
            threading.Timer(self.hold, connection.close).start()

    def close(self):
        self.socket.close()
        for connection in self.held:
            connection.close()


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py` in a process of its own, with the settings given."""

    def __init__(self, settings, log_path, workers=2):
        self.port = free_port()
        self.log_path = log_path
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            **settings,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(workers),
            "GUNICORN_ACCESSLOG": "",
        }
        with open(log_path, "wb") as log:  # the process writes to its own copy
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, seconds=30):
        """Wait until /healthz answers at all (any status); fail with the server's log."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited early:\n{self.log()}")
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2).close()
                return self
            except urllib.error.HTTPError:
                return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError(f"gunicorn did not answer within {seconds} s:\n{self.log()}")

    def stop(self):
        """TERM, as systemd stops it; returns gunicorn's exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        return self.process.returncode

    def log(self):
        return Path(self.log_path).read_text("utf-8", "replace")[-4000:]
