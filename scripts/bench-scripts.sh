#!/usr/bin/env bash
# Script benchmark: the generated S3 scripts against a local S3 server (moto on
# 127.0.0.1), for 2,000 and 20,000 objects, across partitions and in one flat prefix by
# creation date. Prints per step: wall time, aws and rclone process starts, and the
# requests the server saw by type (ListObjectsV2, CopyObject, DeleteObjects,
# DeleteObject), from the server's own log.
#
#   scripts/bench-scripts.sh [SIZES...]     (default: 2000 20000; needs .venv, rclone)
#
# Targets (issue 11): no single-object DELETE; ListObjectsV2 at most listing pages +
# partitions; wall time for 20,000 at most 12 times that for 2,000.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
if [ ${#sizes[@]} = 0 ]; then sizes=(2000 20000); fi
export PATH="$PWD/.venv/bin:$PATH"
for tool in moto_server aws rclone python3; do
  command -v "$tool" > /dev/null || { echo "bench: $tool is missing (scripts/test.sh installs it)" >&2; exit 2; }
done
cargo build --release --quiet
bin="$PWD/target/release/archc"
work=$(mktemp -d /tmp/archc-bench-scripts.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
moto_server -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto=$!
trap 'kill "$moto" 2> /dev/null; wait "$moto" 2> /dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 60); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.5)" 2> /dev/null; then break; fi
  sleep 0.5
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench \
  AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
unset AWS_CA_BUNDLE

# Process starts are counted by wrappers in front of the real tools.
mkdir -p "$work/bin"
for tool in aws rclone; do
  real=$(command -v "$tool")
  printf '#!/usr/bin/env bash\necho %s >> "%s/starts.log"\nexec "%s" "$@"\n' "$tool" "$work" "$real" > "$work/bin/$tool"
  chmod +x "$work/bin/$tool"
done

seed() { # bucket prefix count layout
  python3 - "$@" <<'PY'
import sys, boto3
from concurrent.futures import ThreadPoolExecutor
bucket, prefix, n, layout = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
s3 = boto3.client("s3")
s3.create_bucket(Bucket=bucket)
def key(i):
    if layout == "partitions":
        return f"{prefix}dt=2026-01-{i % 20 + 1:02d}/part-{i:06d}.csv"
    return f"{prefix}export_{i:06d}.csv"
def put(i):
    s3.put_object(Bucket=bucket, Key=key(i), Body=b"x" * 100)
with ThreadPoolExecutor(16) as pool:
    list(pool.map(put, range(n)))
PY
}

printf '%-11s %6s  %-24s %8s %5s %7s %6s %6s %8s %8s\n' layout objects step wall_s aws rclone lists copies deletes1000 delete1
for n in "${sizes[@]}"; do
  for layout in partitions flat; do
    repo="$work/repo-$layout-$n"
    mkdir -p "$repo/tables"
    bucket="bench-$layout-$n"
    if [ "$layout" = partitions ]; then
      detail="{\"bucket_name\": \"$bucket\", \"key_name\": \"data/\", \"partition_column\": \"dt\"}"
      as_of=2026-11-21T10:00:00Z period='"data_archive_before_period": "month", "data_archive_before": 2'
    else
      detail="{\"bucket_name\": \"$bucket\", \"key_name\": \"data/export_*.csv\"}"
      as_of=$(date -u -d '+2 days' +%Y-%m-%dT10:00:00Z) period='"data_archive_before_period": "day", "data_archive_before": 1'
    fi
    printf '{"system": "bench", "target_location_bucket": "%s", "target_location_key": "archive/{tablename}/{lifecycle_name}/{lifecycle_storage_name}/{partition}"}\n' "$bucket" > "$repo/archc.json"
    printf '{"t": {"raw": {"order": 1, "s3": {"storage": "s3", "archival_object_detail": %s, "starting_storage_date": "2019-01-01"}}, %s}}\n' "$detail" "$period" > "$repo/tables/t.json"
    seed "$bucket" data/ "$n" "$layout"
    "$bin" build "$repo" --out "$repo/out" --as-of "$as_of" > /dev/null
    script=$(printf '%s\n' "$repo"/out/runs/bench_archival_t_*.sh)
    for step in select_objects sync_source_to_archive delete_source_data; do
      : > "$work/starts.log"
      mark=$(wc -l < "$work/moto.log")
      start=$(date +%s.%N)
      PATH="$work/bin:$PATH" bash "$script" --only-step "raw.s3.$step" --state-dir "$repo/state" \
        --lock-dir "$repo/locks" > "$repo/$step.log" 2>&1 || { cat "$repo/$step.log" >&2; exit 1; }
      wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
      tail -n +"$((mark + 1))" "$work/moto.log" > "$work/step.log"
      count() { grep -c -E "$1" "$work/step.log" || true; }
      printf '%-11s %6s  %-24s %8.1f %5s %7s %6s %6s %8s %8s\n' "$layout" "$n" "$step" "$wall" \
        "$(grep -c '^aws$' "$work/starts.log" || true)" "$(grep -c '^rclone$' "$work/starts.log" || true)" \
        "$(count '"GET /[^/ ]+/?\?list-type=2')" "$(count '"PUT /[^ ]+/[^ ]+ ')" \
        "$(count '"POST /[^ ]+\?delete')" "$(count '"DELETE /[^ ]+/[^ ]+ ')"
    done
  done
done
echo "(copies: PUT requests during the copy step, all server-side; lists: ListObjectsV2 requests)"
