package dev.weft.it.dist;

import static dev.weft.it.dist.Dist.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The .deb installed into a throwaway root with {@code dpkg-deb -x}, its scripts and unit read. */
@Timeout(120)
class DebianPackageTest {
  private static final Map<String, String> ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin",
      "LANG", "C.UTF-8");

  @TempDir
  Path tmp;

  @Test
  void installsTheLauncherTheServiceTheUserAndThePrivateDataDirectory() throws Exception {
    Path deb = Dist.deb();
    Path root = tmp.resolve("root");
    Path control = tmp.resolve("control");
    ok(Dist.run(ENV, List.of("dpkg-deb", "-x", deb.toString(), root.toString())));
    ok(Dist.run(ENV, List.of("dpkg-deb", "-e", deb.toString(), control.toString())));

    for (String exe : List.of("usr/bin/weft", "usr/lib/weft/bin/weft", "usr/lib/weft/runtime/bin/java")) {
      assertEquals("rwxr-xr-x", mode(root.resolve(exe)), exe);
    }
    assertTrue(Files.isRegularFile(root.resolve("usr/lib/weft/lib/weft.jar")));
    assertTrue(Files.isRegularFile(root.resolve("usr/lib/weft/lib/weft.classlist")));
    assertTrue(Files.readString(root.resolve("usr/bin/weft")).contains("exec /usr/lib/weft/bin/weft"));
    assertTrue(Files.readString(root.resolve("usr/share/bash-completion/completions/weft"))
        .contains("\ncomplete -F _complete_weft "), "the bash completion script");
    assertTrue(ok(Dist.run(ENV, List.of(root.resolve("usr/lib/weft/bin/weft").toString(), "--version")))
        .out().startsWith("weft "));
    // Every file root's; none that group or others may write to (symbolic links aside).
    String listing = ok(Dist.run(ENV, List.of("dpkg-deb", "-c", deb.toString()))).out();
    for (String line : listing.split("\n")) {
      String[] fields = line.trim().split("\\s+");
      assertEquals("root/root", fields[1], line);
      String perms = fields[0];
      assertTrue(perms.startsWith("l") || perms.charAt(5) == '-' && perms.charAt(8) == '-', line);
    }

    String unit = Files.readString(root.resolve("lib/systemd/system/weft.service"));
    for (String line : List.of("User=weft", "ExecStart=/usr/bin/weft run $WEFT_OPTS",
        "Environment=WEFT_HOME=/var/lib/weft", "Restart=on-failure", "KillSignal=SIGTERM",
        "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
        "ReadWritePaths=/var/lib/weft", "WantedBy=multi-user.target")) {
      assertTrue(unit.lines().anyMatch(line::equals), "weft.service lacks " + line);
    }
    assertTrue(Files.readString(control.resolve("conffiles")).lines().anyMatch("/etc/default/weft"::equals));
    assertTrue(Files.isRegularFile(root.resolve("etc/default/weft")));

    String postinst = Files.readString(control.resolve("postinst"));
    assertTrue(postinst.contains("adduser --system --group --home /var/lib/weft"), postinst);
    assertTrue(postinst.contains("install -d -o weft -g weft -m 0700 /var/lib/weft"), postinst);
    for (String script : List.of("postinst", "prerm", "postrm")) {
      assertEquals("rwxr-xr-x", mode(control.resolve(script)), script);
      ok(Dist.run(ENV, List.of("sh", "-n", control.resolve(script).toString())));
    }
    assertTrue(Files.readString(control.resolve("control")).contains("Package: weft\n"));

    verifyUnit(root, unit);
  }

  /**
   * systemd-analyze verify on the unit, its commands pointed into the throwaway root (they are
   * checked to exist); it prints what it objects to but exits 0 for some of it, so any output fails.
   */
  private void verifyUnit(Path root, String unit) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")),
        "systemd-analyze is not installed");
    Path dir = Files.createDirectory(tmp.resolve("unit"));
    Path copy = dir.resolve("weft.service");
    Files.writeString(copy, unit.replace("/usr/bin/weft", root.resolve("usr/bin/weft").toString()));
    Dist.Output verify = Dist.run(ENV, List.of("systemd-analyze", "verify", copy.toString()));
    assertEquals(0, verify.code(), verify.err());
    assertEquals("", verify.out() + verify.err());
  }

  private static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }
}
