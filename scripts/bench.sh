#!/usr/bin/env bash
# Fleet benchmark: N generated tables (default 10,000, both shapes, several storage kinds).
# Prints, best of 5 runs each:
#   cat of every input file           vs  archc check          (target: check < 2x cat)
#   cat inputs + write same bytes out  vs  archc build --dry-run (target: build < 2x I/O)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
cargo build --release --quiet
bin="$PWD/target/release/archc"
work=$(mktemp -d /tmp/archc-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

python3 - "$work/repo" "$n" <<'PY'
import json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{root}/tables", exist_ok=True)
json.dump({"system": "bench", "target_location_bucket": "bench-archive",
           "archive_roots": {"hdfs": "/archive", "local": "/mnt/archive", "dumps": "/mnt/dumps"}},
          open(f"{root}/archc.json", "w"), indent=2)
for i in range(n):
    t = f"table_{i:05d}"
    raw = {"storage": "s3", "archival_object_type": "file",
           "archival_object_detail": {"bucket_name": "lake-raw", "key_name": f"{t}/", "partition_column": "dt"},
           "starting_storage_date": "01-Jan-2019", "ending_storage_date": ""}
    nfs = {"storage": "local", "archival_object_detail": {"path": f"/mnt/nfs/{t}", "partition_column": "dt"},
           "starting_storage_date": "2015-01-01", "ending_storage_date": "2019-01-01"}
    pg = {"storage": "postgres", "archival_object_detail": {"database": "shop", "table_name": t, "date_column": "day"},
          "starting_storage_date": "2019-01-01"}
    delta = {"storage": "delta", "archival_object_detail": {"path": f"s3://lake-bronze/{t}", "partition_column": "dt"},
             "starting_storage_date": "2019-01-01"}
    if i % 2:
        doc = {t: {"raw": {"order": 1, "nfs": nfs, "s3": raw}, "bronze": {"order": 2, "delta": delta},
                   "serving": {"order": 3, "pg": pg}, "data_archive_before_period": "month", "data_archive_before": 6}}
    else:
        doc = {"table_name": t, "data_archive_before_period": "quarter", "data_archive_before": 4, "lifecycles": [
            {"lifecycle_name": "raw", "lifecycle_order": 1, "lifecycle_storages": [
                {"lifecycle_storage_name": "nfs", "lifecycle_storage_details": nfs},
                {"lifecycle_storage_name": "s3", "lifecycle_storage_details": raw}]},
            {"lifecycle_name": "bronze", "lifecycle_order": 2, "lifecycle_storages": [
                {"lifecycle_storage_name": "delta", "lifecycle_storage_details": delta}]},
            {"lifecycle_name": "serving", "lifecycle_order": 3, "lifecycle_storages": [
                {"lifecycle_storage_name": "pg", "lifecycle_storage_details": pg}]}]}
    with open(f"{root}/tables/{t}.json", "w") as f:
        json.dump(doc, f, indent=2)
PY

best() {  # best wall time in ms of 5 runs of "$@"
  local best=999999999 start end
  for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s%N)
    (( (end - start) / 1000000 < best )) && best=$(( (end - start) / 1000000 ))
  done
  echo "$best"
}

cd "$work"
# Written files are flushed first: background writeback would be measured otherwise.
sync
bytes=$(cat repo/tables/*.json | wc -c)
echo "inputs: $n tables, $((bytes / 1024)) KiB"
cat_ms=$(best sh -c 'cat repo/archc.json repo/tables/*.json > /dev/null')
check_ms=$(best "$bin" check repo)
echo "cat:   ${cat_ms} ms"
echo "check: ${check_ms} ms  ($(awk -v a="$check_ms" -v b="$cat_ms" 'BEGIN { printf "%.2f", a / (b ? b : 1) }')x cat; target < 2x)"

"$bin" build repo --out out --as-of 2026-11-21T10:00:00Z --dry-run > /dev/null
out_bytes=$(cat out/runs/*.json | wc -c)
io_ms=$(best sh -c 'rm -rf copy && mkdir -p copy && cat repo/tables/*.json > /dev/null && cp -r out/runs copy/')
build_ms=$(best sh -c "rm -rf out && '$bin' build repo --out out --as-of 2026-11-21T10:00:00Z --dry-run")
echo "read inputs + write $((out_bytes / 1024 / 1024)) MiB of run files: ${io_ms} ms"
echo "build --dry-run: ${build_ms} ms  ($(awk -v a="$build_ms" -v b="$io_ms" 'BEGIN { printf "%.2f", a / (b ? b : 1) }')x I/O; target < 2x)"
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%M' -o rss.check "$bin" check repo > /dev/null 2>&1
  /usr/bin/time -f '%M' -o rss.build "$bin" build repo --out out2 --as-of 2026-11-21T10:00:00Z --dry-run > /dev/null 2>&1
  echo "peak RSS: check $(cat rss.check) KiB, build $(cat rss.build) KiB"
fi
