#!/usr/bin/env bats
# contrib/completion/capsa.bash against capsa's own --help: every command,
# every subcommand of a group, every flag a --help names is offered.

load engine_helpers

# complete WORD...: what the completion offers for "capsa WORD..." with
# the cursor on the last WORD, one per line.
complete_words() {
	COMP_WORDS=(capsa "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_capsa
	printf '%s\n' "${COMPREPLY[@]}"
}

setup() {
	engine_setup
	PATH=$REPO/build:$PATH
	# shellcheck source=/dev/null
	source "$REPO/contrib/completion/capsa.bash"
	export CAPSA_STORAGE=$TEST_DIR/store
}

# has LIST WORD: LIST (lines) holds WORD.
has() {
	grep -qxF -- "$2" <<<"$1" || {
		echo "completion lacks '$2'" >&2
		return 1
	}
}

@test "completion: every command of capsa --help, and only those" {
	local offered listed c
	offered=$(complete_words "" | grep -v '^-' | sort)
	listed=$(capsa --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }' | sort -u)
	[ -n "$listed" ]
	[ "$offered" = "$listed" ]
	has "$(complete_words --)" --storage
	has "$(complete_words --)" --root
}

@test "completion: every flag of every command's --help" {
	local c f help offered n=0
	for c in $(capsa --help | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 { print $1 }' | sort -u); do
		case "$c" in container | image | network | oci | version) continue ;; esac
		# Usage and option lines: prose may name other commands' flags.
		help=$(capsa "$c" --help 2>&1 | grep -E '^(usage:|[[:space:]]+-|[[:space:]]+\[)')
		offered=$(complete_words "$c" -)
		for f in $(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help" | sort -u); do
			has "$offered" "$f"
			n=$((n + 1))
		done
	done
	# run alone has some 40 long flags: the loop did look.
	[ "$n" -gt 80 ]
	has "$(complete_words run --)" --memory
	has "$(complete_words run -)" -d
	has "$(complete_words stop -)" -t
	# Not a flag of stop, only named in its prose.
	run complete_words stop --
	[[ "$output" != *--stop-signal* ]]
}

@test "completion: subcommands and their flags for the groups" {
	local s
	for s in inspect ls prune rm; do has "$(complete_words image "")" "$s"; done
	for s in create ls inspect rm prune; do has "$(complete_words network "")" "$s"; done
	has "$(complete_words container "")" prune
	for s in spec create start run state kill delete list ps exec pause resume update events features; do
		has "$(complete_words oci "")" "$s"
	done
	has "$(complete_words oci --)" --root
	has "$(complete_words oci run --)" --bundle
	has "$(complete_words image prune -)" -a
	has "$(complete_words network create --)" --subnet
}

@test "completion: values of flags, and container names" {
	has "$(complete_words run --pull "")" missing
	has "$(complete_words run --network "")" none
	has "$(complete_words ps --format "")" json
	ctr_d --name compl-one sh -c 'sleep 100' >/dev/null
	has "$(complete_words stop "")" compl-one
	has "$(complete_words rm comp)" compl-one
}
