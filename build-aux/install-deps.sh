#!/bin/bash
# Install everything Procura needs to build, run and test on Debian 12.
#
# Idempotent and quick when nothing is missing: packages are checked with
# dpkg-query first; `apt-get update` runs only when a missing package cannot
# be installed from the current package lists. Generates the zh_CN.UTF-8
# locale when it is missing. Needs root (or sudo) only when it has work to do.
#
# Usage: build-aux/install-deps.sh
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

packages=(
  # toolchain and build system
  build-essential
  clang
  libclang-rt-14-dev # ASan/UBSan runtime for clang
  meson
  ninja-build
  pkg-config
  gettext
  # libraries
  libglib2.0-dev
  libgtk-4-dev
  libadwaita-1-dev
  libjson-glib-dev
  libsoup-3.0-dev
  libsqlite3-dev
  libsodium-dev
  libsecret-1-dev # the session token in the keyring
  libxlsxwriter-dev # procura-cli export --format xlsx
  libarchive-dev # importing .xlsx ledgers: reads the workbook's zip
  libxml2-dev # importing .xlsx ledgers: reads the sheet XML
  # runtime
  glib-networking
  libglib2.0-bin # glib-compile-schemas, gsettings
  librsvg2-common # SVG icons in GTK (only a Recommends of libgtk-4-1)
  hicolor-icon-theme
  adwaita-icon-theme
  shared-mime-info
  gsettings-desktop-schemas
  fonts-noto-cjk
  locales
  sqlite3
  # headless tests
  xvfb
  xauth
  dbus-x11 # dbus-run-session and the session bus configuration
  gnome-keyring # test-account: the session token in a Secret Service (on a private bus)
  unzip # test-export-xlsx: reads the workbook's XML parts back
  poppler-utils # test-report-pdf: pdfinfo and pdftotext read the PDF report back
  python3-jsonschema # test-ocds: validates the OCDS export against the 1.1.5 schema
  # validation
  desktop-file-utils
  appstream
  libxml2-utils # xmllint
  # looking at screenshots and rendered icons
  imagemagick
)

log() { printf 'install-deps: %s\n' "$*"; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo --preserve-env=DEBIAN_FRONTEND "$@"
  else
    log "need root to run: $*" >&2
    exit 1
  fi
}

# Packages that are not fully installed ("ii").
missing_packages() {
  local p status
  for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [[ $status == "ii"* ]] || printf '%s\n' "$p"
  done
}

# Whether apt knows an installation candidate for every given package.
installable() {
  local p candidate
  for p in "$@"; do
    candidate=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    [[ -n $candidate && $candidate != "(none)" ]] || return 1
  done
}

mapfile -t missing < <(missing_packages)

if ((${#missing[@]})); then
  log "installing ${#missing[@]} package(s): ${missing[*]}"
  lists=(/var/lib/apt/lists/*_Packages*)
  if [[ ! -e ${lists[0]} ]] || ! installable "${missing[@]}"; then
    log "refreshing the package lists (apt-get update)"
    as_root apt-get update -q
  fi
  if ! as_root apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    # Stale lists can name package versions the mirror no longer has.
    log "install failed; refreshing the package lists and retrying"
    as_root apt-get update -q
    as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  mapfile -t still < <(missing_packages)
  if ((${#still[@]})); then
    log "still missing after install: ${still[*]}" >&2
    exit 1
  fi
else
  log "all ${#packages[@]} packages are installed"
fi

# The zh_CN.UTF-8 locale, for the Chinese UI and its tests.
if ! locale -a 2>/dev/null | grep -qiE '^zh_CN\.utf-?8$'; then
  log "generating the zh_CN.UTF-8 locale"
  if [[ -f /etc/locale.gen ]] && grep -qE '^#[[:space:]]*zh_CN\.UTF-8 UTF-8' /etc/locale.gen; then
    as_root sed -i -E 's/^#[[:space:]]*(zh_CN\.UTF-8 UTF-8)/\1/' /etc/locale.gen
  elif ! grep -qE '^zh_CN\.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null; then
    echo 'zh_CN.UTF-8 UTF-8' | as_root tee -a /etc/locale.gen >/dev/null
  fi
  as_root locale-gen
  if ! locale -a 2>/dev/null | grep -qiE '^zh_CN\.utf-?8$'; then
    log "could not generate the zh_CN.UTF-8 locale" >&2
    exit 1
  fi
fi

log "done"
