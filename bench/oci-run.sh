#!/bin/sh
# Container start time: `capsa-oci run` of a busybox bundle running /bin/true,
# side by side with crun, runc and the bare-kernel reference (ref-clone), in
# ONE hyperfine run, then the ratios.  See bench/README.md.
#
# Usage: bench/oci-run.sh            (as root; bench/run.sh builds ref-clone)
# Environment:
#   BENCH_RUNS=100 BENCH_WARMUP=10   hyperfine --runs / --warmup
#   CAPSA_OCI=build/capsa-oci        the capsa runtime under test
#   CAPSA_BIN=build/capsa            the binary whose libraries ldd checks
#
# crun 1.8 refuses hybrid cgroups (v1 controllers + a v2 hierarchy), so the
# whole hyperfine runs inside a private mount namespace where /sys/fs/cgroup
# is a fresh cgroup2 mount, with crun's cgroup manager disabled.  runc then
# sees a pure cgroup2 host and creates (and on exit removes) one cgroup per
# run, /sys/fs/cgroup/<id>, in the host's cgroup2 hierarchy.  Every runtime
# reads the same config.json and keeps its state on a tmpfs that lives only
# inside that namespace.
set -eu

SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$SELF")/.."
OUT=bench/out
BUNDLE=$PWD/$OUT/bundle
ROOTFS=$BUNDLE/rootfs
JSON=$OUT/oci-run.json
REF=$PWD/$OUT/ref-clone
CAPSA_OCI=${CAPSA_OCI:-build/capsa-oci}
CAPSA_BIN=${CAPSA_BIN:-build/capsa}
RUNS=${BENCH_RUNS:-100}
WARMUP=${BENCH_WARMUP:-10}
# Names of the containers; each `run` without --detach deletes its own
# container when the process exits, and hyperfine's --setup deletes any
# leftover once, before a command's runs.  Not --prepare before each run:
# the sh and the runtime it starts would still be exiting while the timed
# run starts, which on a 2-vCPU VM slows that run (by ~1 ms here: capsa
# 6.5 ms with it, 5.5 without), a constant that narrows every ratio.
ID_CAPSA="capsa-bench-capsa"
ID_CRUN="capsa-bench-crun"
ID_RUNC="capsa-bench-runc"

