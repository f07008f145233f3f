#!/usr/bin/env bats
# Detached containers: ps, logs, exec, stop, kill, wait, restart, rename,
# rm, create/start, inspect, prune, names and ID prefixes.

load engine_helpers

@test "engine lifecycle: run -d prints the full ID; ps shows it by short ID and name" {
	id=$(ctr_d --name web sh -c 'sleep 100')
	[[ "$id" =~ ^[0-9a-f]{64}$ ]]
	run cap ps
	assert_status 0
	assert_output_has "${id:0:12}"
	assert_output_has web
	assert_output_has "Up "
	run cap ps -q
	[ "$output" = "${id:0:12}" ]
	run cap list --format json
	[ "$(echo "$output" | jq -r '.[0].Name')" = web ]
	run cap inspect "${id:0:5}"
	[ "$(echo "$output" | jq -r '.[0].Id')" = "$id" ]
	[ "$(echo "$output" | jq -r '.[0].State.Running')" = true ]
}

@test "engine lifecycle: generated names; a name in use is refused" {
	ctr_d sh -c 'sleep 100' >/dev/null
	name=$(cap ps --format json | jq -r '.[0].Name')
	[[ "$name" =~ ^[a-z]+_[a-z]+_[0-9]+$ ]]
	run ctr -d --name "$name" true
	assert_status 125
	assert_output_has "already in use"
	[ "$(cap ps -aq | wc -l)" -eq 1 ]
}

@test "engine lifecycle: logs after exit, with -t, --tail, --since, streams kept apart" {
	ctr_d --name l sh -c 'echo one; echo two >&2; echo three; printf partial' >/dev/null
	run cap wait l
	[ "$output" = 0 ]
	run cap logs l
	assert_output_has one
	assert_output_has two
	assert_output_has partial
	[ "$(cap logs l 2>/dev/null | tr '\n' ' ')" = "one three partial" ]
	[ "$(cap logs l 2>&1 >/dev/null)" = two ]
	ctr_d --name o sh -c 'echo a; echo b; echo c; printf part' >/dev/null
	cap wait o
	run cap logs --tail 1 o
	[ "$output" = part ]
	run cap logs --tail 3 o
	[ "$output" = "b"$'\n'"c"$'\n'"part" ]
	run cap logs -t l
	[[ "${lines[0]}" =~ ^20[0-9-]+T[0-9:.]+Z\  ]]
	run cap logs --since 2000-01-01T00:00:00Z l
	assert_output_has one
	run cap logs --since 2999-01-01 l
	[ -z "$output" ]
}

@test "engine lifecycle: logs -f follows a running container until it exits" {
	ctr_d --name f sh -c 'touch /tmp/go; while [ ! -e /tmp/more ]; do sleep 0.05; done; echo late; sleep 0.2' >/dev/null
	wait_for -e "$ROOTFS/tmp/go"
	cap logs -f f >"$TEST_DIR/follow" &
	fpid=$!
	touch "$ROOTFS/tmp/more"
	wait "$fpid"
	grep -q late "$TEST_DIR/follow"
}

@test "engine lifecycle: the log rotates at --log-max-size and reads across" {
	ctr_d --name r --log-max-size 4k sh -c 'i=0; while [ $i -lt 200 ]; do echo line$i; i=$((i+1)); done' >/dev/null
	cap wait r
	[ -e "$CAPSA_ROOT/containers/$(cap inspect r | jq -r '.[0].Id')/ctr.log.1" ]
	run cap logs --tail 2 r
	[ "${lines[1]}" = line199 ]
}

@test "engine lifecycle: exec sees the container's PID namespace and filesystem" {
	ctr_d --name e sh -c 'echo inside > /tmp/mark; sleep 100' >/dev/null
	wait_for -e "$ROOTFS/tmp/mark"
	run cap exec e sh -c 'cat /tmp/mark; ps -o pid,comm | grep sleep'
	assert_status 0
	assert_output_has inside
	[[ "$output" =~ (^|[^0-9])1\ +sleep ]]
	run cap exec -e X=y -w /tmp e sh -c 'echo $X; pwd'
	assert_output_has y
	assert_output_has /tmp
	run cap exec e sh -c 'exit 7'
	assert_status 7
	run cap exec e /nope
	assert_status 127
}

@test "engine lifecycle: exec -u resolves names in the container" {
	require_ctr_users
	ctr_d --name u sh -c 'sleep 100' >/dev/null
	run cap exec -u user u id -u
	[ "$output" = 1000 ]
}

