#!/usr/bin/env bash
# screenshot.sh PAGE.html OUT.png [OUT.dom.html]
# Renders a local HTML page in headless Chromium (no network, no GPU; window
# SHOT_SIZE, default 1200,4000), saves a
# screenshot and, optionally, the DOM after scripts ran (to check that charts
# were drawn by ECharts, not only shown as their static fallback).
set -euo pipefail
page=$(realpath "$1") png=$2 dom=${3:-}
mkdir -p "$(dirname "$png")"
profile=$(mktemp -d "${TMPDIR:-/tmp}/nasnb-chromium.XXXXXX")
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars
  --user-data-dir="$profile" --window-size="${SHOT_SIZE:-1200,4000}" --virtual-time-budget=5000)
chromium "${flags[@]}" --screenshot="$(realpath -m "$png")" "file://$page" >"$profile/shot.log" 2>&1 ||
  { cat "$profile/shot.log" >&2; exit 1; }
if [[ -n "$dom" ]]; then
  chromium "${flags[@]}" --dump-dom "file://$page" >"$dom" 2>"$profile/dom.log" ||
    { cat "$profile/dom.log" >&2; exit 1; }
fi
echo "screenshot: $png"
