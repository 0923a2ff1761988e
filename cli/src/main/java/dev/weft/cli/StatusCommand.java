package dev.weft.cli;

import dev.weft.link.CookieStats;
import dev.weft.node.LimitUsage;
import dev.weft.node.NodeStatus;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", description = "Show the running node at a glance.")
final class StatusCommand extends WeftCommand {
  @Option(names = "--json", description = "Print the node's JSON.")
  boolean json;

  @Override
  public void run() {
    byte[] answer = admin().get("/status");
    PrintWriter out = out();
    if (json) {
      out.println(AdminJson.pretty(answer));
      return;
    }
    NodeStatus s = AdminJson.read(NodeStatus.class, answer);
    out.println("identity   " + s.identity());
    out.println("version    " + s.version());
    out.println("up         " + Human.since(s.started()));
    out.println("listening  " + String.join(" ", s.listeners()));
    out.println("admin      " + admin().access().baseUri());
    if (s.observed() != null) {
      s.observed().forEach(o -> out.println("observed   " + o.address() + " by relay " + o.by().shortText()));
    }
    out.println("peers      " + s.peers() + "  streams " + s.streams() + "  sessions " + s.sessions());
    out.println("services   " + s.exposes() + " exposed, " + s.forwards() + " forwarded");
    if (s.rekeys() != null) {
      out.println("rekeys     " + s.rekeys().sent() + " sent, " + s.rekeys().received() + " received");
    }
    CookieStats c = s.cookies();
    if (c != null) {
      out.println("kcp        " + c.started() + " new sources let in (" + c.verified() + " with a cookie), "
          + c.replies() + " cookie replies (" + Human.bytes(c.replyBytes()) + " for "
          + Human.bytes(c.answeredBytes()) + " received), " + c.unverified() + " without a cookie, "
          + c.refused() + " refused");
    }
    if (s.eventsDropped() > 0) {
      out.println("events     " + s.eventsDropped() + " dropped by slow subscribers");
    }
    if (s.limits() != null && !s.limits().isEmpty()) {
      out.println();
      Table limits = new Table("LIMIT", "USED", "MAX");
      for (LimitUsage l : s.limits()) {
        boolean bytes = l.name().endsWith("bytes");
        limits.row(l.name(), bytes ? Human.bytes(l.used()) : l.used(), bytes ? Human.bytes(l.limit()) : l.limit());
      }
      limits.print(out);
    }
  }
}
