#!/bin/bash
# Build the initramfs for the pure cgroup v2 VM (tests/vm/check.sh).
#
#   tests/vm/mkinitramfs.sh OUT.cpio KVER BATS-FILE...
#
# OUT.cpio (uncompressed newc: the kernel unpacks it faster under
# software emulation than it would decompress it) is two archives one
# after the other, which the kernel unpacks in turn: a base layer of host
# tools and modules, kept in build/vm/ and made again only when the
# installed packages, VM_MODULES, the kernel or this script change, and
# the run's own layer (init, capsa, tests, settings).  Together they hold:
#   /init                 tests/vm/init (busybox sh)
#   /capsa/build          capsa, the capsa-oci link, build/tests/recvtty
#                         and the busybox rootfs fixture
#   /capsa/tests          the integration tests and fixture scripts
#   /usr/bin, /usr/lib    bash, bats, jq, coreutils, grep, sed, awk, find,
#                         util-linux and procps tools, with the shared
#                         libraries ldd names; busybox for everything else
#   /lib/modules/KVER     the modules in $VM_MODULES and what they depend
#                         on, loaded by /init in order (/etc/capsa-vm/modules)
#   /etc/capsa-vm/        the run's settings: files to run, filter, timeout
#
# Environment: VM_PASSES ("root", "rootless" or both, the default),
# VM_MODULES (default "overlay veth bridge"), FILTER (bats -f),
# VM_TEST_TIMEOUT (per-test seconds, default 600: everything is emulated).
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
B=$here/build

if [ $# -lt 3 ]; then
	echo "usage: mkinitramfs.sh OUT.cpio KVER BATS-FILE..." >&2
	exit 2
fi
out=$(realpath -m "$1") kver=$2
shift 2
tests=()
for f in "$@"; do
	tests+=("$(realpath -m "$f")")
done

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

for f in "$B/capsa" "$B/fixtures/rootfs/bin/busybox" /usr/bin/busybox /usr/bin/bats /usr/bin/jq; do
	[ -e "$f" ] || die "$f: not found (make, tests/fixtures/mkrootfs.sh, scripts/deps.sh)"
done
command -v cpio >/dev/null || die "cpio: not installed (scripts/deps.sh --vm)"
command -v modprobe >/dev/null || die "modprobe: not installed (kmod; scripts/deps.sh --vm)"
[ -d "/lib/modules/$kver" ] || die "/lib/modules/$kver: no modules for kernel $kver"
for p in ${VM_PASSES:-root rootless}; do
	case "$p" in root | rootless) ;; *) die "VM_PASSES: unknown pass '$p' (root, rootless)" ;; esac
done

stage=$(mktemp -d "${TMPDIR:-/tmp}/capsa-vm-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# Files keep their owners when built as root; otherwise everything is root's.
owner=()
[ "$(id -u)" -eq 0 ] || owner=(-R 0:0)
# pack DIR OUT: DIR's contents as a newc archive.
pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet "${owner[@]}") >"$2"
}

# --- the base layer: host tools, bats, busybox, modules, users -----------

base=$B/vm/base-$kver.cpio
key=$({
	echo "$kver ${VM_MODULES:-overlay veth bridge} $(id -u)"
	stat -c '%Y %s' /var/lib/dpkg/status
	cat "$0"
} | sha256sum | cut -c1-32)

