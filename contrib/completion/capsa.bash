# shellcheck shell=bash disable=SC2207 # COMPREPLY=($(compgen …)) is the completion idiom
# bash completion for capsa.
# Install: source this file, or copy it to /usr/share/bash-completion/completions/capsa.
#
# Commands, subcommands and flags come from capsa's own --help (one
# quick capsa run per TAB), so the completion cannot fall behind the
# program; values (containers, images, networks, --pull …) are known here.
# tests/integration/completion.bats checks it against every --help.

# Commands of `capsa --help` (or of `capsa GROUP --help` for the oci and
# image groups): the indented first words of its "Commands:" or
# "Subcommands:" section.
_capsa_commands() {
	capsa "$@" --help 2>/dev/null |
		sed -n '/^\(Sub\)\{0,1\}[Cc]ommands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | sort -u
}

# Subcommands of a group without such a section.
_capsa_subcommands() {
	case "$1" in
	container) echo prune ;;
	network) capsa network --help 2>/dev/null | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' ;;
	*) _capsa_commands "$1" ;;
	esac
}

# Every -x and --long flag of `capsa ARGS --help`: those of its usage
# lines and of its option lines (indented, starting with "-"), not those
# its prose mentions.  A network subcommand's are on its line of
# `capsa network --help`.
_capsa_flags() {
	if [ "$1" = network ] && [ -n "$2" ]; then
		capsa network --help 2>/dev/null | awk -v s="$2" '$1 == s'
	else
		capsa "$@" --help 2>/dev/null | grep -E '^(usage:|[[:space:]]+-|[[:space:]]+\[)'
	fi | grep -oE '(^|[][ ,|])--?[a-zA-Z][a-zA-Z0-9-]*' | sed 's/^[][ ,|]//' | sort -u
}

_capsa_containers() {
	# Names of every container (all) or of running ones.
	capsa ps ${1:+-a} --format json 2>/dev/null | sed -n 's/.*"Name": *"\([^"]*\)".*/\1/p'
}

_capsa_images() {
	capsa images 2>/dev/null | awk 'NR > 1 && $1 != "<none>" { print $1 ":" $2 }'
}

_capsa_networks() {
	capsa network ls -q 2>/dev/null
}

_capsa() {
	local cur prev i w
	local -a words=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	# The command (and subcommand of a group) typed so far.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case "$w" in
		--root | --storage) [ ${#words[@]} -eq 0 ] && ((i++)) ;;
		-*) ;;
		*)
			if [ ${#words[@]} -eq 0 ]; then
				words=("$w")
			elif [ ${#words[@]} -eq 1 ]; then
				case "${words[0]}" in
				container | image | network | oci) words+=("$w") ;;
				esac
			fi
			;;
		esac
	done
	case "$prev" in
	--root | --storage | --rootfs | -w | --workdir | --env-file | -v | --volume | -i | --input | \
		--bundle | -b | --log | --pid-file | --console-socket)
		compopt -o default 2>/dev/null
		COMPREPLY=()
		return
		;;
	--pull) COMPREPLY=($(compgen -W "missing always never" -- "$cur")) && return ;;
	--network | --net) COMPREPLY=($(compgen -W "none host bridge $(_capsa_networks)" -- "$cur")) && return ;;
	--security-opt) COMPREPLY=($(compgen -W "seccomp=unconfined no-new-privileges" -- "$cur")) && return ;;
	--format) COMPREPLY=($(compgen -W "json table" -- "$cur")) && return ;;
	--log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")) && return ;;
	--cgroup-manager) COMPREPLY=($(compgen -W "cgroupfs systemd disabled" -- "$cur")) && return ;;
	esac
	if [ ${#words[@]} -eq 0 ]; then
		COMPREPLY=($(compgen -W "--root --storage --help $(_capsa_commands)" -- "$cur"))
		return
	fi
	local cmd=${words[0]}
	case "$cmd" in
	container | image | network | oci)
		if [ ${#words[@]} -eq 1 ]; then
			if [[ "$cur" == -* ]]; then
				COMPREPLY=($(compgen -W "$(_capsa_flags "$cmd")" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "$(_capsa_subcommands "$cmd")" -- "$cur"))
			fi
			return
		fi
		;;
	esac
	if [[ "$cur" == -* ]]; then
		COMPREPLY=($(compgen -W "$(_capsa_flags "${words[@]}")" -- "$cur"))
		return
	fi
	case "${words[*]}" in
	"stop" | "kill" | "exec" | "pause" | "stats")
		COMPREPLY=($(compgen -W "$(_capsa_containers)" -- "$cur")) ;;
	"start" | "restart" | "rm" | "logs" | "inspect" | "wait" | "rename" | "unpause")
		COMPREPLY=($(compgen -W "$(_capsa_containers all)" -- "$cur")) ;;
	"run" | "create" | "rmi" | "image rm" | "image inspect")
		COMPREPLY=($(compgen -W "$(_capsa_images)" -- "$cur")) ;;
	"network inspect" | "network rm")
		COMPREPLY=($(compgen -W "$(_capsa_networks)" -- "$cur")) ;;
	"import" | "load")
		compopt -o default 2>/dev/null
		COMPREPLY=() ;;
	esac
}
complete -F _capsa capsa
