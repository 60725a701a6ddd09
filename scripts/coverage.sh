#!/usr/bin/env bash
# coverage.sh: statement coverage of the core packages (lapt/transfer,
# lapt/study, lapt/reason/offline; override with COVER_PKGS).
#
#   scripts/coverage.sh report PROFILE LABEL [MIN]
#       print each core package's coverage from a Go coverprofile (e.g. the
#       one `make test-go` writes for ./...); exit 1 if one is below MIN%.
#   scripts/coverage.sh nodata [MIN]
#       run the core packages' tests with NASNB_DATA pointing nowhere (and
#       NASNB_REQUIRE_DATA unset): what every checkout without the benchmark
#       files runs. Profile build/cover/nodata.out; exit 1 below MIN%.
#   scripts/coverage.sh data [MIN]
#       the same with the benchmark data ($NASNB_DATA); profile build/cover/data.out.
#
# GO (default go) and COVER_DIR (default build/cover) may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
COVER_DIR=${COVER_DIR:-build/cover}
COVER_PKGS=${COVER_PKGS:-./lapt/transfer ./lapt/study ./lapt/reason/offline}

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# report PROFILE LABEL [MIN]
report() {
  local profile=$1 label=$2 min=${3:-0}
  [[ -f $profile ]] || { echo "coverage: no profile $profile" >&2; exit 1; }
  local module pkgs
  module=$($GO list -m)
  # shellcheck disable=SC2086
  pkgs=$($GO list $COVER_PKGS)
  echo "coverage ($label), profile $profile:"
  awk -v pkgs="$pkgs" -v module="$module" -v min="$min" -v label="$label" '
    BEGIN { n = split(pkgs, want, "\n") }
    NR == 1 { next }   # mode line
    {
      # name/of/pkg/file.go:12.3,14.2 STMTS COUNT; a block can appear more
      # than once in a merged profile: covered if any copy ran.
      key = $1; file = key; sub(/:.*/, "", file)
      pkg = file; sub(/\/[^\/]*$/, "", pkg)
      stmts[key] = $2; owner[key] = pkg
      if ($3 > 0) hit[key] = 1
    }
    END {
      for (k in stmts) { total[owner[k]] += stmts[k]; if (k in hit) covered[owner[k]] += stmts[k] }
      bad = 0
      for (i = 1; i <= n; i++) {
        p = want[i]; short = p; sub("^" module "/", "", short)
        if (!(p in total) || total[p] == 0) { printf "  %-22s no statements in the profile\n", short; bad = 1; continue }
        pct = 100 * covered[p] / total[p]
        flag = ""
        if (pct < min) { flag = sprintf("   BELOW %d%%", min); bad = 1 }
        printf "  %-22s %5.1f%% of %d statements%s\n", short, pct, total[p], flag
      }
      if (bad) { printf "coverage (%s): a core package is below %d%% or missing\n", label, min; exit 1 }
    }' "$profile"
}

# run MODE PROFILE LABEL MIN: go test the core packages with a coverprofile.
run() {
  local profile=$1 label=$2 min=$3
  mkdir -p "$(dirname "$profile")"
  # shellcheck disable=SC2086
  $GO test -count=1 -coverprofile="$profile" $COVER_PKGS
  report "$profile" "$label" "$min"
}

case ${1:-} in
  report)
    [[ $# -ge 3 ]] || usage
    report "$2" "$3" "${4:-0}" ;;
  nodata)
    nowhere="$COVER_DIR/no-data-here"   # never created: the data folder is absent
    NASNB_DATA="$PWD/$nowhere" NASNB_REQUIRE_DATA='' run "$COVER_DIR/nodata.out" "without data: NASNB_DATA=$nowhere" "${2:-0}" ;;
  data)
    if [[ ! -d ${NASNB_DATA:-} ]]; then
      echo "coverage: NASNB_DATA=${NASNB_DATA:-} is not a folder; the data mode needs the benchmark files" >&2
      exit 1
    fi
    run "$COVER_DIR/data.out" "with data: NASNB_DATA=$NASNB_DATA" "${2:-0}" ;;
  *) usage ;;
esac
