#!/bin/bash
# Check that every translation in po/LINGUAS is valid and complete.
#
# For each language:
#  1. `msgfmt --check --statistics` on po/LL.po as it is (syntax, headers,
#     format strings, plural forms);
#  2. the .po is merged (in a temporary directory) with a .pot freshly extracted
#     from the files in po/POTFILES.in, with the same xgettext arguments as
#     meson's `preset: 'glib'`, so strings added to the sources but not yet
#     translated count too;
#  3. fails if any message is untranslated or fuzzy, listing them.
#
# Usage: build-aux/check-po-complete.sh [SOURCE_ROOT]
set -euo pipefail

srcdir="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$srcdir"

export LC_ALL=C.UTF-8 LANGUAGE=

for tool in xgettext msgmerge msgfmt msgattrib; do
  if ! command -v "$tool" >/dev/null; then
    echo "check-po-complete: $tool not found (install gettext)" >&2
    exit 1
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2054 # the commas belong to xgettext's syntax
# Same keywords and flags as meson's i18n.gettext(preset: 'glib').
xgettext_args=(
  --package-name=procura --from-code=UTF-8 --add-comments
  -k_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format
  --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format
)

if ! xgettext "${xgettext_args[@]}" -D "$srcdir" -f po/POTFILES.in -o "$tmp/procura.pot" 2>"$tmp/xgettext.log"; then
  cat "$tmp/xgettext.log" >&2
  echo "check-po-complete: xgettext failed (is po/POTFILES.in current? see build-aux/check-potfiles.sh)" >&2
  exit 1
fi
[[ -s $tmp/xgettext.log ]] && cat "$tmp/xgettext.log" >&2
# No translatable strings at all: xgettext writes no file.
if [[ ! -f $tmp/procura.pot ]]; then
  msginit --no-translator --locale=C --input=/dev/null -o "$tmp/procura.pot" 2>/dev/null ||
    printf 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n' >"$tmp/procura.pot"
fi

# Print the msgid of every entry of a PO file but the header, one per line
# (with its context, if any, as "context|msgid").
list_msgids() {
  awk '
    function flush() {
      if (in_entry && !(id == "" && ctx == "")) print (ctx != "" ? ctx "|" : "") id
      in_entry = 0; id = ""; ctx = ""; field = ""
    }
    /^#~/ { next }
    /^msgctxt / { flush(); in_entry = 1; field = "ctx"; ctx = substr($0, 10, length($0) - 10); next }
    /^msgid / { if (field != "ctx") flush(); in_entry = 1; field = "id"; id = substr($0, 8, length($0) - 8); next }
    /^"/ { if (field == "id") id = id substr($0, 2, length($0) - 2);
           else if (field == "ctx") ctx = ctx substr($0, 2, length($0) - 2); next }
    { if (field == "id" || field == "ctx") field = "" }
    END { flush() }
  ' "$1"
}

# Whether the header entry (msgid "") of a PO file is marked fuzzy.
header_fuzzy() {
  awk '
    /^#,/ { flags = flags $0 }
    /^msgid ""$/ { exit (flags ~ /fuzzy/ ? 0 : 1) }
    /^msgid "./ { exit 1 }
    /^$/ { flags = "" }
  ' "$1"
}

status=0
langs=$(sed -e 's/#.*//' po/LINGUAS | tr -s '[:space:]' '\n' | grep -v '^$' || true)
for lang in $langs; do
  po="po/$lang.po"
  if [[ ! -f $po ]]; then
    echo "$po: missing (listed in po/LINGUAS)"
    status=1
    continue
  fi

  echo "== $po"
  if ! msgfmt --check --statistics -o /dev/null "$po" 2>&1; then
    echo "$po: msgfmt --check failed"
    status=1
    continue
  fi

  merged="$tmp/$lang.po"
  msgmerge --quiet --no-fuzzy-matching --no-wrap -o "$merged" "$po" "$tmp/procura.pot"
  printf 'against the current sources: '
  if ! msgfmt --check --statistics -o /dev/null "$merged" 2>&1; then
    echo "$po: msgfmt --check failed once merged with the current sources"
    status=1
  fi

  # Untranslated or fuzzy, in the file as it is or once merged.
  : >"$tmp/untranslated.lst"
  : >"$tmp/fuzzy.lst"
  for f in "$po" "$merged"; do
    rm -f "$tmp/untranslated.po" "$tmp/fuzzy.po"
    msgattrib --untranslated --no-obsolete --no-wrap -o "$tmp/untranslated.po" "$f"
    msgattrib --only-fuzzy --no-obsolete --no-wrap -o "$tmp/fuzzy.po" "$f"
    [[ -f $tmp/untranslated.po ]] && list_msgids "$tmp/untranslated.po" >>"$tmp/untranslated.lst"
    [[ -f $tmp/fuzzy.po ]] && list_msgids "$tmp/fuzzy.po" >>"$tmp/fuzzy.lst"
  done
  sort -u -o "$tmp/untranslated.lst" "$tmp/untranslated.lst"
  sort -u -o "$tmp/fuzzy.lst" "$tmp/fuzzy.lst"
  n_untranslated=$(grep -c . "$tmp/untranslated.lst" || true)
  n_fuzzy=$(grep -c . "$tmp/fuzzy.lst" || true)

  if header_fuzzy "$po"; then
    echo "$po: the header entry is marked fuzzy"
    status=1
  fi
  if ((n_untranslated > 0)); then
    echo "$po: $n_untranslated untranslated message(s):"
    head -n 200 "$tmp/untranslated.lst" | sed 's/^/  /'
    status=1
  fi
  if ((n_fuzzy > 0)); then
    echo "$po: $n_fuzzy fuzzy message(s):"
    head -n 200 "$tmp/fuzzy.lst" | sed 's/^/  /'
    status=1
  fi
  if ((n_untranslated == 0 && n_fuzzy == 0)); then
    echo "$po: complete"
  fi
done

if ((status != 0)); then
  echo "To update the catalogues: ninja -C <builddir> procura-pot procura-update-po, then translate."
fi
exit "$status"
