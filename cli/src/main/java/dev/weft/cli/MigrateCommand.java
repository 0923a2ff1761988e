package dev.weft.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "migrate", description = "Move SESSION to STREAM live, or every session with "
    + "--all --from STREAM --to STREAM.")
final class MigrateCommand extends WeftCommand {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SESSION")
  String session;

  @Parameters(index = "1", arity = "0..1", paramLabel = "STREAM")
  String stream;

  @Option(names = "--all", description = "Move every session of --from.")
  boolean all;

  @Option(names = "--from", paramLabel = "STREAM")
  String from;

  @Option(names = "--to", paramLabel = "STREAM")
  String to;

  @Override
  public void run() {
    if (all == (session != null)) {
      throw usage("give either SESSION STREAM or --all --from STREAM --to STREAM");
    }
    if (all) {
      if (from == null || to == null || stream != null) {
        throw usage("--all needs --from STREAM and --to STREAM and no positional arguments");
      }
      String path = "/streams/" + Ids.check(from, "stream") + "/migrate";
      String target = Ids.check(to, "stream");
      Map<String, Object> answer = AdminJson.object(admin().post(path, Map.of("to", target)));
      out().println("moved " + answer.get("moved") + " session(s) to " + target);
      return;
    }
    if (stream == null || from != null || to != null) {
      throw usage("give SESSION STREAM (--from/--to go with --all)");
    }
    String path = "/sessions/" + Ids.check(session, "session") + "/migrate";
    Map<String, Object> moved =
        AdminJson.object(admin().post(path, Map.of("stream", Ids.check(stream, "stream"))));
    out().println(moved.get("id") + " now on " + moved.get("stream"));
  }

  private picocli.CommandLine.ParameterException usage(String message) {
    return new picocli.CommandLine.ParameterException(spec.commandLine(), message);
  }
}
