#!/usr/bin/env bash
# Fuzzes load + validate (+ plan and render for valid configs) with cargo-fuzz
# (libFuzzer, nightly toolchain), seeded with every config file under examples/.
#
#   scripts/fuzz.sh [SECONDS]     (default 300; installs cargo-fuzz when missing)
#
# A crash leaves its input in fuzz/artifacts/check/; `cargo +nightly fuzz run check FILE`
# replays it. Turn each into a regression test (tests/check.rs) before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz > /dev/null || cargo install cargo-fuzz --locked
corpus=fuzz/corpus/check
mkdir -p "$corpus"
# Seeds: each table file alone (the default project), and with its own project file.
find examples -name '*.json' -path '*/tables/*' -print0 | while IFS= read -r -d '' f; do
  name=$(printf '%s' "$f" | sha256sum | cut -c1-16)
  cp "$f" "$corpus/$name"
  project="${f%%/tables/*}/archc.json"
  if [ -f "$project" ]; then
    { cat "$project"; printf '\377'; cat "$f"; } > "$corpus/$name-p"
  fi
done
cargo +nightly fuzz run check "$corpus" -- -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10
