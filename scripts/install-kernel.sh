#!/usr/bin/env bash
# install-kernel.sh TOOLS_BIN JUPYTER_DATA_DIR TMPDIR
# Installs the GoNB kernelspec inside the project (JUPYTER_DATA_DIR) and fixes
# its env: PATH = tools bin + GOROOT/bin + ${PATH} (Jupyter expands ${PATH} when
# it starts the kernel), TMPDIR = a project folder (GoNB's gonb_* work folders),
# GOFLAGS empty (notebooks use a go.work, which refuses -mod=mod), GOTOOLCHAIN =
# go.mod's toolchain line (cells build the project, which needs Go 1.27; the
# machine's go.env says GOTOOLCHAIN=local).
set -euo pipefail
tools_bin=$1 data_dir=$2 tmp_dir=$3
toolchain=$(sed -n 's/^toolchain //p' "$(dirname "$0")/../go.mod")
export GOTOOLCHAIN=${GOTOOLCHAIN:-$toolchain}
goroot=$(go env GOROOT)
mkdir -p "$data_dir" "$tmp_dir"
PATH="$tools_bin:$goroot/bin:$PATH" JUPYTER_DATA_DIR="$data_dir" TMPDIR="$tmp_dir" \
  "$tools_bin/gonb" --install 2>"$tmp_dir/gonb-install.log" || { cat "$tmp_dir/gonb-install.log" >&2; exit 1; }
kj="$data_dir/kernels/gonb/kernel.json"
/usr/bin/python3 - "$kj" "$tools_bin" "$goroot" "$tmp_dir" "$GOTOOLCHAIN" <<'PY'
import json, sys
path, tools_bin, goroot, tmp_dir, toolchain = sys.argv[1:6]
with open(path) as f:
    spec = json.load(f)
spec["display_name"] = "Go (gonb)"
env = spec.get("env") or {}
env["PATH"] = tools_bin + ":" + goroot + "/bin:${PATH}"
env["TMPDIR"] = tmp_dir
env["GOFLAGS"] = ""
env["GOTOOLCHAIN"] = toolchain
spec["env"] = env
with open(path, "w") as f:
    json.dump(spec, f, indent=1, sort_keys=True)
    f.write("\n")
PY
echo "GoNB kernel installed: $kj"
