#!/bin/bash
# Build Procura and start it from the build directory, without installing.
#
#  1. installs the dependencies (build-aux/install-deps.sh);
#  2. configures (or reconfigures) and compiles the build directory _build;
#  3. creates the local database with demo data on first run
#     (procura-cli demo --projects 2000 --seed 1);
#  4. starts the desktop app with the schemas compiled in _build/data.
#
# The data directory is $PROCURA_DATA_DIR, else $XDG_DATA_HOME/procura, else
# ~/.local/share/procura. Arguments are passed on to the app.
# Headless check: xvfb-run -a build-aux/run.sh
#
# Usage: build-aux/run.sh [PROCURA-ARGS...]
set -euo pipefail

srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$srcdir"
builddir=_build

log() { printf 'run: %s\n' "$*"; }

bash build-aux/install-deps.sh

if [[ -f $builddir/build.ninja ]]; then
  meson setup --reconfigure "$builddir"
else
  meson setup "$builddir"
fi
meson compile -C "$builddir"

cli="$builddir/src/cli/procura-cli"
app="$builddir/src/gui/procura"
for exe in "$cli" "$app"; do
  if [[ ! -x $exe ]]; then
    log "$exe was not built" >&2
    exit 1
  fi
done

data_dir="${PROCURA_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/procura}"
# Both procura and procura-cli honour PROCURA_DATA_DIR (as well as --data-dir).
export PROCURA_DATA_DIR="$data_dir"

# The database is the SQLite file in the data directory.
has_database() {
  local f
  for f in "$data_dir"/*.db "$data_dir"/*.sqlite "$data_dir"/*.sqlite3; do
    [[ -f $f ]] && return 0
  done
  return 1
}

if ! has_database; then
  log "no database in $data_dir yet: creating one with demo data"
  mkdir -p "$data_dir"
  "$cli" demo --projects 2000 --seed 1
fi

if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} ]]; then
  log "no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the window cannot open." >&2
  log "For a headless check run: xvfb-run -a -s '-screen 0 1280x800x24' bash build-aux/run.sh" >&2
  exit 1
fi

export GSETTINGS_SCHEMA_DIR="$srcdir/$builddir/data"
log "starting $app (data: $data_dir)"
exec "$app" "$@"
