package dev.weft.it.netns;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One host command (ip, tc, a program inside a namespace), run to completion within a time limit. */
public record Command(List<String> argv) {
  /** Exit status and everything the command wrote (stdout and stderr together). */
  public record Result(int exit, String output) {
    public boolean ok() {
      return exit == 0;
    }
  }

  public Command {
    argv = List.copyOf(argv);
  }

  public static Command of(String... argv) {
    return new Command(List.of(argv));
  }

  /** Runs the command; one that outlives {@code limit} is killed and reported as an IOException. */
  public Result run(Duration limit) throws IOException {
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    process.getOutputStream().close();
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    try {
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IOException(this + " did not finish within " + limit);
      }
      return new Result(process.exitValue(), output.get(limit.toMillis(), TimeUnit.MILLISECONDS).strip());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(this + " was interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("could not read the output of " + this, e);
    }
  }

  /** Runs the command and fails, with its output, unless it exits 0. */
  public String check(Duration limit) throws IOException {
    Result result = run(limit);
    if (!result.ok()) {
      throw new IOException(this + " exited " + result.exit() + ": " + result.output());
    }
    return result.output();
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public String toString() {
    return "`" + String.join(" ", argv) + "`";
  }
}
