package dev.weft.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageDecoderTest {
  private static byte[] prefixed(byte[]... messages) {
    ByteBuf all = Unpooled.buffer();
    for (byte[] m : messages) {
      all.writeShort(m.length).writeBytes(m);
    }
    byte[] bytes = ByteBufUtil.getBytes(all);
    all.release();
    return bytes;
  }

  private static byte[] random(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  @Test
  void messagesCutAtEveryPointArriveWholeInHeapBuffers() {
    Random random = new Random(7);
    byte[][] messages = {random(random, 1), random(random, 300), random(random, 65535), random(random, 2)};
    byte[] wire = prefixed(messages);
    for (int cut : new int[] {1, 2, 3, 299, 303, 304, 65536, wire.length - 1}) {
      EmbeddedChannel channel = new EmbeddedChannel(new MessageDecoder(1, 65535));
      channel.writeInbound(Unpooled.wrappedBuffer(wire, 0, cut));
      channel.writeInbound(Unpooled.wrappedBuffer(wire, cut, wire.length - cut));
      for (byte[] expected : messages) {
        ByteBuf message = channel.readInbound();
        assertTrue(message.hasArray(), "the cipher decrypts in the message's own array");
        assertEquals(expected.length, message.capacity(), "allocated at exactly its length");
        assertArrayEquals(expected, ByteBufUtil.getBytes(message), "cut at " + cut);
        message.release();
      }
      assertNull(channel.readInbound());
      assertFalse(channel.finish());
    }
  }

  @Test
  void oneByteAtATime() {
    byte[] wire = prefixed(new byte[] {1, 2, 3}, new byte[] {4});
    EmbeddedChannel channel = new EmbeddedChannel(new MessageDecoder(1, 16));
    for (byte b : wire) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    ByteBuf first = channel.readInbound();
    ByteBuf second = channel.readInbound();
    assertArrayEquals(new byte[] {1, 2, 3}, ByteBufUtil.getBytes(first));
    assertArrayEquals(new byte[] {4}, ByteBufUtil.getBytes(second));
    first.release();
    second.release();
    assertFalse(channel.finish());
  }

  @Test
  void lengthOutsideTheLimitsFailsAtItsTwoBytesAndTheRestIsDropped() {
    EmbeddedChannel channel = new EmbeddedChannel(new MessageDecoder(17, 100));
    CorruptedFrameException e = assertThrows(CorruptedFrameException.class,
        () -> channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 101, 9, 9, 9})));
    assertTrue(e.getMessage().contains("101 outside 17-100"), e.getMessage());
    channel.writeInbound(Unpooled.wrappedBuffer(prefixed(new byte[20])));
    assertNull(channel.readInbound(), "framing cannot be trusted after a bad length");
    assertFalse(channel.finish());
  }

  @Test
  void aMessageCutShortByTheCloseIsReleased() {
    EmbeddedChannel channel = new EmbeddedChannel(new MessageDecoder(1, 100));
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 50, 1, 2, 3}));
    assertNull(channel.readInbound());
    assertFalse(channel.finish()); // the leak check fails the test if the partial message leaked
  }
}
