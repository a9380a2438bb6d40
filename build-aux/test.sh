#!/bin/bash
# Build Procura and run the whole test suite, as CI does (.ci/run).
#
#  a. _build-ci:   gcc, -Dwerror=true
#  b. _build-asan: clang, -Db_sanitize=address,undefined, -Dwerror=true
#     (skipped when PROCURA_TEST_QUICK=1)
#
# Tests run under a private D-Bus session and Xvfb, so widget tests have a
# display. Extra arguments go to `meson test` (e.g. `--suite core`).
# The last line printed is "N passed, M failed, K skipped" (both builds).
#
# Environment:
#   PROCURA_TEST_QUICK=1         skip the sanitizer build
#   PROCURA_TEST_MULTIPLIER=N    meson --timeout-multiplier for the gcc build (default 2;
#                                the sanitizer build uses twice as much)
#
# Each `meson test` run is also capped in wall-clock time (20 min for gcc,
# 25 min for the sanitizer build), so a hung test cannot eat CI's 90 minutes.
set -uo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$srcdir" || exit 1

total_passed=0
total_failed=0
total_skipped=0
status=0
start=$SECONDS

log() { printf '\n=== %s (%ds)\n' "$*" $((SECONDS - start)); }

summary() {
  echo
  echo "${total_passed} passed, ${total_failed} failed, ${total_skipped} skipped"
}

log "dependencies"
if ! bash build-aux/install-deps.sh; then
  echo "test: installing the dependencies failed" >&2
  total_failed=$((total_failed + 1))
  summary
  exit 1
fi

multiplier=${PROCURA_TEST_MULTIPLIER:-2}

# run_build NAME BUILDDIR TIMEOUT_MULTIPLIER WALL_MINUTES SETUP-ARGS...
# Configures, compiles and tests one build directory; adds to the totals.
run_build() {
  local name=$1 builddir=$2 mult=$3 minutes=$4
  shift 4
  local -a setup_args=("$@")

  log "$name: configure $builddir"
  local -a setup=(meson setup)
  [[ -f $builddir/build.ninja ]] && setup+=(--reconfigure)
  if ! "${setup[@]}" "$builddir" "${setup_args[@]}"; then
    echo "test: $name: meson setup failed" >&2
    total_failed=$((total_failed + 1))
    status=1
    return
  fi

  log "$name: compile"
  if ! meson compile -C "$builddir"; then
    echo "test: $name: compilation failed" >&2
    total_failed=$((total_failed + 1))
    status=1
    return
  fi

  log "$name: test"
  local out="$builddir/meson-logs/test-output.txt"
  dbus-run-session -- \
    xvfb-run -a -s "-screen 0 1280x800x24" \
    timeout -k 30 "${minutes}m" \
    meson test -C "$builddir" --no-rebuild --print-errorlogs \
    --timeout-multiplier "$mult" "${meson_test_args[@]}" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]}

  # Meson's closing summary: "Ok: N", "Expected Fail: N", "Fail: N",
  # "Unexpected Pass: N", "Skipped: N", "Timeout: N" (the last one counts).
  local counts
  counts=$(awk '
    /^Ok:/              { ok = $2 }
    /^Expected Fail:/   { xfail = $3 }
    /^Fail:/            { fail = $2 }
    /^Unexpected Pass:/ { xpass = $3 }
    /^Skipped:/         { skip = $2 }
    /^Timeout:/         { tmo = $2; seen = 1 }
    END { printf "%d %d %d %d\n", ok + xfail, fail + xpass + tmo, skip, seen }
  ' "$out")
  local passed failed skipped seen
  read -r passed failed skipped seen <<<"$counts"

  if ((rc == 124 || rc == 137)); then
    echo "test: $name: meson test did not finish within ${minutes} minutes" >&2
  fi
  if ((rc != 0 && failed == 0)); then
    # Crashed, timed out or no summary: count the run itself as one failure.
    failed=1
  fi
  if ((seen == 0 && rc == 0)); then
    echo "test: $name: no test summary found" >&2
  fi

  if ((rc != 0)); then
    status=1
    local testlog="$builddir/meson-logs/testlog.txt"
    if [[ -f $testlog ]]; then
      echo
      echo "----- $testlog (last 500 lines) -----"
      # (without the line that lists the whole inherited environment)
      grep -v '^Inherited environment:' "$testlog" | tail -n 500
      echo "----- end of $testlog -----"
    fi
  fi

  echo "$name: $passed passed, $failed failed, $skipped skipped"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
}

meson_test_args=("$@")
export LIBGL_ALWAYS_SOFTWARE=true
export NO_AT_BRIDGE=1

# (a) gcc, warnings are errors
CC=gcc run_build "gcc" _build-ci "$multiplier" 20 -Dwerror=true

# (b) clang with AddressSanitizer and UndefinedBehaviorSanitizer
if [[ ${PROCURA_TEST_QUICK:-0} == 1 ]]; then
  log "asan: skipped (PROCURA_TEST_QUICK=1)"
else
  CC=clang \
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    G_SLICE=always-malloc \
    run_build "asan" _build-asan $((multiplier * 2)) 25 \
    -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true
fi

log "done"
if ((total_failed > 0)); then
  status=1
fi
summary
exit "$status"
