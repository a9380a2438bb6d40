#!/bin/bash
# Check that po/POTFILES.in is complete and current.
#
# Fails (exit 1) and lists the offending files when
#  - a file under src/, ui/ or data/ contains a translatable string
#    (_(…), N_(…), C_(…), NC_(…) or translatable="yes"), or is a desktop
#    entry, metainfo or GSettings schema source, but is not listed; or
#  - POTFILES.in lists a file that does not exist.
#
# Usage: build-aux/check-potfiles.sh [SOURCE_ROOT]
set -euo pipefail

srcdir="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
cd "$srcdir"
potfiles=po/POTFILES.in

if [[ ! -f $potfiles ]]; then
  echo "check-potfiles: $srcdir/$potfiles not found" >&2
  exit 1
fi

export LC_ALL=C

# Files listed in POTFILES.in (comments and blank lines ignored, whitespace trimmed).
listed=$(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$potfiles" | grep -v '^$' | sort -u || true)

# Files that need translation. Gettext macros are matched as whole tokens, with or
# without a space before the parenthesis (GNU style writes `_ ("…")`).
dirs=()
for d in src ui data; do
  [[ -d $d ]] && dirs+=("$d")
done
wanted=""
if ((${#dirs[@]})); then
  wanted=$(
    {
      grep -rlIE --exclude-dir=.git \
        -e '(^|[^A-Za-z0-9_])(N|C|NC)?_[[:space:]]*\(' \
        -e 'translatable[[:space:]]*=[[:space:]]*"yes"' \
        "${dirs[@]}" || true
      find "${dirs[@]}" -type f \( -name '*.desktop.in' -o -name '*.desktop.in.in' \
        -o -name '*.metainfo.xml.in' -o -name '*.metainfo.xml.in.in' \
        -o -name '*.gschema.xml' \) -print
    } | sed 's|^\./||' | sort -u
  )
fi

status=0

missing=$(comm -23 <(printf '%s\n' "$wanted" | grep -v '^$' || true) <(printf '%s\n' "$listed"))
if [[ -n $missing ]]; then
  echo "These files contain translatable strings but are missing from $potfiles:"
  printf '%s\n' "$missing" | sed 's/^/  /'
  status=1
fi

nonexistent=""
while IFS= read -r f; do
  [[ -z $f ]] && continue
  [[ -f $f ]] || nonexistent+="$f"$'\n'
done <<<"$listed"
if [[ -n $nonexistent ]]; then
  echo "These files are listed in $potfiles but do not exist:"
  printf '%s' "$nonexistent" | sed 's/^/  /'
  status=1
fi

# Not fatal: the list should stay sorted so that merges stay easy.
if ! sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$potfiles" | grep -v '^$' | sort -c 2>/dev/null; then
  echo "warning: $potfiles is not sorted (LC_ALL=C sort)" >&2
fi

if ((status == 0)); then
  echo "$potfiles is complete ($(printf '%s\n' "$listed" | grep -c . || true) files)."
fi
exit "$status"