say() { printf 'oci-run: %s\n' "$*"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.4f", s * 1000 }'; }
die() {
	printf 'oci-run: error: %s\n' "$*" >&2
	exit 1
}

# ---------------------------------------------------------------------------
# Inside the private mount namespace (the script re-invokes itself there).
# Arguments: STATE_DIR CAPSA(0|1) CRUN RUNC
# ---------------------------------------------------------------------------

# Delete our containers whatever state they are in, and the cgroup runc may
# leave behind after a crash; nothing else is touched.
inner_cleanup() {
	if [ "$use_capsa" = 1 ]; then
		"$capsa" --root "$state/capsa" delete --force "$ID_CAPSA" >/dev/null 2>&1 || true
		"$capsa" --root "$state/capsa" delete --force "$ID_CAPSA-cg" >/dev/null 2>&1 || true
	fi
	"$crun" --cgroup-manager=disabled --root "$state/crun" delete --force "$ID_CRUN" >/dev/null 2>&1 || true
	"$runc" --root "$state/runc" delete --force "$ID_RUNC" >/dev/null 2>&1 || true
	if [ -d "/sys/fs/cgroup/$ID_RUNC" ]; then
		rmdir "/sys/fs/cgroup/$ID_RUNC" || true
	fi
}

# Run one runtime once; it must exit 0 and leave no state behind.
probe() {
	name=$1
	root=$2
	shift 2
	if ! err=$("$@" 2>&1); then
		printf '%s\n' "$err" >&2
		return 1
	fi
	if [ -n "$root" ] && [ -n "$(ls -A "$root" 2>/dev/null)" ]; then
		echo "oci-run: $name left state behind in its --root: $(ls -A "$root")" >&2
		return 1
	fi
	return 0
}

inside() {
	state=$1
	use_capsa=$2
	crun=$3
	runc=$4
	case $CAPSA_OCI in
	/*) capsa=$CAPSA_OCI ;;
	*) capsa=$PWD/$CAPSA_OCI ;;
	esac
	trap inner_cleanup EXIT
	trap 'exit 130' INT TERM

	mount --make-rprivate /
	mount -t cgroup2 none /sys/fs/cgroup
	# State on a tmpfs private to this namespace: it vanishes with it.
	mount -t tmpfs -o mode=0700 capsa-bench "$state"
	mkdir "$state/capsa" "$state/crun" "$state/runc"

	probe crun "$state/crun" "$crun" --cgroup-manager=disabled --root "$state/crun" \
		run -b "$BUNDLE" "$ID_CRUN" || die "crun cannot run the bundle in the cgroup2 namespace"
	probe runc "$state/runc" "$runc" --root "$state/runc" run -b "$BUNDLE" "$ID_RUNC" ||
		die "runc cannot run the bundle in the cgroup2 namespace"
	probe ref-clone "" "$REF" "$ROOTFS" /bin/true || die "ref-clone cannot run the rootfs"
	capsa_cmd=""
	if [ "$use_capsa" = 1 ]; then
		# As crun runs: no cgroup (crun --cgroup-manager=disabled).  capsa-cg
		# below is capsa with its cgroup, as runc runs.
		capsa_cmd="$capsa --cgroup-manager=disabled --root $state/capsa run -b $BUNDLE $ID_CAPSA"
		capsa_cg_cmd="$capsa --root $state/capsa run -b $BUNDLE $ID_CAPSA-cg"
		if ! probe capsa "$state/capsa" $capsa_cmd || ! probe capsa-cg "$state/capsa" $capsa_cg_cmd; then
			echo "oci-run: CAPSA FAILED: '$capsa_cmd' did not run cleanly; benchmarking the others only" >&2
			inner_cleanup
			use_capsa=0
			: >"$OUT/.capsa-failed"
		fi
	fi

	# One --setup for all (hyperfine 1.15 takes one): the leftovers of a
	# failed earlier bench.
	setup="$crun --cgroup-manager=disabled --root $state/crun delete --force $ID_CRUN; \
$runc --root $state/runc delete --force $ID_RUNC"
	[ "$use_capsa" = 0 ] || setup="$setup; $capsa --root $state/capsa delete --force $ID_CAPSA; \
$capsa --root $state/capsa delete --force $ID_CAPSA-cg"
	set -- hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$JSON" \
		-s "sh -c '{ $setup; } >/dev/null 2>&1; true'"
	if [ "$use_capsa" = 1 ]; then
		set -- "$@" -n capsa "$capsa_cmd" -n capsa-cg "$capsa_cg_cmd"
	fi
	set -- "$@" -n crun "$crun --cgroup-manager=disabled --root $state/crun run -b $BUNDLE $ID_CRUN"
	set -- "$@" -n runc "$runc --root $state/runc run -b $BUNDLE $ID_RUNC"
	set -- "$@" -n ref-clone "$REF $ROOTFS /bin/true"
	"$@"
}

if [ "${1:-}" = __inside ]; then
	shift
	inside "$@"
	exit 0
fi

# ---------------------------------------------------------------------------
# Outside: checks, the bundle, then the namespace, then the report.
# ---------------------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "run as root (crun and runc run the bundle as root)"
for t in hyperfine jq crun runc unshare; do
	command -v "$t" >/dev/null || die "$t not found; run scripts/deps.sh --bench"
done
[ -x "$REF" ] || die "$REF missing; run bench/run.sh (it builds the reference programs)"
case $RUNS$WARMUP in *[!0-9]*) die "BENCH_RUNS and BENCH_WARMUP must be numbers" ;; esac

# Performance rule 1: the binary that runs containers loads nothing heavy.
check_links() {
	bin=$CAPSA_BIN
	if [ ! -e "$bin" ]; then
		say "ldd: $bin not built, link check skipped"
		return 0
	fi
	echo "== ldd $bin"
	libs=$(ldd "$bin" 2>&1 || true)
	printf '%s\n' "$libs"
	heavy=$(printf '%s\n' "$libs" | awk '$1 ~ /^lib(curl|archive|crypto)\.so/ { printf " %s", $1 }')
	if [ -n "$heavy" ]; then
		echo "oci-run: FAIL: $bin links$heavy (DESIGN.md performance rule 1)" >&2
		exit 1
	fi
}
check_links

use_capsa=0
if [ -x "$CAPSA_OCI" ] && "$CAPSA_OCI" --help >/dev/null 2>&1; then
	use_capsa=1
else
	say "NOTE: $CAPSA_OCI missing or '$CAPSA_OCI --help' fails: capsa is skipped, only crun, runc and ref-clone are measured"
fi

# The busybox rootfs: the test fixture when there is one, otherwise the
# least that runs /bin/true and a shell.
make_rootfs() {
	rm -rf "$BUNDLE"
	mkdir -p "$BUNDLE"
	if [ -x tests/fixtures/mkrootfs.sh ]; then
		tests/fixtures/mkrootfs.sh "$ROOTFS" >/dev/null
	else
		bb=$(command -v busybox) || die "busybox not found; run scripts/deps.sh"
		mkdir -p "$ROOTFS/bin" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev" \
			"$ROOTFS/tmp" "$ROOTFS/etc"
		cp "$bb" "$ROOTFS/bin/busybox"
		ln -s busybox "$ROOTFS/bin/true"
		ln -s busybox "$ROOTFS/bin/sh"
	fi
	[ -e "$ROOTFS/bin/true" ] || die "rootfs $ROOTFS has no /bin/true"
}

# One config.json for every runtime: crun's default spec, no terminal,
# /bin/true, hostname as ref-clone sets it, and a cgroup namespace so that
# the runtimes create the same six namespaces as ref-clone.
make_config() {
	tmp=$(mktemp -d)
	(cd "$tmp" && crun spec) || {
		rm -rf "$tmp"
		die "crun spec failed"
	}
	jq '.process.terminal = false | .process.args = ["/bin/true"]
	    | .hostname = "container"
	    | .linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])' \
		"$tmp/config.json" >"$BUNDLE/config.json"
	rm -rf "$tmp"
}

make_rootfs
make_config
say "bundle $BUNDLE ($(jq -r '[.linux.namespaces[].type] | join(",")' "$BUNDLE/config.json") namespaces)"

state=$(mktemp -d /run/capsa-bench.XXXXXX)
trap 'rm -rf "$state" "$OUT/.capsa-failed"' EXIT
trap 'exit 130' INT TERM
rm -f "$OUT/.capsa-failed" "$JSON"
# mount(8) would create /run/mount for its utab; keep that in $state too.
LIBMOUNT_UTAB=$state/utab unshare -m -- "$SELF" __inside "$state" "$use_capsa" "$(command -v crun)" "$(command -v runc)"
capsa_failed=0
[ -e "$OUT/.capsa-failed" ] && capsa_failed=1

# The report: milliseconds and ratios from hyperfine's JSON.
echo
echo "== container start of /bin/true, $RUNS runs, ms"
printf '%-10s %8s %8s %8s %8s\n' runtime median mean stddev min
jq -r '.results[] | [.command, .median, .mean, .stddev, .min] | map(tostring) | join(" ")' "$JSON" |
	while read -r n med mean sd min; do
		printf '%-10s %8.2f %8.2f %8.2f %8.2f\n' "$n" "$(ms "$med")" "$(ms "$mean")" \
			"$(ms "$sd")" "$(ms "$min")"
	done

echo
echo "== ratios of medians (A/B = how many times slower A is than B)"
ratios=$(jq -r '
	(.results | map({key: .command, value: .median}) | from_entries) as $m
	| [["crun", "capsa"], ["runc", "capsa-cg"], ["capsa-cg", "capsa"], ["capsa", "ref-clone"],
	   ["crun", "ref-clone"], ["runc", "ref-clone"]][]
	| select($m[.[0]] != null and $m[.[1]] != null)
	| "\(.[0])/\(.[1]) \($m[.[0]] / $m[.[1]])"' "$JSON")
printf '%s\n' "$ratios" | while read -r k v; do
	printf '%-16s %6.2f\n' "$k" "$v"
done

if [ "$use_capsa" = 1 ] && [ "$capsa_failed" = 0 ]; then
	x=$(printf '%s\n' "$ratios" | awk '$1 == "crun/capsa" { printf "%.2f", $2 }')
	if awk -v x="$x" 'BEGIN { exit !(x >= 3) }'; then
		say "target met: crun/capsa = $x (target >= 3)"
	else
		say "target NOT met: crun/capsa = $x (target >= 3)"
	fi
fi
say "raw timings: $JSON"
[ "$capsa_failed" = 0 ] || die "capsa failed to run the bundle (see above)"
