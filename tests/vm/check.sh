#!/bin/bash
# Run integration tests on a pure cgroup v2 host: Debian's kernel under
# qemu (software emulation: no /dev/kvm is needed), an initramfs with
# capsa, bats and the fixtures, only cgroup2 mounted.  See tests/vm/README.md.
#
#   tests/vm/check.sh [--tap FILE] [BATS-FILE...]
#
# BATS-FILE: a name in tests/integration (cgroup, basic.bats) or a path;
# default: cgroup.bats when it exists, and basic.bats.  --tap FILE writes
# the VM's TAP stream there (tests/run.sh counts it).
#
# Prints the console as it goes, then "vm: N passed, N failed, N skipped".
# Exits 0 when everything passed, 1 on a failure, a timeout (qemu is
# killed) or a VM that gave no result, 77 when it cannot run here (no qemu,
# no kernel: the reason is printed as "skip: ...").
#
# Environment:
#   VM_KERNEL=PATH   kernel to boot (default: the newest /boot/vmlinuz-*
#                    with modules in /lib/modules)
#   VM_MEM=MB        guest memory (default 2048)    VM_SMP=N  cpus (default 2)
#   VM_TIMEOUT=SECS  limit for the whole VM run (default 3000)
#   VM_PASSES="..."  root, rootless or both (default "root rootless")
#   VM_MODULES="..." kernel modules to load (default "overlay veth bridge")
#   FILTER=REGEX     only tests whose name matches (bats -f)
#   VM_TEST_TIMEOUT=S  per-test limit inside the VM (default 600)
#   VM_KEEP=1        keep the temporary directory (initramfs, console log)
set -uo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
B=$here/build
tapout=""

usage() {
	sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//'
}

files=()
while [ $# -gt 0 ]; do
	case "$1" in
	--tap)
		[ $# -ge 2 ] || { usage >&2; exit 2; }
		tapout=$2
		shift 2
		;;
	-h | --help) usage; exit 0 ;;
	-*) echo "check.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) files+=("$1"); shift ;;
	esac
done

skip() {
	echo "skip: $*"
	[ -z "$tapout" ] || : >"$tapout"
	exit 77
}

# --- what to run ----------------------------------------------------------

if [ ${#files[@]} -eq 0 ]; then
	[ ! -f "$here/tests/integration/cgroup.bats" ] || files+=(cgroup)
	files+=(basic)
fi
paths=()
for t in "${files[@]}"; do
	if [ -f "$t" ]; then
		paths+=("$(cd "$(dirname "$t")" && pwd)/$(basename "$t")")
	elif [ -f "$here/tests/integration/$t" ]; then
		paths+=("$here/tests/integration/$t")
	elif [ -f "$here/tests/integration/$t.bats" ]; then
		paths+=("$here/tests/integration/$t.bats")
	else
		echo "check.sh: no integration test file '$t'" >&2
		exit 2
	fi
done

# --- what to run it with ----------------------------------------------------

qemu=$(command -v qemu-system-x86_64) || skip "vm: qemu-system-x86_64 is not installed (scripts/deps.sh --vm)"
if [ -n "${VM_KERNEL:-}" ]; then
	kernel=$VM_KERNEL
	[ -r "$kernel" ] || skip "vm: kernel $kernel: not readable"
else
	kernel=""
	for k in $(printf '%s\n' /boot/vmlinuz-* | sort -V); do
		[ -d "/lib/modules/${k#/boot/vmlinuz-}" ] && kernel=$k
	done
	[ -n "$kernel" ] || skip "vm: no kernel with modules in /boot (install linux-image-amd64: scripts/deps.sh --vm)"
	[ -r "$kernel" ] || skip "vm: kernel $kernel: not readable (Debian makes it root's only)"
fi
kver=${kernel##*/vmlinuz-}
[ -d "/lib/modules/$kver" ] || skip "vm: no /lib/modules/$kver for kernel $kernel"
[ -x "$B/capsa" ] || { echo "check.sh: $B/capsa: not built (make)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/capsa-vm.XXXXXX") || exit 1
cleanup() {
	if [ "${VM_KEEP:-0}" = 1 ]; then
		echo "check.sh: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

"$here/tests/fixtures/mkrootfs.sh" "$B/fixtures/rootfs" || exit 1
t0=$(date +%s)
"$here/tests/vm/mkinitramfs.sh" "$tmp/initramfs.cpio" "$kver" "${paths[@]}" || exit 1
t1=$(date +%s)
echo "vm: initramfs $(($(stat -c %s "$tmp/initramfs.cpio") / 1048576)) MiB in $((t1 - t0)) s; booting $kernel"

# --- the run -----------------------------------------------------------------

# No network device (-nic none, -nodefaults): nothing leaves the VM.  The
# serial port is the console; qemu's stdin is /dev/null.
timeout=${VM_TIMEOUT:-3000}
{
	timeout -k 10 "$timeout" "$qemu" -nodefaults -no-user-config -machine pc -accel tcg \
		-cpu max -smp "${VM_SMP:-2}" -m "${VM_MEM:-2048}" -display none -monitor none \
		-serial stdio -nic none -no-reboot \
		-kernel "$kernel" -initrd "$tmp/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 quiet loglevel=3 rdinit=/init ${VM_APPEND:-}" </dev/null 2>&1
	echo $? >"$tmp/qemu.status"
	times >"$tmp/qemu.times" # 2nd line: the children's (qemu's) user and system time
} | sed -u 's/\r//g' | tee "$tmp/console.log" |
	sed -u '/^capsa-vm: tap begin$/,/^capsa-vm: tap end$/d; s/^/vm| /'
st=$(cat "$tmp/qemu.status" 2>/dev/null || echo 1)
t2=$(date +%s)

sed -n '/^capsa-vm: tap begin$/,/^capsa-vm: tap end$/p' "$tmp/console.log" |
	sed '1d;$d' >"$tmp/tap"
[ -z "$tapout" ] || cp "$tmp/tap" "$tapout"
summary=$(sed -n 's/^capsa-vm: \([0-9]* passed, [0-9]* failed, [0-9]* skipped\)$/\1/p' "$tmp/console.log" | tail -n 1)

grep '^not ok ' "$tmp/tap" | sed 's/^/vm: FAIL: /'
cpu=$(sed -n 2p "$tmp/qemu.times" 2>/dev/null | awk '{
	n = 0; for (i = 1; i <= 2; i++) { split($i, t, "m"); n += t[1] * 60 + t[2] } printf "%d", n }')
echo "vm: VM ran $((t2 - t1)) s, qemu used ${cpu:-?} s of CPU (kernel $kver, TCG," \
	"${VM_SMP:-2} cpus, ${VM_MEM:-2048} MiB)"
if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
	echo "vm: timed out after $timeout s: qemu killed"
	[ -z "$tapout" ] || echo "not ok 999 the VM timed out after $timeout s" >>"$tapout"
	exit 1
fi
if [ -z "$summary" ]; then
	echo "vm: the VM gave no result (qemu exit status $st; console above)"
	[ -z "$tapout" ] || echo "not ok 999 the VM gave no result (qemu status $st)" >>"$tapout"
	exit 1
fi
echo "vm: $summary"
case "$summary" in
*" 0 failed,"*) [ "$st" -eq 0 ] || { echo "vm: qemu exited with status $st"; exit 1; } ;;
*) exit 1 ;;
esac
