"""A warm `aws` for the e2e tier: the real awscli, forked from a process that has
imported it (see aws_call.py).

A cold `aws` call spends ~0.7 s of CPU importing awscli and botocore before it sends a
request; the e2e tier makes thousands. This server imports them once; for each call it
receives the caller's stdin, stdout and stderr (as file descriptors), argv, environment,
working directory and umask, forks, and the child runs `awscli.clidriver.main()` on them
exactly as the `aws` entry point does, then reports the exit code. Each call is a fresh
child of the same clean parent: nothing carries from one call to the next.

    python aws_server.py SOCKET

It exits when idle for 15 minutes or when its socket's directory is gone.
"""

import importlib
import json
import os
import signal
import socket
import sys
import time

import awscli
import awscli.clidriver
import awscli.handlers  # noqa: F401  (every customization, as a call loads them)

import warm


def child(conn, request, fds):
    """Runs one call in the forked child and never returns."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.umask(request["umask"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    importlib.reload(awscli)  # its data path is derived from the caller's environment
    sys.argv = ["aws"] + request["argv"]
    try:
        code = awscli.clidriver.main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    conn.sendall(f"{code}\n".encode())
    os._exit(code & 0xFF)


def receive(conn):
    """The request and the caller's three descriptors: an 8-byte length, then JSON."""
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    size = int.from_bytes(data[:8], "big")
    data = data[8:]
    while len(data) < size:
        more = conn.recv(size - len(data))
        if not more:
            raise EOFError("the caller went away")
        data += more
    return json.loads(data), fds


def main():
    sock_path = sys.argv[1]
    server, touch = warm.listen(sock_path, [os.path.dirname(sock_path)])
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    while True:
        conn, _ = server.accept()
        touch()
        try:
            request, fds = receive(conn)
        except (OSError, EOFError, ValueError):
            conn.close()
            continue
        if os.fork() == 0:
            server.close()
            child(conn, request, fds)
        conn.close()
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    main()