@test "engine lifecycle: stop escalates to SIGKILL for a process that ignores SIGTERM" {
	ctr_d --name s sh -c 'trap "" TERM; sleep 100' >/dev/null
	run cap stop -t 1 s
	assert_status 0
	[ "$(state_of s)" = exited ]
	[ "$(cap inspect s | jq -r '.[0].State.ExitCode')" = 137 ]
}

@test "engine lifecycle: stop with a trapped SIGTERM records the exit code; --stop-signal" {
	ctr_d --name t sh -c 'trap "exit 9" TERM; touch /tmp/t; while :; do sleep 0.1; done' >/dev/null
	wait_for -e "$ROOTFS/tmp/t"
	cap stop t
	[ "$(cap inspect t | jq -r '.[0].State.ExitCode')" = 9 ]
	ctr_d --name h --stop-signal HUP sh -c 'trap "exit 4" HUP; touch /tmp/h; while :; do sleep 0.1; done' >/dev/null
	wait_for -e "$ROOTFS/tmp/h"
	cap stop h
	[ "$(cap inspect h | jq -r '.[0].State.ExitCode')" = 4 ]
}

@test "engine lifecycle: kill -s, wait prints the code" {
	ctr_d --name k sh -c 'trap "exit 3" USR1; touch /tmp/k; while :; do sleep 0.1; done' >/dev/null
	wait_for -e "$ROOTFS/tmp/k"
	cap kill -s USR1 k
	run cap wait k
	[ "$output" = 3 ]
}

@test "engine lifecycle: wait on a --rm container prints its code, also once it is removed" {
	# Waiting while it runs: the record goes as it exits.
	id=$(ctr_d --rm sh -c 'touch /tmp/w; sleep 0.5; exit 7')
	run cap wait "$id"
	assert_status 0
	[ "$output" = 7 ]
	# Exited and removed before wait looked: by its full ID only (its
	# name is free again).
	id=$(ctr_d --rm --name gone sh -c 'exit 9')
	gone() { ! cap ps -aq --no-trunc | grep -q "$1"; }
	retry gone "$id"
	run cap wait "$id"
	assert_status 0
	[ "$output" = 9 ]
	run cap wait gone
	assert_status 1
	assert_output_has "no such container"
}

@test "engine lifecycle: create, start, start -a, restart" {
	id=$(cap create --rootfs "$ROOTFS" -e "CAPSA_TEST_MARK=$CAPSA_TEST_MARK" --name c sh -c 'echo ran >>/tmp/runs; sleep 100')
	[ "$(state_of c)" = created ]
	cap start c </dev/null >/dev/null 2>&1 3>&-
	[ "$(state_of c)" = running ]
	cap restart -t 0 c </dev/null >/dev/null 2>&1 3>&-
	# (The count is taken anew each try: wait_for would test one value.)
	retry bash -c "[ \"\$(grep -c ran '$ROOTFS/tmp/runs')\" -eq 2 ]"
	[ "$(state_of "${id:0:12}")" = running ]
	cap create --rootfs "$ROOTFS" --name a sh -c 'echo attached; exit 6'
	run cap start -a a
	assert_status 6
	assert_output_has attached
}

@test "engine lifecycle: rename; lookups by new name, old name gone" {
	ctr_d --name old sh -c 'sleep 100' >/dev/null
	cap rename old new
	run cap inspect new
	assert_status 0
	run cap inspect old
	assert_status 1
	assert_output_has "no such container"
}

@test "engine lifecycle: rm refuses a running container, rm -f takes several" {
	ctr_d --name a1 sh -c 'sleep 100' >/dev/null
	ctr_d --name a2 sh -c 'sleep 100' >/dev/null
	run cap rm a1
	assert_status 1
	assert_output_has "is running"
	run cap rm -f a1 a2
	assert_status 0
	[ -z "$(cap ps -aq)" ]
}

no_containers() { [ -z "$(cap ps -aq)" ]; }

@test "engine lifecycle: --rm leaves nothing, detached and in the foreground" {
	ctr_d --rm --name gone sh -c 'echo bye' >/dev/null
	retry no_containers
	ctr --rm true
	[ -z "$(cap ps -aq)" ]
	[ -z "$(find "$CAPSA_ROOT/containers" "$CAPSA_ROOT/oci" "$CAPSA_ROOT/names" -mindepth 1)" ]
}

@test "engine lifecycle: a foreground run is running for ps, exec and stop; its exit is recorded" {
	ctr --name fgr sh -c 'touch /tmp/up; sleep 30' >/dev/null 2>&1 </dev/null &
	pid=$!
	wait_for -e "$ROOTFS/tmp/up"
	[ "$(state_of fgr)" = running ]
	cap ps | grep -q fgr
	run cap exec fgr cat /tmp/up
	assert_status 0
	cap stop -t 0 fgr
	st=0
	wait "$pid" || st=$?
	[ "$st" = 137 ]
	[ "$(state_of fgr)" = exited ]
	[ "$(cap inspect fgr | jq -r '.[0].State.ExitCode')" = 137 ]
}

