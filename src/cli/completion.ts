import type { Command } from './cli.js';

/**
 * Completion scripts generated from the command table, so they never drift from the real
 * options: commands, each command's flags, the values of flags with choices, and .exp files.
 */
export function completionScript(shell: 'bash' | 'zsh', commands: Record<string, Command>): string {
  const names = Object.keys(commands);
  const flagsOf = (c: Command) => [...Object.entries(c.options).flatMap(([k, o]) => [`--${k}`, ...(o.short ? [`-${o.short}`] : [])]), '--help'];
  const choiceCases = Object.values(commands)
    .flatMap((c) => Object.entries(c.options).filter(([, o]) => o.choices))
    .reduce((m, [k, o]) => m.set(k, o.choices!.join(' ')), new Map<string, string>());
  if (shell === 'bash') {
    const perCommand = names.map((n) => `    ${n}) flags="${flagsOf(commands[n]!).join(' ')}"; files=${commands[n]!.completes === 'exp' ? 1 : 0} ;;`).join('\n');
    const choices = [...choiceCases].map(([k, v]) => `    --${k}) COMPREPLY=($(compgen -W "${v}" -- "$cur")); return ;;`).join('\n');
    return `# expc bash completion: eval "$(expc completion bash)"
_expc() {
  local cur prev cmd flags files
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${names.join(' ')} help --version --help" -- "$cur"))
    return
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$prev" in
${choices}
    --cache-dir|--data-dir|--reviews-dir|--out|-o) COMPREPLY=($(compgen -d -- "$cur")); return ;;
  esac
  case "$cmd" in
${perCommand}
    help) COMPREPLY=($(compgen -W "${names.join(' ')}" -- "$cur")); return ;;
    *) return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [ "$cmd" = components ]; then
    COMPREPLY=($(compgen -W "dataset split encoder sampler loss backprop optimizer training evaluate" -- "$cur"))
  elif [ "$cmd" = completion ]; then
    COMPREPLY=($(compgen -W "bash zsh" -- "$cur"))
  elif [ "$files" = 1 ]; then
    COMPREPLY=($(compgen -f -X '!*.exp' -- "$cur") $(compgen -d -- "$cur"))
  fi
}
complete -o filenames -F _expc expc
`;
  }
  const esc = (s: string) => s.replace(/'/g, "'\\''").replace(/\[/g, '\\[').replace(/\]/g, '\\]').replace(/:/g, '\\:');
  const perCommand = names
    .map((n) => {
      const c = commands[n]!;
      const specs = Object.entries(c.options).map(([k, o]) => {
        const what = o.choices ? `:${k}:(${o.choices.join(' ')})` : /dir|out/.test(k) ? `:${k}:_files -/` : o.type === 'string' ? `:${o.arg ?? k}: ` : '';
        return `'${o.multiple ? '*' : ''}--${k}[${esc(o.help.slice(0, 70))}]${what}'`;
      });
      const pos = c.completes === 'exp' ? ` '*:experiment file:_files -g "*.exp"'` : c.completes === 'slot' ? ` ':slot:(dataset split encoder sampler loss backprop optimizer training evaluate)'` : n === 'completion' ? ` ':shell:(bash zsh)'` : '';
      return `    ${n}) _arguments ${specs.join(' ')}${pos} ;;`;
    })
    .join('\n');
  return `#compdef expc
# expc zsh completion: eval "$(expc completion zsh)" (after compinit)
_expc() {
  local -a commands
  commands=(
${names.map((n) => `    '${n}:${esc(commands[n]!.summary.slice(0, 80))}'`).join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local cmd=\${words[2]}
  shift words
  (( CURRENT-- ))
  case $cmd in
${perCommand}
  esac
}
compdef _expc expc
`;
}
