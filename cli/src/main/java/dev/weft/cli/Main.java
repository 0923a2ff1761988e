package dev.weft.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code weft} command: global options and the list of subcommands. */
@Command(name = "weft", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "A peer-to-peer node: encrypted streams over TCP and KCP carrying live-migratable sessions.",
    subcommands = {
      InitCommand.class, IdCommand.class, RunCommand.class, StatusCommand.class,
      PeersCommand.class, StreamsCommand.class, SessionsCommand.class, AliasCommand.class,
      LinkCommand.class, UnlinkCommand.class, ExposeCommand.class, UnexposeCommand.class,
      ForwardCommand.class, UnforwardCommand.class, ConnectCommand.class, PingCommand.class,
      EventsCommand.class, MigrateCommand.class, ResetCommand.class, DemoCommand.class,
      DashboardCommand.class,
    })
public final class Main implements Runnable {
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

  /** Runs one command line; returns the exit code (0 ok, 1 failed, 2 usage). */
  static int execute(PrintWriter out, PrintWriter err, Map<String, String> environment,
      String... args) {
    CommandLine cli = new CommandLine(new Main(environment));
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

  /** A client for the admin API of the node running on this data directory. */
  AdminClient admin() {
    return AdminClient.forDataDir(dataDir());
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
