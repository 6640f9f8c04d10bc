/** Shell completion scripts for bash and zsh, generated from the command metadata. */
import type { CliIndex } from "./metadata.js";

const COMMANDS = ["login", "whoami", "logout", "mocks", "help", "completion"];

export function bashCompletion(index: CliIndex): string {
  const cases = Object.entries(index).map(([service, ops]) => `    ${service}) words="${ops.join(" ")}" ;;`);
  return `# glp completion for bash: eval "$(glp completion bash)" (in ~/.bashrc)
_glp() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" words=""
  if [[ $COMP_CWORD -eq 1 ]]; then
    words="${[...Object.keys(index), ...COMMANDS].join(" ")}"
  elif [[ $COMP_CWORD -eq 2 ]]; then
    case "\${COMP_WORDS[1]}" in
${cases.join("\n")}
    completion) words="bash zsh" ;;
    mocks) words="start stop reset state seed env" ;;
    esac
  elif [[ "$cur" == -* ]]; then
    words="$(glp __flags "\${COMP_WORDS[1]}" "\${COMP_WORDS[2]}" 2>/dev/null)"
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _glp glp
`;
}

export function zshCompletion(index: CliIndex): string {
  // zsh runs the bash function through bashcompinit: one script to keep right.
  return `# glp completion for zsh: eval "$(glp completion zsh)" (in ~/.zshrc)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(index).split("\n").slice(1).join("\n")}`;
}
