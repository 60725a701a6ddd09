#!/usr/bin/env bash
# bench-train.sh: CPU training throughput of lapt/train (go backend; plain build and
# GOEXPERIMENT=simd build) for the tiny (C=8, N=1) and the benchmark network (C=16, N=5), batch 64, 32x32x3,
# and, when PyTorch is importable by PYTHON (Debian: apt-get install -y python3-torch), the
# same networks in PyTorch in the same run, with the ratio GoMLX/PyTorch.
# The machine's load average is printed before each measurement: on a shared machine
# compare only numbers from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
PYTHON=${PYTHON:-/usr/bin/python3}
ARCH='|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'
threads=$(nproc)
mkdir -p build
declare -A goips torchips
variants="plain simd"
for v in $variants; do
  if [ "$v" = simd ]; then GOEXPERIMENT=simd $GO test -c -o "build/bench-train-$v.test" ./lapt/train
  else $GO test -c -o "build/bench-train-$v.test" ./lapt/train; fi
done
for net in Tiny BenchmarkNet; do
  for v in $variants; do
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
    if line=$("./build/bench-train-$v.test" -test.run '^$' -test.bench "^BenchmarkTrain$net\$" -test.benchtime 1x 2>build/bench-train-$v.err | grep "^BenchmarkTrain$net"); then
      echo "gomlx/$v  $line"
      goips[$net/$v]=$(awk '{for(i=2;i<=NF;i++) if($i=="img/s") print $(i-1)}' <<<"$line")
    else
      echo "gomlx/$v  $net: FAILED ($(grep -m1 -E 'fatal error|panic|SIGSEGV' build/bench-train-$v.err || echo see build/bench-train-$v.err))"
      goips[$net/$v]=""
    fi
  done
done
if "$PYTHON" -c 'import torch' 2>/dev/null; then
  for spec in "Tiny 8 1 5" "BenchmarkNet 16 5 2"; do
    set -- $spec
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
    out=$("$PYTHON" scripts/torch_bench.py "$2" "$3" 64 "$4" "$ARCH" "$threads")
    echo "torch  $1: $out"
    torchips[$1]=$(sed -E 's/.*: ([0-9.]+) img\/s.*/\1/' <<<"$out")
  done
else
  echo "PyTorch not importable by $PYTHON: apt-get install -y python3-torch for the reference numbers"
fi
echo
printf '%-14s %-6s %12s %12s %8s\n' network build "gomlx img/s" "torch img/s" ratio
for net in Tiny BenchmarkNet; do
  for v in $variants; do
    g=${goips[$net/$v]:-} t=${torchips[$net]:-}
    r=-
    if [ -n "$g" ] && [ -n "$t" ]; then r=$(awk -v a="$g" -v b="$t" 'BEGIN{printf "%.2fx", a/b}'); fi
    printf '%-14s %-6s %12s %12s %8s\n' "$net" "$v" "${g:--}" "${t:--}" "$r"
  done
done
