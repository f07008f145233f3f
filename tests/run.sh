#!/bin/bash
# Run every test of capsa: the unit tests, then the integration suite as
# root and as two unprivileged users made for the run (capsa-t1 with
# /etc/subuid and /etc/subgid ranges, capsa-t2 without).  `make check`
# calls this after building; it builds only the test fixtures.
#
# Ends with one line "N passed, N failed, N skipped"; exits non-zero iff
# something failed.  Run as root for all phases; as another user it runs
# the unit tests and one rootless pass as that user.
#
# Environment:
#   RUNTIME=PATH      runtime under test (default build/capsa-oci);
#                     RUNTIME=runc checks the suite itself against runc
#   TESTS="a b"       integration files to run (basic, errors, ... or paths)
#   FILTER=REGEX      only integration tests whose name matches (bats -f)
#   PHASES="unit root rootless vm"   which phases to run (default: all);
#                     vm: VM_TESTS (default cgroup.bats if any, basic.bats)
#                     in a pure cgroup v2 qemu VM (tests/vm/README.md)
#   TEST_TIMEOUT=SECS per-test limit for bats (default 120)
#   KEEP_USERS=1      keep the test users afterwards (debugging)
#   TEST_USER_PREFIX=P  name the test users P1 and P2 (default capsa-t)
set -uo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
B=$here/build
RUNTIME=${RUNTIME:-$B/capsa-oci}
# A bare name (RUNTIME=runc) is resolved now: the test users' PATH differs.
if [[ "$RUNTIME" != */* ]] && command -v "${RUNTIME%% *}" >/dev/null; then
	RUNTIME="$(command -v "${RUNTIME%% *}")${RUNTIME#"${RUNTIME%% *}"}"
fi
PHASES=${PHASES:-unit root rootless vm}
TEST_TIMEOUT=${TEST_TIMEOUT:-120}
# TEST_USER_PREFIX lets runs in separate work trees proceed side by side.
USERS_WITH_RANGES=${TEST_USER_PREFIX:-capsa-t}1
USERS_WITHOUT=${TEST_USER_PREFIX:-capsa-t}2
USER_MARK="capsa test user (tests/run.sh)"

passed=0 failed=0 skipped=0
skips=() failures=()
work=""
made_users=()

log() { printf '%s\n' "$*"; }
phase() { printf '\n=== %s ===\n' "$*"; }
has_phase() { [[ " $PHASES " == *" $1 "* ]]; }

# --- cleanup: users, their processes, their subordinate ids, temp dirs ----

user_pids() { ps -u "$1" -o pid= 2>/dev/null; }

remove_user() {
	local u=$1 p tries=20
	id "$u" >/dev/null 2>&1 || return 0
	# Only our own test users: refuse to touch an account we did not make.
	[ "$(getent passwd "$u" | cut -d: -f5)" = "$USER_MARK" ] || {
		log "run.sh: user $u exists but was not made by run.sh; leaving it" >&2
		return 1
	}
	while [ -n "$(user_pids "$u")" ] && [ "$tries" -gt 0 ]; do
		for p in $(user_pids "$u"); do
			kill -9 "$p" 2>/dev/null
		done
		sleep 0.1
		tries=$((tries - 1))
	done
	userdel "$u" >/dev/null 2>&1 || log "run.sh: userdel $u failed" >&2
	drop_subids "$u"
}

# drop_subids NAME: remove NAME's lines from /etc/subuid and /etc/subgid
# (userdel normally has), editing in place so nothing else changes.
drop_subids() {
	local f
	for f in /etc/subuid /etc/subgid; do
		[ -f "$f" ] || continue
		if grep -q "^$1:" "$f"; then
			grep -v "^$1:" "$f" >"$f.capsa-tmp"
			cat "$f.capsa-tmp" >"$f"
			rm -f "$f.capsa-tmp"
		fi
	done
}

cleanup() {
	local u
	trap - EXIT INT TERM
	if [ "${KEEP_USERS:-0}" != 1 ]; then
		for u in "${made_users[@]}"; do
			remove_user "$u"
		done
	fi
	for f in subuid subgid; do
		if [ -n "$work" ] && [ -f "$work/orig-$f" ]; then
			cmp -s "$work/orig-$f" "/etc/$f" ||
				log "run.sh: note: /etc/$f differs from before the run (changed by someone else?)" >&2
		fi
	done
	if [ -n "$work" ] && [ -d "$work" ]; then
		# Nothing may still be mounted under the run's directory.
		awk -v d="$work" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo |
			sort -r | while read -r m; do
			log "run.sh: unmounting leftover $m" >&2
			umount -l "$m"
		done
		rm -rf "$work"
	fi
}
# A phase runs as a background job in its own process group (set -m), and
# the script waits for it: `wait` returns at once on a signal, so Ctrl-C or
# a TERM reaches this trap while the tests are still running, and the
# trap stops them (their teardowns run on SIGINT) before cleaning up.
set -m
job=""
interrupted() {
	local tries=150
	log "run.sh: interrupted; stopping the tests and cleaning up" >&2
	if [ -n "$job" ]; then
		kill -INT -- "-$job" 2>/dev/null
		while kill -0 -- "-$job" 2>/dev/null && [ "$tries" -gt 0 ]; do
			sleep 0.1
			tries=$((tries - 1))
		done
		kill -KILL -- "-$job" 2>/dev/null
	fi
	exit 130
}
trap cleanup EXIT
trap interrupted INT TERM

# --- counting ------------------------------------------------------------

# count_tap PHASE FILE: add a TAP stream's results to the totals.
count_tap() {
	local ph=$1 line name reason
	while IFS= read -r line; do
		case "$line" in
		"not ok "*)
			failed=$((failed + 1))
			name=${line#not ok }
			failures+=("$ph: ${name#[0-9]* }")
			;;
		"ok "*" # skip"* | "ok "*" # SKIP"*)
			skipped=$((skipped + 1))
			name=${line#ok }
			name=${name#[0-9]* } # the test number
			reason=${name#* # [sS][kK][iI][pP]}
			skips+=("$ph: ${name%% # [sS][kK][iI][pP]*} --${reason:- (no reason given)}")
			;;
		"ok "*)
			passed=$((passed + 1))
			;;
		esac
	done <"$2"
}

# tally PHASE FILE STATUS: count FILE, and a non-zero STATUS with no
# failure in it (a crash, a timeout, a broken file) is one failure.
tally() {
	local ph=$1 file=$2 st=$3 f0=$failed p0=$passed s0=$skipped
	count_tap "$ph" "$file"
	if [ "$st" -ne 0 ] && [ "$failed" -eq "$f0" ]; then
		failed=$((failed + 1))
		failures+=("$ph: exited with status $st without reporting a failure")
	fi
	log "--- $ph: $((passed - p0)) passed, $((failed - f0)) failed, $((skipped - s0)) skipped"
}

# --- unit tests ----------------------------------------------------------

run_unit() {
	local t out st n=0
	phase "unit tests (cmocka)"
	for t in "$B"/tests/test_*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		case "$t" in *.d | *.o) continue ;; esac
		n=$((n + 1))
		out=$work/unit-$(basename "$t").tap
		CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$t" >"$out" 2>&1
		st=$?
		sed 's/^/    /' "$out"
		tally "unit/$(basename "$t")" "$out" "$st"
	done
	[ "$n" -gt 0 ] || log "no unit test binaries in $B/tests (make builds them)"
}

# --- integration tests ---------------------------------------------------

bats_files() {
	local t
	if [ -z "${TESTS:-}" ]; then
		ls "$here"/tests/integration/*.bats
		return
	fi
	for t in $TESTS; do
		if [ -f "$t" ]; then
			echo "$t"
		elif [ -f "$here/tests/integration/$t" ]; then
			echo "$here/tests/integration/$t"
		elif [ -f "$here/tests/integration/$t.bats" ]; then
			echo "$here/tests/integration/$t.bats"
		else
			log "run.sh: no integration test file '$t'" >&2
			return 1
		fi
	done
}

# run_bats PHASE USER|"" ROOTLESS: the suite as USER (or the caller).
run_bats() {
	local ph=$1 user=$2 rootless=$3 out st tmp home xdg files
	local -a cmd envs
	files=$(bats_files) || { failed=$((failed + 1)); failures+=("$ph: bad TESTS"); return; }
	out=$work/$ph.tap
	phase "integration tests: $ph (RUNTIME=$RUNTIME)"
	if [ -n "$user" ]; then
		# The user's own private directories: temp files, HOME, XDG_RUNTIME_DIR.
		tmp=$work/$user
		install -d -m 0700 -o "$user" -g "$(id -gn "$user")" "$tmp" "$tmp/home" "$tmp/tmp" "$tmp/xdg"
		home=$tmp/home
		xdg=$tmp/xdg
		tmp=$tmp/tmp
		cmd=(runuser -u "$user" -- env -i)
		# Everything the user needs must be reachable through its parents.
		if ! runuser -u "$user" -- sh -c 'test -x "$1" && test -r "$2" && test -r "$3"' _ \
			"${RUNTIME%% *}" "$B/fixtures/rootfs/etc/passwd" "$here/tests/integration/helpers.bash"; then
			log "run.sh: $user cannot reach $RUNTIME, $B/fixtures or $here/tests (check the parent directories' permissions)"
			failed=$((failed + 1))
			failures+=("$ph: the test user cannot read the build or the tests")
			return
		fi
	else
		tmp=$work/$ph
		install -d -m 0755 "$tmp"
		home=$HOME
		xdg=${XDG_RUNTIME_DIR:-}
		cmd=(env -i)
	fi
	envs=(PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8
		HOME="$home" TMPDIR="$tmp" RUNTIME="$RUNTIME" ROOTLESS="$rootless"
		CAPSA_ROOTFS="$B/fixtures/rootfs" BATS_TEST_TIMEOUT="$TEST_TIMEOUT")
	[ -z "$xdg" ] || envs+=(XDG_RUNTIME_DIR="$xdg")
	[ -z "${RECVTTY:-}" ] || envs+=(RECVTTY="$RECVTTY")
	local -a fargs=()
	[ -z "${FILTER:-}" ] || fargs=(-f "$FILTER")
	# shellcheck disable=SC2086
	{
		"${cmd[@]}" "${envs[@]}" timeout --foreground 3600 bats --tap "${fargs[@]}" $files </dev/null 2>&1
		echo $? >"$out.status"
	} | tee "$out" &
	job=$!
	wait "$job"
	job=""
	st=$(cat "$out.status" 2>/dev/null || echo 1)
	tally "$ph" "$out" "$st"
}

# run_vm: VM_TESTS in the pure cgroup v2 VM; a skip when it cannot run here.
run_vm() {
	local out=$work/vm.tap st reason
	phase "integration tests in a pure cgroup v2 VM (tests/vm)"
	# shellcheck disable=SC2086
	{
		"$here/tests/vm/check.sh" --tap "$out" ${VM_TESTS:-} </dev/null 2>&1
		echo $? >"$out.status"
	} | tee "$work/vm.log" &
	job=$!
	wait "$job"
	job=""
	st=$(cat "$out.status" 2>/dev/null || echo 1)
	if [ "$st" -eq 77 ]; then
		reason=$(sed -n 's/^skip: //p' "$work/vm.log" | head -n 1)
		skipped=$((skipped + 1))
		skips+=("$reason")
		log "--- vm: skipped: $reason"
		return
	fi
	tally vm "$out" "$st"
}

# make_user NAME WITH_RANGES: a fresh account for the rootless passes.
make_user() {
	local u=$1 ranges=$2 start
	if id "$u" >/dev/null 2>&1; then
		remove_user "$u" || return 1 # a leftover of an interrupted run
	fi
	# No automatic subordinate ids: only the ranges this script gives.
	useradd -M -d /nonexistent -s /bin/sh -c "$USER_MARK" \
		-K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$u" || return 1
	made_users+=("$u")
	drop_subids "$u"
	if [ "$ranges" = 1 ]; then
		# Above every range already handed out, so nothing overlaps.
		start=$(cat /etc/subuid /etc/subgid 2>/dev/null |
			awk -F: 'BEGIN { m = 1000000 } $2 + $3 > m { m = $2 + $3 } END { print m }')
		usermod --add-subuids "$start-$((start + 65535))" \
			--add-subgids "$start-$((start + 65535))" "$u" || return 1
	fi
}

# --- the run -------------------------------------------------------------

work=$(mktemp -d /tmp/capsa-check.XXXXXX) || exit 1
# Traversable by the test users and by ids mapped in user namespaces;
# each user's own files live in a private directory below.
chmod 0755 "$work"

if [ "$(id -u)" -eq 0 ]; then
	for f in subuid subgid; do
		[ ! -f "/etc/$f" ] || cp -p "/etc/$f" "$work/orig-$f"
	done
	find /sys/fs/cgroup -maxdepth 6 -type d -name 'capsa-test-*' 2>/dev/null | sort >"$work/cgroups-before"
	find /sys/fs/cgroup -maxdepth 6 -type d -name capsa 2>/dev/null | sort >"$work/parents-before"
fi

log "capsa tests: RUNTIME=$RUNTIME PHASES=\"$PHASES\"${TESTS:+ TESTS=\"$TESTS\"}${FILTER:+ FILTER=$FILTER}"

has_phase unit && run_unit

if has_phase root || has_phase rootless; then
	phase "fixtures"
	if "$here/tests/fixtures/mkrootfs.sh" "$B/fixtures/rootfs"; then
		chmod a+rX "$B" "$B/fixtures"
	else
		failed=$((failed + 1))
		failures+=("fixtures: mkrootfs.sh failed")
		PHASES=unit
	fi
	# Test images (image.bats); only when that file runs.
	if [[ -z "${TESTS:-}" || " $TESTS " == *" image "* || " $TESTS " == *" engine_image "* ]] &&
		! "$here/tests/fixtures/mkimages.sh" "$B/fixtures/images" >/dev/null; then
		failed=$((failed + 1))
		failures+=("fixtures: mkimages.sh failed")
	fi
	if [[ "$RUNTIME" == "$B/"* ]] && ! [ -x "${RUNTIME%% *}" ]; then
		log "run.sh: $RUNTIME does not exist: run make first"
	fi
fi

if [ "$(id -u)" -eq 0 ]; then
	has_phase root && run_bats root "" 0
	if has_phase rootless; then
		phase "test users"
		if make_user "$USERS_WITH_RANGES" 1 && make_user "$USERS_WITHOUT" 0; then
			log "$USERS_WITH_RANGES: uid $(id -u "$USERS_WITH_RANGES"), subuid $(grep "^$USERS_WITH_RANGES:" /etc/subuid)"
			log "$USERS_WITHOUT: uid $(id -u "$USERS_WITHOUT"), no subordinate ids"
			run_bats "rootless-$USERS_WITH_RANGES" "$USERS_WITH_RANGES" 1
			run_bats "rootless-$USERS_WITHOUT" "$USERS_WITHOUT" 1
		else
			failed=$((failed + 1))
			failures+=("rootless: could not create the test users")
		fi
	fi
else
	has_phase root && log "(not root: the root pass and the test users are skipped)"
	has_phase rootless && run_bats "rootless-$(id -un)" "" 1
fi

has_phase vm && run_vm

# Cgroups named by the test bundles (runc makes them; delete removes them).
if [ "$(id -u)" -eq 0 ]; then
	left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name 'capsa-test-*' 2>/dev/null | sort |
		comm -13 "$work/cgroups-before" -)
	if [ -n "$left" ]; then
		failed=$((failed + 1))
		failures+=("cgroups left behind: $(echo $left)")
		echo "$left" | sort -r | xargs -r rmdir 2>/dev/null
	fi
	# The engine keeps its `capsa` parent cgroup (as docker keeps its
	# own); the run removes the ones it made, when empty.
	find /sys/fs/cgroup -maxdepth 6 -type d -name capsa 2>/dev/null | sort |
		comm -13 "$work/parents-before" - | sort -r | xargs -r rmdir 2>/dev/null || true
fi

phase "summary"
for s in "${skips[@]}"; do
	log "skip: $s"
done
for s in "${failures[@]}"; do
	log "FAIL: $s"
done
log "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
