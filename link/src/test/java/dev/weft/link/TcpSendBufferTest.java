package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a TCP link's send buffer is set to, from the system's limits, and on a real socket. */
class TcpSendBufferTest {
  private static final String AUTOTUNE_4_MIB = "4096\t16384\t4194304";

  @Test
  void asksForWhatTheSystemAllowsOnlyWhereThatBeatsAutotuning() {
    assertEquals(0, TcpSendBuffer.request("212992", AUTOTUNE_4_MIB), "Linux's default wmem_max: autotuning reaches more");
    assertEquals(0, TcpSendBuffer.request("2097152", AUTOTUNE_4_MIB), "doubled, as much as autotuning: no gain");
    assertEquals(4194304, TcpSendBuffer.request("4194304", AUTOTUNE_4_MIB), "doubled by the kernel to 8 MiB");
    assertEquals(TcpSendBuffer.MAX_REQUEST, TcpSendBuffer.request("1073741824", AUTOTUNE_4_MIB), "bounded");
  }

  @Test
  void unreadableLimitsLeaveTheBufferToTheKernel() {
    assertEquals(0, TcpSendBuffer.request("", AUTOTUNE_4_MIB), "no /proc (not Linux)");
    assertEquals(0, TcpSendBuffer.request("4194304", ""));
    assertEquals(0, TcpSendBuffer.request("lots", AUTOTUNE_4_MIB));
  }

  @Test
  void aLinkSocketGetsTheBufferAndKeepsLittleOfItUnsent() throws Exception {
    assumeTrue(Epoll.isAvailable(), "native epoll");
    int request = TcpSendBuffer.request(Files.readAllLines(Path.of("/proc/sys/net/core/wmem_max")).get(0),
        Files.readAllLines(Path.of("/proc/sys/net/ipv4/tcp_wmem")).get(0));
    try (EpollConnection connection = new EpollConnection()) {
      Channel client = connection.client();
      int before = client.config().getOption(ChannelOption.SO_SNDBUF);
      TcpSendBuffer.install(client);
      assertEquals(request > 0 ? 2 * request : before, client.config().getOption(ChannelOption.SO_SNDBUF),
          "the kernel doubles what it is asked for");
      assertEquals(TcpSendBuffer.UNSENT_BYTES, client.config().getOption(EpollChannelOption.TCP_NOTSENT_LOWAT));
    }
  }
}
