"""Hands one `hdfs` or `spark-sql` call to a long-lived JVM (jvm_server.py).

    python -S jvm_call.py hdfs|spark-sql ARGS...

Used by tools/hdfs and tools/spark-sql when ARCHC_E2E_WARM names the directory of the
servers (scripts/e2e-services.sh sets it and stops them on exit). The server is started
on first use, in its own session (a test's kill -9 of a script's process group leaves
it running): for hdfs one per locale, time zone and umask, for spark-sql one per metastore,
restarted when a call comes with another locale or time zone. Prints what the call
printed and exits with its code; exits 218 with nothing run when the call must go to
the real command (no server directory, ARCHC_E2E_COLD set, or the server says the
call is not one it runs exactly as the command line does).
"""

import base64
import hashlib
import json
import os
import sys

import warm

HERE = os.path.dirname(os.path.realpath(__file__))
START_SECONDS = 300


def locale_of(env):
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        if env.get(name):
            return env[name]
    return "C"


def server_command(mode, sock_path, env):
    python = os.path.join(HERE, "../../.venv/bin/python")
    command = [python, os.path.join(HERE, "jvm_server.py"), mode, sock_path, env]
    if mode == "hdfs":
        lib = os.path.join(HERE, "../../.venv/lib")
        jars = [os.path.join(lib, d, "site-packages/pyspark/jars") for d in sorted(os.listdir(lib))]
        return command + [os.path.join(HERE, "hadoop-conf"), jars[0]]
    return command + [os.environ["SPARK_CONF_DIR"]]


def server_env(mode):
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
           "HOME": os.environ.get("HOME", "/root"), "LC_ALL": locale_of(os.environ)}
    for name in ("TZ", "JAVA_HOME", "SPARK_CONF_DIR") if mode == "spark-sql" else ("TZ", "JAVA_HOME"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def ask(client, request):
    with client:
        client.sendall(json.dumps(request).encode() + b"\n")
        line = client.makefile("rb").readline()
    if not line:
        sys.stderr.write("(e2e): a JVM server stopped during the call\n")
        sys.exit(127)
    return json.loads(line)


def main():
    mode, argv = sys.argv[1], sys.argv[2:]
    home = os.environ.get("ARCHC_E2E_WARM")
    if not home or not os.path.isdir(home):
        sys.exit(warm.COLD)
    env = f"LC_ALL={locale_of(os.environ)} TZ={os.environ.get('TZ', '-')}"
    if mode == "hdfs":
        # A server creates files with the umask of the caller that started it. (Spark's
        # statements here write only the metastore, which is not keyed by it.)
        mask = os.umask(0)
        os.umask(mask)
        env += f" umask={mask:o}"
    if mode == "spark-sql":
        # One server per metastore, whatever its locale: Derby admits one JVM.
        key = "spark-sql\0" + os.path.realpath(os.environ["SPARK_CONF_DIR"])
        argv = argv[:2] + [os.path.abspath(a) for a in argv[2:3]] + argv[3:]
    else:
        key = "hdfs\0" + env
    sock_path = os.path.join(home, f"{mode}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.sock")
    if os.environ.get("ARCHC_E2E_COLD"):
        client = mode == "spark-sql" and warm.connect(sock_path)
        if client:
            ask(client, {"stop": True, "env": env})
        sys.exit(warm.COLD)

    def started():
        command = server_command(mode, sock_path, env)
        return warm.start(sock_path, command, server_env(mode), START_SECONDS, mode)

    reply = ask(warm.connect(sock_path) or started(), {"argv": argv, "env": env})
    if reply.get("stopped"):
        reply = ask(started(), {"argv": argv, "env": env})
    if reply.get("cold") or reply.get("stopped"):
        sys.exit(warm.COLD)
    sys.stdout.buffer.write(base64.b64decode(reply["out"]))
    sys.stdout.flush()
    sys.stderr.buffer.write(base64.b64decode(reply["err"]))
    sys.exit(reply["code"])


if __name__ == "__main__":
    main()
