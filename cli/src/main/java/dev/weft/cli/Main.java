package dev.weft.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code weft} command: global options and the list of subcommands. */
@Command(name = "weft", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "A peer-to-peer node: encrypted streams over TCP and KCP carrying live-migratable sessions.")
public final class Main implements Runnable {
  /**
   * Every subcommand by its {@code @Command} name, in the order help lists them. picocli builds a
   * command's model by reflection when it is added, so a command line gets only the subcommand it
   * names: that halves the start of a one-shot command (docs/benchmarks.md, "CLI startup").
   */
  static final Map<String, Class<?>> COMMANDS = commands();
  @Option(names = "--data", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Data directory (default: $WEFT_HOME, else ~/.weft).")
  private Path data;

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  private final Map<String, String> environment;

  Main(Map<String, String> environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    int code = execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true),
        System.getenv(), args);
    System.exit(code);
  }

  private static Map<String, Class<?>> commands() {
    Map<String, Class<?>> all = new LinkedHashMap<>();
    all.put("init", InitCommand.class);
    all.put("id", IdCommand.class);
    all.put("run", RunCommand.class);
    all.put("status", StatusCommand.class);
    all.put("peers", PeersCommand.class);
    all.put("streams", StreamsCommand.class);
    all.put("sessions", SessionsCommand.class);
    all.put("exposes", ExposesCommand.class);
    all.put("forwards", ForwardsCommand.class);
    all.put("alias", AliasCommand.class);
    all.put("link", LinkCommand.class);
    all.put("unlink", UnlinkCommand.class);
    all.put("expose", ExposeCommand.class);
    all.put("unexpose", UnexposeCommand.class);
    all.put("forward", ForwardCommand.class);
    all.put("unforward", UnforwardCommand.class);
    all.put("connect", ConnectCommand.class);
    all.put("ping", PingCommand.class);
    all.put("events", EventsCommand.class);
    all.put("migrate", MigrateCommand.class);
    all.put("reset", ResetCommand.class);
    all.put("dashboard", DashboardCommand.class);
    all.put("demo", DemoCommand.class);
    all.put("shell", ShellCommand.class);
    all.put("completion", CompletionCommand.class);
    return all;
  }

  /** {@code weft} with every subcommand, for help, completion scripts and the shell's completer. */
  static CommandLine withAllCommands(Map<String, String> environment) {
    CommandLine cli = new CommandLine(new Main(environment));
    // A loop, not forEach(cli::addSubcommand): a lambda typed with picocli's classes makes the CDS
    // dump link them early, and the JDK then leaves these old (Java 5) class files out of the archive.
    for (Class<?> command : COMMANDS.values()) {
      cli.addSubcommand(command);
    }
    return cli;
  }

  /**
   * {@code weft} with only the subcommand {@code args} name; with none for {@code --version}; with
   * all if they name none (help lists them, an unknown one gets suggestions).
   */
  static CommandLine forArguments(Map<String, String> environment, String... args) {
    Class<?> named = COMMANDS.get(commandName(args));
    boolean version = List.of(args).contains("--version") || List.of(args).contains("-V");
    if (named == null && !version) {
      return withAllCommands(environment);
    }
    CommandLine cli = new CommandLine(new Main(environment));
    if (named != null) {
      cli.addSubcommand(named);
    }
    return cli;
  }

  /** The first argument that is not one of weft's own options (or null). */
  private static String commandName(String... args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--data")) {
        i++;
      } else if (!args[i].startsWith("-")) {
        return args[i];
      }
    }
    return null;
  }

  /** Runs one command line; returns the exit code (0 ok, 1 failed, 2 usage). */
  static int execute(PrintWriter out, PrintWriter err, Map<String, String> environment,
      String... args) {
    CommandLine cli = forArguments(environment, args);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new Failure.Printer());
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The data directory this invocation works on. */
  Path dataDir() {
    if (data != null) {
      return data;
    }
    String home = environment.get("WEFT_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home);
    }
    return Path.of(System.getProperty("user.home"), ".weft");
  }

  Map<String, String> environment() {
    return environment;
  }

  /** A client for the admin API of the node running on this data directory. */
  AdminClient admin() {
    return AdminClient.forDataDir(dataDir());
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
