"""A long-lived JVM behind the e2e tier's `hdfs` and `spark-sql` (see jvm_call.py).

A cold `hdfs dfs` call costs ~1.5 s of JVM start-up and a cold `spark-sql` 20-30 s; the
e2e tier makes thousands of them. One server keeps one JVM per tool, configuration,
locale and time zone, and runs the code the command line runs:

- hdfs: `ToolRunner.run(new FsShell(conf), args)`, as FsShell's main does, with
  System.out and System.err captured for the call.
- spark-sql -S -f FILE: the file is read as Hive's CLI reads it (lines starting with `--`
  dropped), split into statements as the spark-sql CLI splits them (quotes, comments,
  a trailing backslash), and each statement runs through SparkSession.sql in a fresh
  session (no state carried from one call to the next) and is printed with
  HiveResult.hiveResultString, as SparkSQLDriver prints it. The first failing statement
  prints its message and ends the call with exit code 1.

A request the server cannot run exactly as the command line would (a CLI command such
as `set` or `source`, non-ASCII text) is answered "cold" before anything runs, and the
caller starts the real command instead (a spark-sql server stops first: Derby lets one
JVM at a time into a metastore).

    python jvm_server.py hdfs SOCKET ENV HADOOP_CONF_DIR JARS_DIR
    python jvm_server.py spark-sql SOCKET ENV SPARK_CONF_DIR

ENV is the locale and time zone the server runs with; a spark-sql request from another
one stops the server (the caller starts one with its own).

It exits when idle for 15 minutes, or when its socket's directory (or, for spark-sql,
the configuration directory of the test case) is gone.
"""

import base64
import json
import os
import re
import socket
import sys
import traceback

import warm

CLI_COMMANDS = {"set", "reset", "dfs", "add", "list", "delete", "compile", "reload",
                "crypto", "quit", "exit", "source"}


def split_statements(text):
    """Statements of `text` split at `;` outside quotes and comments, as spark-sql does."""
    out, begin, in_stmt = [], 0, False
    single = double = line_comment = escape = False
    depth, leaving = 0, False
    for i, c in enumerate(text):
        if leaving:
            depth, leaving = depth - 1, False
        in_comment = line_comment or depth > 0
        if c == "'" and not in_comment:
            if not escape and not double:
                single = not single
        elif c == '"' and not in_comment:
            if not escape and not single:
                double = not double
        elif c == "-":
            if not (single or double or in_comment) and text[i + 1:i + 2] == "-":
                line_comment = True
        elif c == ";":
            if not (single or double or in_comment):
                if in_stmt:
                    out.append(text[begin:i])
                begin, in_stmt = i + 1, False
                escape = False
                continue
        elif c == "\n":
            if not escape:
                line_comment = False
        elif c == "/" and not line_comment and not (single or double):
            if depth > 0 and text[i - 1] == "*":
                leaving = True
            elif text[i + 1:i + 2] == "*":
                depth += 1
        escape = False if escape else c == "\\"
        in_comment = line_comment or depth > 0
        in_stmt = in_stmt or (not in_comment and i > begin and c > " ")
    if not (leaving and depth == 1) and (in_stmt or depth > 0):
        out.append(text[begin:])
    return out


def cli_text(raw):
    """The text Hive's CLI hands on for `-f`: every line not starting with `--`."""
    lines = re.split(r"\r\n|\r|\n", raw)
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(line + "\n" for line in lines if not line.startswith("--"))


def statements(raw):
    """The statements spark-sql runs for a file, or None when the CLI would not hand one
    of them to Spark SQL (its own commands)."""
    result, pending = [], ""
    for part in split_statements(cli_text(raw)):
        if part.endswith("\\"):
            pending += part[:-1] + ";"
            continue
        command, pending = pending + part, ""
        if not command.strip():
            continue
        tokens = command.strip().split()
        first = tokens[0].lower()
        from_delete = first == "delete" and len(tokens) > 1 and tokens[1].lower() == "from"
        if (first in CLI_COMMANDS and not from_delete) or command.strip().startswith("!"):
            return None
        result.append(command)
    return result


