"""What the e2e tier's warm servers (aws_server.py, jvm_server.py) and the shims that call
them (aws_call.py, jvm_call.py) share: a Unix socket per server in ARCHC_E2E_WARM, a
start-once under a lock, and an exit when the server is idle or its directories are gone.
Standard library only: the callers run under `python -S`.
"""

import fcntl
import os
import socket
import subprocess
import sys
import threading
import time

COLD = 218
IDLE_SECONDS = 900


def connect(sock_path):
    """A connection to the server at `sock_path`, or None when none listens there."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.connect(sock_path)
        return client
    except OSError:
        client.close()
        return None


def start(sock_path, command, env, seconds, name):
    """The connection to the server, started (once, under a lock) when it is not up: in
    its own session, logging to <socket>.log, its pid in <socket>.pid (the harness kills
    that process group on exit)."""
    base = sock_path[:-len(".sock")]
    with open(sock_path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        client = connect(sock_path)
        if client:
            return client
        if os.path.exists(sock_path):
            os.unlink(sock_path)
        with open(base + ".log", "ab") as log:
            server = subprocess.Popen(command, env=env, cwd=os.path.dirname(sock_path),
                                      stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                      start_new_session=True)
        with open(base + ".pid", "w") as pid:
            pid.write(f"{server.pid}\n")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            client = connect(sock_path)
            if client or server.poll() is not None:
                break
            time.sleep(0.05)
        if not client:
            server.kill()
            sys.stderr.write(f"{name} (e2e): its warm server did not start, see {base}.log\n")
            sys.exit(127)
        return client


def listen(sock_path, watched):
    """The server's listening socket, bound under a temporary name and renamed into place
    once it accepts; and a watchdog that ends the process when it has been idle for
    IDLE_SECONDS or a directory in `watched` is gone. Returns (socket, touch), where
    touch() marks the server busy."""
    last = [time.monotonic()]

    def watchdog():
        while True:
            time.sleep(1)
            gone = any(not os.path.isdir(d) for d in watched)
            if gone or time.monotonic() - last[0] > IDLE_SECONDS:
                os._exit(0)

    threading.Thread(target=watchdog, daemon=True).start()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(sock_path + ".tmp"):
        os.unlink(sock_path + ".tmp")
    server.bind(sock_path + ".tmp")
    server.listen(64)
    os.rename(sock_path + ".tmp", sock_path)

    def touch():
        last[0] = time.monotonic()

    return server, touch
