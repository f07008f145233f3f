#!/bin/sh
# Run a demo container: a busybox root file system built from Debian's
# busybox-static, a config from `capsa oci spec`, and `capsa oci run`.
# Needs `make` first; run as root (or as a user: a rootless bundle is used).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
capsa="$here/build/capsa"
[ -x "$capsa" ] || { echo "demo: build first (make)" >&2; exit 1; }

work=$(mktemp -d /tmp/capsa-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/tests/fixtures/mkrootfs.sh" "$work/rootfs" >/dev/null
if [ "$(id -u)" -eq 0 ]; then
	"$capsa" oci spec --bundle "$work"
	root="$work/state"
else
	"$capsa" oci spec --rootless --bundle "$work"
	root="$work/state"
fi
# A non-interactive process that shows what isolation the container has.
jq '.process.terminal = false
    | .process.args = ["/bin/sh", "-c",
        "echo \"hello from $(hostname): I am pid $$ as $(id -un)\"; echo my root: $(ls /); echo \"processes I can see:\"; ps -o pid,comm"]' \
	"$work/config.json" >"$work/config.json.new"
mv "$work/config.json.new" "$work/config.json"
echo "+ capsa oci run --bundle $work demo"
"$capsa" oci --root "$root" run --bundle "$work" "demo-$$"
