package dev.weft.link;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A dialling peer and whatever else a link test opens (listening peers, raw sockets), closed
 * newest first after each test. Register it as an instance field:
 * {@code @RegisterExtension final LinkTestResources resources = new LinkTestResources();}
 */
final class LinkTestResources implements AfterEachCallback {
  final Peer client = new Peer();
  private final List<AutoCloseable> open = new ArrayList<>();

  /** Closes {@code resource} after the test, before what was opened earlier. */
  <T extends AutoCloseable> T track(T resource) {
    open.add(0, resource);
    return resource;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    client.close();
  }
}
