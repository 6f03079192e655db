"""Shell completion scripts for bash and zsh, generated from the parser.

``shapeinfer completion bash`` prints a script to ``source`` (or to save in
the bash-completion directory); ``shapeinfer completion zsh`` the same
function through zsh's ``bashcompinit``. The scripts are static text made
from :func:`shapeinfer.cli.build_parser`, so they always list the current
commands and options, cost no Python start-up per TAB, and need no extra
package (argcomplete would be a fourth runtime dependency, or an optional one
users must register by hand).
"""
from __future__ import annotations

import argparse

SHELLS = ("bash", "zsh")

# Options whose value is a file name (completed as files); other options
# with choices complete their choices, the rest complete nothing.
_FILE_METAVARS = {"FILE", "PATH", "DIR"}


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``parser``'s program for ``shell``."""
    body = _bash_function(parser)
    if shell == "zsh":  # zsh runs bash completion functions through bashcompinit
        return ("#compdef shapeinfer\n"
                "(( $+functions[compdef] )) || { autoload -U +X compinit && compinit; }\n"
                "autoload -U +X bashcompinit && bashcompinit\n" + body)
    return body


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse has no public way to list subcommands
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [s for a in parser._actions for s in a.option_strings]


def _positional_choices(parser: argparse.ArgumentParser) -> str:
    """The choices of the command's positional argument, if it has them
    (``completion bash|zsh``)."""
    return " ".join(str(c) for a in parser._actions
                    if not a.option_strings and a.choices for c in a.choices)


def _value_cases(parsers) -> list[str]:
    """``case "$prev"`` branches: what follows an option that takes a value."""
    files, choices = set(), {}
    for p in parsers:
        for a in p._actions:
            if not a.option_strings or a.nargs == 0:
                continue
            if a.choices:
                choices["|".join(a.option_strings)] = " ".join(map(str, a.choices))
            elif a.metavar in _FILE_METAVARS:
                files.update(a.option_strings)
    cases = [f'        {opts}) COMPREPLY=($(compgen -W "{words}" -- "$cur")); return ;;'
             for opts, words in sorted(choices.items())]
    if files:
        cases.append(f'        {"|".join(sorted(files))}) '
                     'COMPREPLY=($(compgen -f -- "$cur")); return ;;')
    return cases


def _bash_function(parser: argparse.ArgumentParser) -> str:
    prog = parser.prog
    commands = _subcommands(parser)
    per_command = [f'        {name}) words="{" ".join(_options(sub))}"'
                   f' choices="{_positional_choices(sub)}" ;;'
                   for name, sub in commands.items()]
    top = " ".join([*commands, *_options(parser)])
    return "\n".join([
        f"# {prog} completion for bash: source <({prog} completion bash)",
        f"_{prog}() {{",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    local command="" words="" choices="" i',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        case "${COMP_WORDS[i]}" in -*) ;; *) command="${COMP_WORDS[i]}"; break ;; esac',
        "    done",
        '    case "$prev" in',
        *_value_cases([parser, *commands.values()]),
        "    esac",
        '    case "$command" in',
        f'        "") COMPREPLY=($(compgen -W "{top}" -- "$cur")); return ;;',
        *per_command,
        "    esac",
        '    # options after "-", else the positional choices; with no reply,',
        '    # -o default offers file names (lint PATH, a rule file, ...)',
        '    if [[ "$cur" == -* ]]; then',
        '        COMPREPLY=($(compgen -W "$words" -- "$cur"))',
        '    else',
        '        COMPREPLY=($(compgen -W "$choices" -- "$cur"))',
        '    fi',
        "}",
        f"complete -o default -F _{prog} {prog}",
        "",
    ])
