package dev.weft.cli;

import dev.weft.node.HostPort;
import dev.weft.node.Node;
import dev.weft.node.NodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", description = "Run the node in the foreground until SIGINT or SIGTERM.")
final class RunCommand extends WeftCommand {
  @Option(names = "--listen", paramLabel = "EP",
      description = "Listener (repeatable; default tcp:0.0.0.0:7411 and kcp:0.0.0.0:7411).")
  List<String> listen = new ArrayList<>();

  @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7412",
      description = "Admin API address (default ${DEFAULT-VALUE}; port 0 picks one).")
  String admin;

  @Option(names = "--admin-remote", description = "Allow a non-loopback --admin address.")
  boolean adminRemote;

  @Override
  public void run() {
    NodeConfig.Builder config = NodeConfig.builder(dataDir())
        .admin(HostPort.parse(admin), adminRemote);
    List<String> endpoints = listen.isEmpty()
        ? List.of("tcp:0.0.0.0:" + NodeConfig.DEFAULT_PORT, "kcp:0.0.0.0:" + NodeConfig.DEFAULT_PORT)
        : listen;
    endpoints.forEach(config::listen);
    Node node;
    try {
      node = Node.start(config.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "weft-stop"));
    out().println("weft node " + node.identity());
    node.listeners().forEach(l -> out().println("listening on " + l));
    node.adminAddress().ifPresent(a -> out().println("admin API on " + HostPort.of(a)));
    out().flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
