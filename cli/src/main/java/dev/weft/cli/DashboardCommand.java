package dev.weft.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dashboard", description = "Print a one-time login address for the node's live "
    + "dashboard (good once, for a minute; the browser then holds a cookie, not the token).")
final class DashboardCommand extends WeftCommand {
  @Option(names = "--open", description = "Also open it in a browser (xdg-open).")
  boolean open;

  @Override
  public void run() {
    Object code = AdminJson.object(admin().post("/dashboard/login-codes", Map.of())).get("code");
    String url = admin().access().baseUri() + "/login?code=" + code;
    out().println(url);
    out().flush();
    if (open) {
      Optional<Path> opener = onPath("xdg-open");
      if (opener.isEmpty()) {
        throw new Failure("no xdg-open on the PATH: open the address above in a browser");
      }
      try {
        new ProcessBuilder(opener.get().toString(), url).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      } catch (IOException e) {
        throw new Failure("cannot start xdg-open: " + e.getMessage());
      }
    }
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    return path == null ? Optional.empty() : Stream.of(path.split(File.pathSeparator))
        .map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
  }
}