# copy_file PATH: the file (symlinks followed) at the same path in the stage.
copy_file() {
	local p=${1#/}
	[ -e "$p" ] && return 0
	mkdir -p "$(dirname "$p")"
	cp -L --preserve=mode "$1" "$p"
}

build_base() {
	mkdir -p usr/bin usr/sbin usr/lib usr/lib64 etc/capsa-vm root proc sys dev tmp run newroot
	ln -s usr/bin bin
	ln -s usr/sbin sbin
	ln -s usr/lib lib
	ln -s usr/lib64 lib64
	chmod 0700 root

	# GNU tools first (the tests and bats rely on their options); busybox
	# fills in what is left, including /bin/sh and the init's own commands.
	bins=()
	for f in $(dpkg -L coreutils 2>/dev/null | grep -E '^/(usr/)?s?bin/'); do
		[ -x "$f" ] && [ ! -d "$f" ] && bins+=("$f")
	done
	for t in bash jq grep sed awk mawk gawk find xargs mount umount runuser setpriv unshare nsenter \
		flock getent ps pgrep pkill kill ip newuidmap newgidmap; do
		f=$(type -P "$t") && bins+=("$f")
	done
	for f in "${bins[@]}"; do
		copy_file "$f"
	done
	# Their shared libraries, from one ldd: "libx.so => /path (addr)" and the
	# loader's "/lib64/ld-linux-x86-64.so.2 (addr)".
	for lib in $(ldd "${bins[@]}" 2>/dev/null |
		awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u); do
		copy_file "$lib"
	done
	# bats: a bash program in three directories.
	cp -a /usr/lib/bats-core usr/lib/
	mkdir -p usr/libexec
	cp -a /usr/libexec/bats-core usr/libexec/
	cp -a /usr/bin/bats usr/bin/bats
	cp /usr/bin/busybox usr/bin/busybox
	ln -sf busybox usr/bin/sh
	for a in $(/usr/bin/busybox --list); do
		case "$a" in */* | busybox) continue ;; esac
		[ -e "usr/bin/$a" ] || [ -e "usr/sbin/$a" ] || [ -L "usr/bin/$a" ] || ln -s busybox "usr/bin/$a"
	done

	# Kernel modules, each after the ones it needs.
	: >etc/capsa-vm/modules
	for m in ${VM_MODULES:-overlay veth bridge}; do
		modprobe -S "$kver" --show-depends "$m" >"$stage/deps" 2>&1 || die "module $m: $(cat "$stage/deps")"
		while read -r kind ko _; do
			[ "$kind" = insmod ] || continue # "builtin NAME": nothing to load
			case "$ko" in
			*.ko) copy_file "$ko" ;;
			*.ko.xz) mkdir -p "$(dirname "${ko#/}")" && xz -dc "$ko" >"${ko#/}" && ko=${ko%.xz} ;;
			*.ko.zst) mkdir -p "$(dirname "${ko#/}")" && zstd -qdc "$ko" >"${ko#/}" && ko=${ko%.zst} ;;
			*) die "module $m: cannot load $ko" ;;
			esac
			grep -qxF "$ko" etc/capsa-vm/modules || echo "$ko" >>etc/capsa-vm/modules
		done <"$stage/deps"
	done
	rm -f "$stage/deps"

	# capsa-vm1 is the rootless pass's user (tests/vm/init).
	cat >etc/passwd <<-'EOF'
	root:x:0:0:root:/root:/bin/bash
	capsa-vm1:x:2000:2000:capsa VM test user:/tmp/capsa-vm1/home:/bin/sh
	nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
	EOF
	cat >etc/group <<-'EOF'
	root:x:0:
	tty:x:5:
	capsa-vm1:x:2000:
	nogroup:x:65534:
	EOF
	echo 'capsa-vm1:200000:65536' >etc/subuid
	echo 'capsa-vm1:200000:65536' >etc/subgid
	printf 'passwd: files\ngroup: files\n' >etc/nsswitch.conf
}

if ! [ -f "$base" ] || [ "$(cat "$base.key" 2>/dev/null)" != "$key" ]; then
	mkdir -p "$stage/base" "$B/vm"
	(cd "$stage/base" && build_base) # (set -e holds in the subshell)
	pack "$stage/base" "$base.tmp.$$"
	mv "$base.tmp.$$" "$base"
	echo "$key" >"$base.key"
fi

# --- the run's layer ---------------------------------------------------------

mkdir -p "$stage/run/etc/capsa-vm"
cd "$stage/run"
# capsa, its tests and the fixtures, laid out as in the work tree so that
# helpers.bash finds build/ from tests/integration.
mkdir -p capsa/build/fixtures capsa/build/tests capsa/tests
cp -a "$B/capsa" "$B/capsa-oci" capsa/build/
[ ! -x "$B/tests/recvtty" ] || cp -a "$B/tests/recvtty" capsa/build/tests/
cp -a "$B/fixtures/rootfs" capsa/build/fixtures/
cp -a "$here/tests/integration" "$here/tests/fixtures" capsa/tests/
: >etc/capsa-vm/files
for f in "${tests[@]}"; do
	[ -f "$f" ] || die "$f: no such test file"
	case "$(cd "$(dirname "$f")" && pwd)" in
	"$here/tests/integration") ;;
	*) cp "$f" capsa/tests/integration/ ;; # a file from elsewhere runs beside the others
	esac
	echo "/capsa/tests/integration/$(basename "$f")" >>etc/capsa-vm/files
done
printf '%s\n' "${FILTER:-}" >etc/capsa-vm/filter
printf '%s\n' "${VM_TEST_TIMEOUT:-600}" >etc/capsa-vm/timeout

echo "${VM_PASSES:-root rootless}" >etc/capsa-vm/passes

cp "$here/tests/vm/init" init
chmod 0755 init

pack "$stage/run" "$stage/run.cpio"
cat "$base" "$stage/run.cpio" >"$out.tmp"
mv "$out.tmp" "$out"
