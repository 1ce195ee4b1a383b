#!/usr/bin/env bash
# Test wrapper installed under a tool's name: records the call with the step running it,
# fails every call made by the step named in FAKE_FAIL_STEP (only calls of FAKE_FAIL_TOOL
# when that is set), kills the whole run with
# SIGKILL in the step named in FAKE_KILL_STEP, and otherwise runs the real tool.
name=${0##*/}
here=${0%/*}
printf '%s %s\n' "${ARCHC_STEP_ID:-}" "$name" >> "${FAKE_LOG:-/dev/null}"
if [ -n "${FAKE_FAIL_STEP:-}" ] && [ "${ARCHC_STEP_ID:-}" = "$FAKE_FAIL_STEP" ] \
  && { [ -z "${FAKE_FAIL_TOOL:-}" ] || [ "$FAKE_FAIL_TOOL" = "$name" ]; }; then
  echo "fake: $name fails in step $ARCHC_STEP_ID" >&2
  exit 42
fi
# kill -9 of the whole run (the test starts the script in a process group of its own).
if [ -n "${FAKE_KILL_STEP:-}" ] && [ "${ARCHC_STEP_ID:-}" = "$FAKE_KILL_STEP" ]; then
  kill -9 -- "-$(ps -o pgid= -p $$ | tr -d ' ')"
fi
# Drop this directory from PATH (bash only: every other tool here may be a wrapper too).
rest=""
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  [ "$d" = "$here" ] || rest="${rest:+$rest:}$d"
done
PATH=$rest exec "$name" "$@"
