#!/usr/bin/env bash
# Vendor the KERN design system (@kern-ux/native) into static/vendor/kern/.
#
# Usage: scripts/refresh-vendor.sh            (uses the pinned version below)
#        KERN_VERSION=2.7.2 scripts/refresh-vendor.sh
#
# Result (relative font URLs in fonts/fira-sans.css work unchanged):
#   static/vendor/kern/kern.min.css            all components + grid + utilities + light/dark theme
#   static/vendor/kern/fonts/fira-sans.css     @font-face rules (weights 300-700, normal+italic)
#   static/vendor/kern/fonts/fira-sans/*.woff2 only the 10 files fira-sans.css references
#   static/vendor/kern/LICENSE.md              EUPL-1.2
#   static/vendor/kern/VERSION
# Not vendored: source maps/SCSS (none needed), kern-grid/kern-utilities CSS (subsets of
# kern.min.css), Noto Sans (optional), dist/js/kern-kopfzeile.js (optional web component;
# the .kern-kopfzeile CSS markup works without JS).
set -euo pipefail

KERN_VERSION="${KERN_VERSION:-2.7.2}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor/kern"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "Fetching @kern-ux/native@${KERN_VERSION} ..."
(cd "$TMP" && npm pack --silent "@kern-ux/native@${KERN_VERSION}" >/dev/null)
tar -xzf "$TMP"/kern-ux-native-*.tgz -C "$TMP"
PKG="$TMP/package"

actual="$(node -p "require('$PKG/package.json').version" 2>/dev/null || echo "$KERN_VERSION")"
if [[ "$actual" != "$KERN_VERSION" ]]; then
  echo "error: expected version $KERN_VERSION, got $actual" >&2
  exit 1
fi

rm -rf "$DEST"
mkdir -p "$DEST/fonts/fira-sans"

cp "$PKG/dist/kern.min.css" "$DEST/kern.min.css"
cp "$PKG/dist/fonts/fira-sans.css" "$DEST/fonts/fira-sans.css"

# Copy only the font files the font CSS actually references (url("./fira-sans/X.woff2")).
refs="$(grep -oE 'url\(["'\'']?\./fira-sans/[^"'\'')]+' "$PKG/dist/fonts/fira-sans.css" \
        | sed -E 's#^url\(["'\'']?\./##' | sort -u)"
if [[ -z "$refs" ]]; then
  echo "error: no font references found in fira-sans.css (layout changed?)" >&2
  exit 1
fi
while IFS= read -r f; do
  cp "$PKG/dist/fonts/$f" "$DEST/fonts/$f"
done <<< "$refs"

# kern.min.css itself must not reference external files (only data: URIs expected).
if grep -oE 'url\([^)]*\)' "$DEST/kern.min.css" | grep -qv 'url("\?data:'; then
  echo "warning: kern.min.css references non-data URLs; check paths:" >&2
  grep -oE 'url\([^)]*\)' "$DEST/kern.min.css" | grep -v 'data:' | sort -u >&2
fi

# The package ships Fira Sans without its font licence; record it beside the fonts.
cat > "$DEST/fonts/FONT-LICENSE.md" <<'NOTICE'
# Fira Sans

Fira Sans, Copyright (c) 2012-2015 The Mozilla Foundation and Telefonica S.A., with Reserved Font Name "Fira".
Licensed under the SIL Open Font License, Version 1.1 (https://openfontlicense.org). Redistributed unmodified
as part of the KERN UX package @kern-ux/native.
NOTICE

# Licence(s)
for lic in "$PKG"/LICENSE* "$PKG"/LICENCE* "$PKG"/NOTICE*; do
  [[ -e "$lic" ]] && cp "$lic" "$DEST/"
done

echo "$KERN_VERSION" > "$DEST/VERSION"

echo "KERN ${KERN_VERSION} vendored into ${DEST#"$ROOT"/}:"
(cd "$DEST" && find . -type f | sort && du -sh .)
