#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tiers need when it is missing
# (apt packages, a Python venv under .venv) so that every tier runs, not skips.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v rsync >/dev/null || need_apt+=(rsync)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "missing tools: ${need_apt[*]} (install them, or run as root on Debian)" >&2
    exit 2
  fi
fi

# Python tools for the lint and end-to-end tiers, in a venv beside the project.
if [ ! -x .venv/bin/sqlfluff ]; then
  echo "creating .venv with the Python test tools"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
  .venv/bin/pip install --quiet sqlfluff
fi
export PATH="$PWD/.venv/bin:$PATH"

cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
INSTA_UPDATE=no cargo test --all-targets 2>&1 | tee target/test.log
passed=$(grep -o "[0-9]* passed" target/test.log | awk "{ s += \$1 } END { print s + 0 }")
failed=$(grep -o "[0-9]* failed" target/test.log | awk "{ s += \$1 } END { print s + 0 }")
echo "tests: $passed passed, $failed failed"
