#!/bin/sh
# Run a demo container the way a docker user would: a busybox image made
# locally (from Debian's busybox-static, as `capsa import` of a root file
# system tar; no registry is needed), then `capsa run` of that image,
# `capsa run -d`, `capsa ps`, `capsa logs`, `capsa exec`, `capsa rm -f`.
#
# Needs `make` first.  Run as root, or as a user (rootless).  Everything it
# makes (image store, container state) lives in a temporary directory that
# is removed at the end; the containers run with `--network none`, so the
# host's network is not touched.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
capsa="$here/build/capsa"
[ -x "$capsa" ] || { echo "demo: build first (make)" >&2; exit 1; }

work=$(mktemp -d /tmp/capsa-demo.XXXXXX)
export CAPSA_ROOT="$work/state" CAPSA_STORAGE="$work/storage"
cleanup() {
	"$capsa" rm -f demo-bg >/dev/null 2>&1 || true
	"$capsa" rmi -f capsa-demo:latest >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

"$here/tests/fixtures/mkrootfs.sh" "$work/rootfs" >/dev/null
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
run() {
	echo "+ capsa $*" >&2
	"$capsa" "$@"
}
run import "$work/rootfs.tar" capsa-demo:latest >/dev/null
run images
run run --rm --network none capsa-demo sh -c \
	'echo "hello from $(hostname): I am pid $$ as $(id -un)"; echo "processes I can see:"; ps -o pid,comm'
run run -d --name demo-bg --network none capsa-demo sh -c 'echo started; sleep 60' >/dev/null
run ps
run exec demo-bg cat /etc/hostname
run logs demo-bg
run rm -f demo-bg
