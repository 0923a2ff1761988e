package dev.weft.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.completer.AggregateCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.shell.jline3.PicocliJLineCompleter;

/**
 * weft commands on one warm JVM: each line runs like a one-shot {@code weft} command, on fresh
 * command objects, but without a JVM start (docs/benchmarks.md, "Shell").
 */
@Command(name = "shell", description = "Run weft commands at a prompt on one warm JVM, with "
    + "history and completion; with standard input not a terminal, one command per line.")
final class ShellCommand extends WeftCommand {
  static final String HISTORY_FILE = "shell_history";
  private static final String PROMPT = "weft> ";

  @Option(names = "--timing", description = "After each command, print the time it took to "
      + "standard error (timing: MS ms  COMMAND).")
  boolean timing;

  private final DefaultParser parser = new DefaultParser();

  @Override
  public void run() {
    // Commands run on this shell's data directory unless a line gives --data.
    Map<String, String> environment = new HashMap<>(main().environment());
    environment.put("WEFT_HOME", dataDir().toString());
    int failed = interactive() ? prompt(environment) : script(environment);
    if (failed > 0) {
      throw new Failure(failed + " command(s) failed");
    }
  }

  /** Reads the commands from standard input, one a line, until its end or {@code exit}. */
  private int script(Map<String, String> environment) {
    int failed = 0;
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(System.in, Charset.defaultCharset()))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        Integer code = runLine(line, environment);
        if (code == null) {
          break;
        }
        failed += code == 0 ? 0 : 1;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return failed;
  }

  private int prompt(Map<String, String> environment) {
    try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
      LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("weft")
          .parser(parser)
          .completer(new AggregateCompleter(
              new PicocliJLineCompleter(Main.withAllCommands(environment).getCommandSpec()),
              new IdCompleter(dataDir())))
          .variable(LineReader.HISTORY_FILE, history(dataDir()))
          .build();
      int failed = 0;
      while (true) {
        String line;
        try {
          line = reader.readLine(PROMPT);
        } catch (UserInterruptException e) {
          continue; // Ctrl-C drops the line being typed
        } catch (EndOfFileException e) {
          break; // Ctrl-D
        }
        Integer code = runLine(line, environment);
        if (code == null) {
          break;
        }
        failed += code == 0 ? 0 : 1;
      }
      reader.getHistory().save();
      return failed;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path history(Path dataDir) {
    return dataDir.resolve(HISTORY_FILE);
  }

  /** Runs one line; its exit code, 0 for a blank or comment line, null for exit or quit. */
  private Integer runLine(String line, Map<String, String> environment) {
    String trimmed = line.strip();
    if (trimmed.isEmpty() || trimmed.startsWith("#")) {
      return 0;
    }
    if (trimmed.equals("exit") || trimmed.equals("quit")) {
      return null;
    }
    PrintWriter err = spec.commandLine().getErr();
    List<String> words;
    try {
      words = parser.parse(trimmed, trimmed.length(), Parser.ParseContext.ACCEPT_LINE).words();
    } catch (RuntimeException e) { // an unclosed quote
      err.println("weft: " + e.getMessage());
      err.flush();
      return 2;
    }
    if (words.get(0).equals("shell")) {
      err.println("weft: already in the shell");
      err.flush();
      return 2;
    }
    long start = System.nanoTime();
    int code = Main.execute(out(), err, environment, words.toArray(String[]::new));
    if (timing) {
      err.printf(Locale.ROOT, "timing: %.3f ms  %s%n", (System.nanoTime() - start) / 1e6, trimmed);
      err.flush();
    }
    return code;
  }

  /** A person at a terminal (Java 22+ also gives a Console to pipes, hence isTerminal). */
  private static boolean interactive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException e) {
      return true; // Java 17-21: a console means both ends are terminals
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }
}