@test "engine lifecycle: container prune removes every stopped container" {
	ctr --name x1 true
	ctr --name x2 false || true
	ctr_d --name live sh -c 'sleep 100' >/dev/null
	run cap container prune -f
	assert_status 0
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	[ "$(cap ps -aq | wc -l)" -eq 1 ]
}

@test "engine lifecycle: a detached container's monitor and init hold no descriptor of the caller's" {
	# An inherited descriptor without close-on-exec (a shell's exec 7>,
	# a test runner's output pipe) kept open by the monitor would make
	# whoever reads its other end wait for the container's end.
	exec 7>"$TEST_DIR/held"
	ctr_d --name fds sleep 100 >/dev/null
	exec 7>&-
	local id pid p f n=0
	id=$(cap inspect fds | jq -r '.[0].Id')
	pid=$(cap inspect fds | jq -r '.[0].State.Pid')
	for p in $(monitor_pids) "$pid"; do
		for f in /proc/"$p"/fd/*; do
			[ "$(readlink "$f")" != "$TEST_DIR/held" ] || { echo "$p holds it: $f" >&2; n=$((n + 1)); }
		done
	done
	[ "$n" = 0 ]
}

@test "engine lifecycle: the monitor stays small" {
	ctr_d --name m sh -c 'while :; do echo tick; sleep 0.05; done' >/dev/null
	sleep 0.5
	pid=$(monitor_pids | head -1)
	rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
	echo "monitor RSS: $rss kB" >&2
	[ "$rss" -le 1024 ]
}

# On a hybrid host from Linux 5.2 on, the unified directory has
# cgroup.freeze, cgroup.threads and cpu.stat: pause, the task count and
# the CPU usage need no v1 freezer, pids or cpuacct directory there
# (src/runtime/cgroup.c; cpuacct mounted with cpu stays with it).
unified_stands_in() {
	[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ] &&
		[ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] &&
		awk -v r="$(uname -r)" 'BEGIN { split(r, v, "."); exit !(v[1] > 5 || (v[1] == 5 && v[2] >= 2)) }'
}

# Each line of /proc/PID/cgroup: in the container's own cgroup
# (.../capsa/ID) where the hierarchy holds a controller of OWN ("unified"
# for the v2 line), else where capsa runs.  Named hierarchies: either.
check_cgroups() {
	local pid=$1 id=$2 own=" $3 " line hier path c mine
	cat "/proc/$pid/cgroup" >&2
	while IFS= read -r line; do
		hier=${line#*:}
		hier=${hier%%:*}
		path=${line#*:*:}
		[ "${hier#name=}" = "$hier" ] || continue
		mine=0
		[ -n "$hier" ] || hier=unified
		for c in ${hier//,/ }; do
			[[ "$own" == *" $c "* ]] && mine=1
		done
		if [ "$mine" = 1 ]; then
			[ "${path%/capsa/$id}" != "$path" ] || { echo "not its own: $line" >&2; return 1; }
		else
			[ "${path%/capsa/$id}" = "$path" ] || { echo "its own: $line" >&2; return 1; }
		fi
	done <"/proc/$pid/cgroup"
}

@test "engine lifecycle: a container's cgroups: every controller a command uses, no idle cpuset or blkio" {
	[ "$ROOTLESS" = 0 ] || skip "cgroups are not delegated to users on this host"
	ctr_d --name cg sh -c 'sleep 100' >/dev/null
	id=$(cap inspect cg | jq -r '.[0].Id')
	pid=$(jq -r .pid "$CAPSA_ROOT/oci/$id/state.json")
	# Nothing asks for cpuset, blkio, net_cls, net_prio or hugetlb: the
	# container stays where capsa runs there.  memory, cpu, devices and
	# the unified hierarchy (cgroup.kill): its own; pids, freezer and
	# cpuacct too unless the unified directory stands in for them.
	if unified_stands_in; then
		check_cgroups "$pid" "$id" 'memory cpu devices unified'
	else
		check_cgroups "$pid" "$id" 'memory cpu cpuacct devices pids freezer unified'
	fi
	run cap stats --no-stream cg
	assert_status 0
	assert_output_has cg
	# A limit brings its controller: --pids-limit the pids hierarchy.
	ctr_d --name cgp --pids-limit 50 sh -c 'sleep 100' >/dev/null
	id=$(cap inspect cgp | jq -r '.[0].Id')
	pid=$(jq -r .pid "$CAPSA_ROOT/oci/$id/state.json")
	if unified_stands_in; then
		check_cgroups "$pid" "$id" 'memory cpu devices pids unified'
	fi
}

@test "engine lifecycle: stats counts a container's tasks and CPU with or without pids and cpuacct cgroups of its own" {
	[ "$ROOTLESS" = 0 ] || skip "cgroups are not delegated to users on this host"
	ctr_d --name tk sh -c 'sleep 100 & sleep 100 & sleep 100' >/dev/null
	ctr_d --name tkp --pids-limit 20 sh -c 'sleep 100 & sleep 100 & sleep 100' >/dev/null
	# sh forks two sleeps and execs the third: three tasks once all have started.
	local n tries got
	for n in tk tkp; do
		for tries in 1 2 3 4 5; do
			got=$(cap stats --no-stream "$n" | awk 'NR == 2 { print $NF }')
			[ "$got" = 3 ] && break
		done
		echo "$n: $got tasks" >&2
		[ "$got" = 3 ]
	done
	# A busy loop: its CPU shows (one core is 100%).
	ctr_d --name busy sh -c 'while :; do :; done' >/dev/null
	got=$(cap stats --no-stream busy | awk 'NR == 2 { sub("%", "", $3); print int($3) }')
	echo "busy: $got% CPU" >&2
	[ "$got" -ge 20 ]
}

@test "engine lifecycle: pause and unpause freeze and thaw; stats reports usage" {
	[ "$ROOTLESS" = 0 ] || skip "cgroups are not delegated to users on this host"
	ctr_d --name pz sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.05; done' >/dev/null
	wait_for -e "$ROOTFS/tmp/tick"
	# inspect's Pid is the container's init, in a PID namespace of its own.
	pid=$(cap inspect pz | jq -r '.[0].State.Pid')
	[ "$pid" -gt 0 ]
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
	cap pause pz
	a=$(cat "$ROOTFS/tmp/tick")
	sleep 0.3
	[ "$(cat "$ROOTFS/tmp/tick")" = "$a" ]
	# Paused, as docker shows it: in inspect, ps and ps --format json.
	[ "$(cap inspect pz | jq -r '.[0].State | "\(.Status) \(.Paused) \(.Running)"')" = "paused true true" ]
	run cap ps
	assert_output_has "(Paused)"
	[ "$(cap ps --format json | jq -r '.[] | select(.Name == "pz") | .State')" = paused ]
	cap unpause pz
	[ "$(cap inspect pz | jq -r '.[0].State | "\(.Status) \(.Paused)"')" = "running false" ]
	run cap ps
	[[ "$output" != *"(Paused)"* ]]
	retry bash -c "[ \"\$(cat '$ROOTFS/tmp/tick')\" != '$a' ]"
	run cap stats --no-stream pz
	assert_status 0
	assert_output_has pz
	run cap pause nothere
	assert_status 1
}

@test "engine lifecycle: --memory is enforced (the OOM killer ends the container)" {
	[ "$ROOTLESS" = 0 ] || skip "cgroups are not delegated to users on this host"
	run ctr --rm -m 8m sh -c 'x=$(head -c 50000000 /dev/zero | tr "\0" a); echo survived'
	assert_status 137
	[[ "$output" != *survived* ]]
	# Foreground and detached, inspect tells an OOM kill from a plain exit.
	run ctr --name oomf -m 8m sh -c 'x=$(head -c 50000000 /dev/zero | tr "\0" a)'
	assert_status 137
	[ "$(cap inspect oomf | jq -r '.[0].State.OOMKilled')" = true ]
	ctr_d --name oomd -m 8m sh -c 'x=$(head -c 50000000 /dev/zero | tr "\0" a)' >/dev/null
	run cap wait oomd
	[ "$output" = 137 ]
	[ "$(cap inspect oomd | jq -r '.[0].State.OOMKilled')" = true ]
	# A run within the limit does not set it.
	ctr --name fine -m 64m true
	[ "$(cap inspect fine | jq -r '.[0].State.OOMKilled')" = false ]
	ctr_d --name fined -m 64m true >/dev/null
	run cap wait fined
	[ "$output" = 0 ]
	[ "$(cap inspect fined | jq -r '.[0].State.OOMKilled')" = false ]
}

@test "engine lifecycle: -dt logs what the container wrote to its terminal" {
	ctr_d -t --name tt sh -c 'tty; echo hello' >/dev/null
	run cap wait tt
	[ "$output" = 0 ]
	run cap logs tt
	assert_output_has /dev/pts/
	assert_output_has hello
	[[ "$output" != *$'\r'* ]]
}
