/**
 * `baton completion bash|zsh|fish`: shell completion scripts generated from the command tree itself, so every
 * registered command and option completes without a hand-kept list.
 */
import type { Command, CommandUnknownOpts } from '@commander-js/extra-typings';
import { UsageError } from '../errors.js';
import { example, io } from './common.js';

interface Node {
  path: string[];
  subcommands: string[];
  options: string[];
  description: string;
}

export function commandTree(root: CommandUnknownOpts): Node[] {
  const nodes: Node[] = [];
  const walk = (cmd: CommandUnknownOpts, path: string[]) => {
    const subs = cmd.commands;
    nodes.push({
      path,
      subcommands: subs.map((s) => s.name()),
      options: cmd.options.flatMap((o) => [o.short, o.long].filter((f): f is string => typeof f === 'string')),
      description: cmd.description(),
    });
    for (const sub of subs) walk(sub, [...path, sub.name()]);
  };
  walk(root, []);
  return nodes;
}

export function bashCompletion(nodes: readonly Node[]): string {
  const cases = nodes
    .map((n) => `    "${n.path.join(' ')}") words="${[...n.subcommands, ...n.options, '--help'].join(' ')}" ;;`)
    .join('\n');
  return `# baton bash completion; load with: source <(baton completion bash)
_baton() {
  local cur path="" i words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) if [[ -n "$(_baton_words "\${path:+$path }\${COMP_WORDS[i]}")" ]]; then path="\${path:+$path }\${COMP_WORDS[i]}"; fi ;; esac
  done
  COMPREPLY=($(compgen -W "$(_baton_words "$path")" -- "$cur"))
}
_baton_words() {
  local words=""
  case "$1" in
${cases}
  esac
  echo "$words"
}
complete -F _baton baton
`;
}

export function zshCompletion(nodes: readonly Node[]): string {
  return `#compdef baton
# baton zsh completion; load with: source <(baton completion zsh)
autoload -U bashcompinit && bashcompinit
${bashCompletion(nodes)}`;
}

export function fishCompletion(nodes: readonly Node[]): string {
  const lines = ['# baton fish completion; load with: baton completion fish | source'];
  for (const node of nodes) {
    const condition =
      node.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${node.path[node.path.length - 1]!}`;
    for (const sub of node.subcommands) lines.push(`complete -c baton -f -n '${condition}' -a ${sub}`);
    for (const option of node.options.filter((o) => o.startsWith('--'))) lines.push(`complete -c baton -n '${condition}' -l ${option.slice(2)}`);
  }
  return lines.join('\n') + '\n';
}

export function registerCompletionCommand(program: Command): void {
  example(
    program.command('completion').description('print a shell completion script').argument('<shell>', 'bash|zsh|fish'),
    'source <(baton completion bash)',
    'baton completion fish > ~/.config/fish/completions/baton.fish',
  ).action((...args: unknown[]) => {
    const shell = args[0] as string;
    const nodes = commandTree(program);
    if (shell === 'bash') io.out(bashCompletion(nodes));
    else if (shell === 'zsh') io.out(zshCompletion(nodes));
    else if (shell === 'fish') io.out(fishCompletion(nodes));
    else throw new UsageError(`unknown shell "${shell}" (bash, zsh, fish)`);
  });
}
