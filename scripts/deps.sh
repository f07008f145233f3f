#!/bin/sh
# Install every build and test dependency of capsa from Debian packages.
# Idempotent: packages already present are left alone, apt runs only when
# something is missing.  `scripts/deps.sh --bench` adds the reference
# runtimes and hyperfine used by bench/; `--vm` adds qemu and Debian's
# kernel for the pure cgroup v2 VM (tests/vm/): ~450 MB installed, mostly
# the kernel's modules, and its install runs update-initramfs: on demand.
set -eu

BUILD="gcc lld make pkg-config libc6-dev libjson-c-dev libseccomp-dev libcurl4-openssl-dev libssl-dev libarchive-dev libisal-dev"
TEST="libcmocka-dev bats busybox-static uidmap jq iproute2 util-linux procps passwd docker-registry apache2-utils openssl python3 python3-cryptography skopeo zstd fuse-overlayfs nftables passt slirp4netns"
BENCH="crun runc hyperfine podman linux-perf"
VM="qemu-system-x86 linux-image-amd64 cpio kmod"

want="$BUILD $TEST"
for arg in "$@"; do
	case "$arg" in
	--bench) want="$want $BENCH" ;;
	--vm) want="$want $VM" ;;
	-h | --help)
		echo "usage: scripts/deps.sh [--bench] [--vm]"
		exit 0
		;;
	*)
		echo "deps.sh: unknown option '$arg'" >&2
		exit 2
		;;
	esac
done

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "deps.sh: all dependencies present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install)" >&2
	exit 1
fi

echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
