package dev.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.identity.NodeKey;
import dev.weft.node.admin.AdminAccess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;

@Timeout(20)
class MainTest {
  @TempDir
  Path dir;

  record Outcome(int code, String out, String err) {}

  private Outcome weft(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out), new PrintWriter(err), Map.of("WEFT_HOME", dir.toString()), args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void initCreatesAnIdentityOnceAndIdPrintsIt() {
    Outcome init = weft("init");
    assertEquals(0, init.code(), init.err());
    String identity = init.out().trim();
    assertEquals(64, identity.length());
    assertEquals(identity, weft("id").out().trim());
    Outcome again = weft("init");
    assertEquals(1, again.code());
    assertTrue(again.err().startsWith("weft: ") && again.err().contains("refusing to overwrite"),
        again.err());
    assertEquals(1, again.err().lines().count());
  }

  @Test
  void idWithoutInitSaysWhatToDo() {
    Outcome id = weft("id");
    assertEquals(1, id.code());
    assertEquals("weft: no identity in " + dir + "; run: weft init", id.err().trim());
  }

  @Test
  void dataOptionWorksBeforeOrAfterTheCommand(@TempDir Path other) {
    assertEquals(0, weft("--data", other.toString(), "init").code());
    String identity = weft("id", "--data", other.toString()).out().trim();
    assertEquals(identity, weft("--data", other.toString(), "id").out().trim());
    assertEquals(1, weft("id").code()); // WEFT_HOME has no key
  }

  @Test
  void aliasesAreSetListedResolvedAndRemoved() {
    String peer = NodeKey.generate().identity().toString();
    assertEquals(0, weft("alias", "set", "bob", peer).code());
    Outcome ls = weft("alias", "ls");
    assertTrue(ls.out().contains("bob   " + peer), ls.out());
    assertTrue(weft("alias", "ls", "--json").out().contains("\"bob\" : \"" + peer + "\""));
    assertEquals(0, weft("alias", "rm", "bob").code());
    Outcome gone = weft("alias", "rm", "bob");
    assertEquals(1, gone.code());
    assertEquals("weft: no alias bob", gone.err().trim());
    Outcome bad = weft("alias", "set", "bob", "not-an-identity");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("identity"), bad.err());
  }

  @Test
  void commandsNeedingANodeSaySoWhenNoneRuns() throws Exception {
    for (String[] args : new String[][] {{"status"}, {"peers", "--json"}, {"streams"},
        {"sessions"}, {"unforward", "8080"}, {"events"}}) {
      Outcome run = weft(args);
      assertEquals(1, run.code(), String.join(" ", args));
      assertEquals("weft: no node is running for " + dir, run.err().trim());
    }
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    new AdminAccess("127.0.0.1", closed, AdminAccess.newToken()).write(dir); // stale file
    Outcome stale = weft("status");
    assertEquals(1, stale.code());
    assertEquals("weft: no node is running for " + dir, stale.err().trim());
  }

  @Test
  void usageErrorsExitWith2() {
    assertEquals(2, weft().code());
    assertEquals(2, weft("nonsense").code());
    assertEquals(2, weft("link", "only-one-argument").code());
    assertEquals(2, weft("expose", "web").code()); // --to is required
    assertEquals(2, weft("migrate", "--all", "--from", "0000000000000001").code());
    assertEquals(0, weft("--help").code());
  }

  @Test
  void malformedArgumentsFailBeforeContactingTheNode() {
    Outcome id = weft("unlink", "xyz");
    assertEquals(2, id.code());
    assertTrue(id.err().contains("not a stream id"), id.err());
    Outcome port = weft("unforward", "http");
    assertEquals(2, port.code());
    assertTrue(port.err().contains("not a port"), port.err());
  }

  @Test
  void everyCommandIsRegisteredUnderItsOwnNameAndHelpListsThemAll() {
    Main.COMMANDS.forEach((name, type) -> assertEquals(name, type.getAnnotation(Command.class).name()));
    String help = weft("--help").out();
    Main.COMMANDS.keySet().forEach(name -> assertTrue(help.contains("\n  " + name + " "), name));
    assertEquals(1, Main.forArguments(Map.of(), "--data", "sessions", "id").getSubcommands().size());
    assertEquals(0, Main.forArguments(Map.of(), "--version").getSubcommands().size());
    assertEquals(Main.COMMANDS.size(), Main.forArguments(Map.of(), "--help").getSubcommands().size());
    assertTrue(weft("--version").out().startsWith("weft "));
  }

  @Test
  void completionPrintsOneScriptForBashAndZsh() {
    Outcome bash = weft("completion", "bash");
    assertEquals(0, bash.code(), bash.err());
    assertTrue(bash.out().contains("\ncomplete -F _complete_weft "), bash.out());
    // Every command and a subcommand's options are in it.
    for (String name : Main.COMMANDS.keySet()) {
      assertTrue(bash.out().contains(" " + name + " ") || bash.out().contains(" " + name + "\""), name);
    }
    assertTrue(bash.out().contains("--drain"), "unlink's option");
    Outcome zsh = weft("completion", "zsh");
    assertEquals(bash.out(), zsh.out());
    assertTrue(zsh.out().contains("bashcompinit"), "zsh loads its bash completion support");
    assertEquals(2, weft("completion", "fish").code());
  }
}
