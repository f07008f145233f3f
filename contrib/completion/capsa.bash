# bash completion for capsa's engine commands.
# Install: source this file, or copy it to /usr/share/bash-completion/completions/capsa.

_capsa_containers() {
	# Names of every container (-a) or of running ones.
	capsa ps ${1:+-a} --format json 2>/dev/null | sed -n 's/.*"Name": *"\([^"]*\)".*/\1/p'
}

_capsa() {
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	cmd=""
	for ((i = 1; i < COMP_CWORD; i++)); do
		case "${COMP_WORDS[i]}" in
		--root | --storage) ((i++)) ;;
		-*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done
	if [ -z "$cmd" ]; then
		case "$prev" in
		--root | --storage)
			compopt -o dirnames 2>/dev/null
			return
			;;
		esac
		COMPREPLY=($(compgen -W "--root --storage container create exec inspect kill list logs oci pause ps rename restart rm run start stats stop unpause wait images image import load rmi version --help" -- "$cur"))
		return
	fi
	case "$cmd" in
	run | create)
		case "$prev" in
		--rootfs | -w | --workdir | --env-file | -v | --volume)
			compopt -o default 2>/dev/null
			return
			;;
		--pull) COMPREPLY=($(compgen -W "missing always never" -- "$cur")); return ;;
		--network | --net) COMPREPLY=($(compgen -W "none host" -- "$cur")); return ;;
		--security-opt) COMPREPLY=($(compgen -W "seccomp=unconfined no-new-privileges" -- "$cur")); return ;;
		esac
		COMPREPLY=($(compgen -W "-d --detach --rm --name --rootfs --image -e --env --env-file -w --workdir -u --user -h --hostname -v --volume --mount --tmpfs --read-only -i --interactive -t --tty --entrypoint -m --memory --cpus --cpu --pids-limit --cap-add --cap-drop --privileged --security-opt --ulimit --init --stop-signal --stop-timeout --network --log-max-size --pull --platform --help" -- "$cur"))
		;;
	start | stop | restart | kill | rm | logs | inspect | wait | rename | exec | pause | unpause | stats)
		if [[ "$cur" == -* ]]; then
			case "$cmd" in
			start) COMPREPLY=($(compgen -W "-a --attach --help" -- "$cur")) ;;
			stop | restart) COMPREPLY=($(compgen -W "-t --time --help" -- "$cur")) ;;
			kill) COMPREPLY=($(compgen -W "-s --signal --help" -- "$cur")) ;;
			rm) COMPREPLY=($(compgen -W "-f --force --help" -- "$cur")) ;;
			logs) COMPREPLY=($(compgen -W "-f --follow -n --tail -t --timestamps --since --help" -- "$cur")) ;;
			exec) COMPREPLY=($(compgen -W "-d -i -t -e -w -u --help" -- "$cur")) ;;
			*) COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
			esac
			return
		fi
		case "$cmd" in
		stop | kill | exec | pause | unpause | stats) COMPREPLY=($(compgen -W "$(_capsa_containers)" -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "$(_capsa_containers all)" -- "$cur")) ;;
		esac
		;;
	ps | list) COMPREPLY=($(compgen -W "-a --all -q --quiet --no-trunc --format --help" -- "$cur")) ;;
	container) COMPREPLY=($(compgen -W "prune" -- "$cur")) ;;
	esac
}
complete -F _capsa capsa
