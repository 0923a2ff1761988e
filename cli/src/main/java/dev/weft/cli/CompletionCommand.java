package dev.weft.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** picocli's completion script; it also runs in zsh, through zsh's bashcompinit, which it loads. */
@Command(name = "completion", description = "Print the shell completion script: "
    + "source <(weft completion bash) in ~/.bashrc, or the same with zsh in ~/.zshrc.")
final class CompletionCommand extends WeftCommand {
  enum Shell { bash, zsh }

  @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
  Shell shell;

  @Override
  public void run() {
    out().print(AutoComplete.bash("weft", Main.withAllCommands(main().environment())));
    out().flush();
  }
}