class Hdfs:
    shared = False

    def __init__(self, conf_dir, jars):
        from py4j.java_gateway import GatewayParameters, JavaGateway, launch_gateway
        port = launch_gateway(classpath=f"{conf_dir}:{jars}/*", die_on_exit=True,
                              javaopts=["-XX:TieredStopAtLevel=1"])
        self.gateway = JavaGateway(gateway_parameters=GatewayParameters(port=port))
        self.jvm = self.gateway.jvm
        self.conf = self.jvm.org.apache.hadoop.conf.Configuration()

    def stop(self):
        pass

    def run(self, argv):
        if argv[:1] != ["dfs"] or any(not a.isascii() or a == "-" for a in argv):
            return None
        args = argv[1:]
        if any(not a.startswith(("-", "/")) and "://" not in a for a in args):
            return None
        jvm = self.jvm
        out, err = jvm.java.io.ByteArrayOutputStream(), jvm.java.io.ByteArrayOutputStream()
        stdout, stderr = jvm.System.out, jvm.System.err
        jvm.System.setOut(jvm.java.io.PrintStream(out, True))
        jvm.System.setErr(jvm.java.io.PrintStream(err, True))
        try:
            array = self.gateway.new_array(jvm.java.lang.String, len(args))
            for i, a in enumerate(args):
                array[i] = a
            shell = jvm.org.apache.hadoop.fs.FsShell()
            conf = jvm.org.apache.hadoop.conf.Configuration(self.conf)
            code = jvm.org.apache.hadoop.util.ToolRunner.run(conf, shell, array)
            jvm.System.out.flush()
            jvm.System.err.flush()
        finally:
            jvm.System.setOut(stdout)
            jvm.System.setErr(stderr)
        return code & 0xFF, bytes(out.toByteArray()), bytes(err.toByteArray())


def error_message(e):
    """What the command line prints for a failing statement: the Java exception's message."""
    java = getattr(e, "java_exception", None) or getattr(e, "_origin", None)
    return str(java.getMessage()) if java is not None else str(e)


class SparkSql:
    """One per metastore: Derby lets one JVM at a time in, so the server stops its JVM
    before a call that must run elsewhere (the command line, or a server with another
    locale or time zone)."""

    shared = True

    def __init__(self):
        from pyspark.sql import SparkSession
        self.spark = SparkSession.builder.enableHiveSupport().getOrCreate()
        self.jvm = self.spark._jvm

    def stop(self):
        proc = self.spark.sparkContext._gateway.proc
        proc.kill()
        proc.wait()

    def run(self, argv):
        if len(argv) != 3 or argv[:2] != ["-S", "-f"] or not os.path.isfile(argv[2]):
            return None
        with open(argv[2], "rb") as f:
            raw = f.read()
        if not raw.isascii():
            return None
        commands = statements(raw.decode("ascii"))
        if commands is None:
            return None
        session = self.spark._jsparkSession.newSession()
        result = self.jvm.org.apache.spark.sql.execution.HiveResult
        out = []
        for command in commands:
            try:
                lines = result.hiveResultString(session.sql(command).queryExecution().executedPlan())
                out.extend(lines.apply(i) + "\n" for i in range(lines.size()))
            except Exception as e:  # pyspark turns Java errors into its own classes
                return 1, "".join(out).encode(), (error_message(e) + "\n").encode()
        return 0, "".join(out).encode(), b""


def reply_to(request, engine, env):
    """The reply to one request, and whether the server must stop after it."""
    if request.get("stop") or request["env"] != env:
        return {"stopped": True}, engine.shared
    done = engine.run(request["argv"])
    if done is None:
        return {"cold": True}, engine.shared
    code, out, err = done
    return {"code": code, "out": base64.b64encode(out).decode(),
            "err": base64.b64encode(err).decode()}, False


def serve(sock_path, engine, watched, env):
    server, touch = warm.listen(sock_path, watched)
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                reply, stop = reply_to(json.loads(conn.makefile("rb").readline()), engine, env)
            except Exception:  # the caller fails with the trace, the server stays up
                trace = traceback.format_exc().encode()
                reply, stop = {"code": 70, "out": "", "err": base64.b64encode(trace).decode()}, False
            touch()
            if stop:
                engine.stop()
                os.unlink(sock_path)
                drain(server)
            conn.sendall(json.dumps(reply).encode() + b"\n")
        if stop:
            os._exit(0)


def drain(server):
    """Answers the calls already queued on a stopping server "stopped" (their callers
    start a server of their own), then closes it."""
    server.setblocking(False)
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            break
        with conn:
            conn.settimeout(5)
            try:
                conn.makefile("rb").readline()
                conn.sendall(b'{"stopped": true}\n')
            except OSError:
                pass
    server.close()


def main():
    mode, sock_path, env = sys.argv[1], sys.argv[2], sys.argv[3]
    home = os.path.dirname(sock_path)
    if mode == "hdfs":
        engine, watched = Hdfs(sys.argv[4], sys.argv[5]), [home]
    else:
        engine, watched = SparkSql(), [home, sys.argv[4]]
    serve(sock_path, engine, watched, env)


if __name__ == "__main__":
    main()
