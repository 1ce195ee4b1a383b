"""Hands one `aws` call to the warm awscli of aws_server.py.

    python -S aws_call.py ARGS...

Used by tools/aws when ARCHC_E2E_WARM names the directory of the tier's warm servers
(scripts/e2e-services.sh sets it and stops them on exit). The server, one per locale
(Python fixes its stdio encoding at start-up), is started on first use in its own
session, so a test's kill -9 of a script's process group leaves it running. The call
runs on this process's own stdin, stdout and stderr, in its directory, environment and
umask; this process exits with its code.
Exits 218 with nothing run when ARCHC_E2E_WARM is not set or ARCHC_E2E_COLD is.
"""

import hashlib
import json
import os
import socket
import sys

import warm

HERE = os.path.dirname(os.path.realpath(__file__))


def main():
    home = os.environ.get("ARCHC_E2E_WARM")
    if not home or os.environ.get("ARCHC_E2E_COLD") or not os.path.isdir(home):
        sys.exit(warm.COLD)
    locale = [os.environ.get(n, "") for n in ("LC_ALL", "LC_CTYPE", "LANG", "PYTHONIOENCODING", "PYTHONUTF8")]
    key = "aws\0" + "\0".join(locale)
    sock_path = os.path.join(home, f"aws-{hashlib.sha256(key.encode()).hexdigest()[:16]}.sock")
    env = {k: v for k, v in os.environ.items() if k in ("LC_ALL", "LC_CTYPE", "LANG", "PYTHONIOENCODING", "PYTHONUTF8", "HOME", "PATH")}
    server = [os.path.join(HERE, "../../.venv/bin/python"), os.path.join(HERE, "aws_server.py"), sock_path]
    client = warm.connect(sock_path) or warm.start(sock_path, server, env, 60, "aws")
    mask = os.umask(0)
    os.umask(mask)
    request = {"argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd(), "umask": mask}
    payload = json.dumps(request).encode()
    data = len(payload).to_bytes(8, "big") + payload
    with client:
        sent = socket.send_fds(client, [data], [0, 1, 2])
        client.sendall(data[sent:])
        line = client.makefile("rb").readline()
    if not line:
        sys.stderr.write("aws (e2e): the warm server's child died during the call\n")
        sys.exit(127)
    sys.exit(int(line) & 0xFF)


if __name__ == "__main__":
    main()
