package dev.weft.it.netns;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One network namespace of a {@link NamespacePair}: a test host with a loopback interface and one
 * wire device ({@value #DEVICE}) holding {@link #address()}. Programs started here are ended when
 * the pair closes.
 */
public final class Namespace {
  static final String DEVICE = "wire0";
  private static final Duration COMMAND_LIMIT = Duration.ofSeconds(10);

  private final String name;
  private final String address;
  private final List<Process> started = new ArrayList<>();

  Namespace(String name, String address) {
    this.name = name;
    this.address = address;
  }

  public String name() {
    return name;
  }

  /** This host's IPv4 address on the wire; only the other namespace of the pair can reach it. */
  public String address() {
    return address;
  }

  /** Runs a command inside this namespace to completion. */
  public Command.Result run(Duration limit, String... argv) throws IOException {
    return inside(argv).run(limit);
  }

  /** Runs {@code nft ARGS} inside this namespace; a failure is an IOException with its output. */
  public void nft(String... args) throws IOException {
    inside(Stream.concat(Stream.of("nft"), Stream.of(args)).toArray(String[]::new)).check(COMMAND_LIMIT);
  }

  /** Starts a long-running program inside this namespace; it is ended when the pair closes. */
  public synchronized Process start(String... argv) throws IOException {
    Process process = new ProcessBuilder(inside(argv).argv()).redirectErrorStream(true).start();
    started.add(process);
    return process;
  }

  /** Starts {@code main} from this JVM's class path in a new JVM inside this namespace. */
  public Process startJava(Class<?> main, String... args) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return start(Stream.concat(Stream.of(java, "-cp", System.getProperty("java.class.path"), main.getName()),
        Stream.of(args)).toArray(String[]::new));
  }

  /** Takes this end of the wire down: packets to and from the other host are refused here. */
  public void linkDown() throws IOException {
    ip("link", "set", DEVICE, "down");
  }

  /** Brings this end back up; the address and route return with it. */
  public void linkUp() throws IOException {
    ip("link", "set", DEVICE, "up");
  }

  void create(String peerAddress) throws IOException {
    Command.of("ip", "netns", "add", name).check(COMMAND_LIMIT);
    ip("link", "set", "lo", "up");
    ip("tuntap", "add", "dev", DEVICE, "mode", "tun");
    ip("addr", "add", address, "peer", peerAddress, "dev", DEVICE);
    linkUp();
  }

  /** Ends what was started here, then anything else still inside, then removes the namespace. */
  synchronized void delete() {
    for (Process process : started) {
      end(process.toHandle());
    }
    started.clear();
    remove(name);
  }

  /** Removes a namespace of this package by name, ending the processes inside it first. */
  static void remove(String name) {
    try {
      String pids = Command.of("ip", "netns", "pids", name).run(COMMAND_LIMIT).output();
      for (String pid : pids.split("\\s+")) {
        if (pid.matches("\\d+")) {
          ProcessHandle.of(Long.parseLong(pid)).ifPresent(Namespace::end);
        }
      }
      Command.of("ip", "netns", "del", name).run(COMMAND_LIMIT);
    } catch (IOException e) {
      // already gone, or ip failed: nothing more can be done from here
    }
  }

  private static void end(ProcessHandle process) {
    process.destroy();
    try {
      process.onExit().get(5, TimeUnit.SECONDS);
    } catch (Exception stillRunning) {
      process.destroyForcibly();
    }
  }

  private void ip(String... args) throws IOException {
    Command.of(Stream.concat(Stream.of("ip", "-n", name), Stream.of(args)).toArray(String[]::new))
        .check(COMMAND_LIMIT);
  }

  private Command inside(String... argv) {
    return Command.of(Stream.concat(Stream.of("ip", "netns", "exec", name), Stream.of(argv))
        .toArray(String[]::new));
  }

  @Override
  public String toString() {
    return name + " (" + address + ")";
  }
}
