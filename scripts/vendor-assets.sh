#!/usr/bin/env bash
# Re-vendor the front-end assets from their npm packages (no CDN: users' networks may be closed).
# Usage: scripts/vendor-assets.sh   — needs npm and the npm registry; writes src/yiwang/web/static/vendor.
set -euo pipefail
HTMX=2.0.11
PICO=2.1.1
dest="$(cd "$(dirname "$0")/.." && pwd)/src/yiwang/web/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "htmx.org@$HTMX" "@picocss/pico@$PICO" >/dev/null
mkdir htmx pico
tar xzf "htmx.org-$HTMX.tgz" -C htmx
tar xzf "picocss-pico-$PICO.tgz" -C pico
mkdir -p "$dest/htmx" "$dest/pico"
cp htmx/package/dist/htmx.min.js htmx/package/LICENSE "$dest/htmx/"
cp pico/package/css/pico.min.css pico/package/LICENSE.md "$dest/pico/"
printf 'htmx.org %s\n@picocss/pico %s\n' "$HTMX" "$PICO" > "$dest/VERSIONS"
echo "vendored into $dest"
