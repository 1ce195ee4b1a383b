#!/usr/bin/env bash
# Test wrapper installed under a tool's name. It records the call with the step running it,
# and injects one of three faults into the step named by the test:
#   FAKE_FAIL_STEP=ID        every call in step ID fails (only calls of FAKE_FAIL_TOOL when set,
#                            and then the tools' own children go through the wrappers too)
#   FAKE_KILL_STEP=ID        the first call in step ID kills the whole run (SIGKILL) before
#                            the tool runs
#   FAKE_KILL_AFTER_STEP=ID  with FAKE_KILL_AFTER_CALL=N: the real tool runs, and when the
#                            N-th call of a tool with side effects (FAKE_EFFECTFUL) in step ID
#                            has returned, the whole run is killed: after the effect, before
#                            the journal line
# Otherwise it runs the real tool.
name=${0##*/}
here=${0%/*}
printf '%s %s\n' "${ARCHC_STEP_ID:-}" "$name" >> "${FAKE_LOG:-/dev/null}"
if [ -n "${FAKE_FAIL_STEP:-}" ] && [ "${ARCHC_STEP_ID:-}" = "$FAKE_FAIL_STEP" ] \
  && { [ -z "${FAKE_FAIL_TOOL:-}" ] || [ "$FAKE_FAIL_TOOL" = "$name" ]; }; then
  echo "fake: $name fails in step $ARCHC_STEP_ID" >&2
  exit 42
fi
kill_run() {
  kill -9 -- "-$(ps -o pgid= -p $$ | tr -d ' ')"
}
# kill -9 of the whole run (the test starts the script in a process group of its own).
if [ -n "${FAKE_KILL_STEP:-}" ] && [ "${ARCHC_STEP_ID:-}" = "$FAKE_KILL_STEP" ]; then
  kill_run
fi
# Drop this directory from PATH (bash only: every other tool here may be a wrapper too).
rest=""
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  [ "$d" = "$here" ] || rest="${rest:+$rest:}$d"
done
if [ -n "${FAKE_FAIL_TOOL:-}" ]; then
  # The tool's own children (psql's backquotes, mysql's `system`) meet the failing tool too.
  real=$(PATH=$rest command -v -- "$name") || { echo "fake: no $name on PATH" >&2; exit 127; }
  exec "$real" "$@"
fi
if [ -z "${FAKE_KILL_AFTER_STEP:-}" ] || [ "${ARCHC_STEP_ID:-}" != "$FAKE_KILL_AFTER_STEP" ] \
  || [[ " ${FAKE_EFFECTFUL:-} " != *" $name "* ]]; then
  PATH=$rest exec "$name" "$@"
fi
PATH=$rest "$name" "$@"
rc=$?
counter="${FAKE_LOG:?}.after"
# Tools of one step may run at once (xargs -P): the count is kept under a lock.
n=$(
  {
    flock 8
    n=$(($(cat "$counter" 2> /dev/null || echo 0) + 1))
    echo "$n" > "$counter"
    echo "$n"
  } 8>> "$counter.lock"
)
if [ "$n" = "${FAKE_KILL_AFTER_CALL:?}" ]; then
  kill_run
fi
exit "$rc"
