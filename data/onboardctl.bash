# SPDX-License-Identifier: BSD-3-Clause
# bash completion for onboardctl(8); make install puts it in
# bash-completion's completionsdir.  The commands and each command's
# options are read from onboardctl's own --help when asked for, so that
# the completion follows the program and never lists what it lacks.

_onboardctl_help()
{
	# The help of the command typed so far, or of onboardctl.
	"${COMP_WORDS[0]}" "$@" --help 2>/dev/null
}

_onboardctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	local -a cmd=()
	local i w

	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	# Options whose value is a path.
	case $prev in
	--socket | --output | --root | --state-dir | --sshd-config)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac
	# The command words typed so far: words that are no option nor an
	# option's value (a value follows an option that --help shows with
	# an upper-case name for its value, as "--org ORG").
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--*=* | -h) ;;
		--*)
			if _onboardctl_help | grep -q -e "$w [A-Z]"; then
				i=$((i + 1))
			fi
			;;
		*) [ ${#cmd[@]} -lt 2 ] && cmd+=("$w") ;;
		esac
	done
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_onboardctl_help "${cmd[@]}" |
			grep -o -e '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		return
	fi
	case ${#cmd[@]} in
	0)
		COMPREPLY=($(compgen -W "$(_onboardctl_help |
			sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p' | sort -u)" -- "$cur"))
		;;
	1)
		COMPREPLY=($(compgen -W "$(_onboardctl_help |
			sed -n "s/^  ${cmd[0]} \\([a-z|]*\\).*/\\1/p" | tr '|' '\n' | sort -u)" \
			-- "$cur"))
		;;
	esac
}
complete -F _onboardctl onboardctl
