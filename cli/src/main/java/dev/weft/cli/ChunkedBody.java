package dev.weft.cli;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** The body of an HTTP/1.1 answer in chunked transfer coding (RFC 9112 section 7.1), decoded. */
final class ChunkedBody extends InputStream {
  private final InputStream in;
  private long left;
  private boolean done;

  ChunkedBody(InputStream in) {
    this.in = in;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (left == 0 && !done) {
      nextChunk();
    }
    if (done) {
      return -1;
    }
    int n = in.read(buffer, offset, (int) Math.min(length, left));
    if (n == -1) {
      throw new EOFException("the connection closed inside a chunk");
    }
    left -= n;
    if (left == 0 && !LoopbackHttp.line(in).isEmpty()) {
      throw new IOException("chunk not followed by CRLF");
    }
    return n;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(left, in.available());
  }

  /** Reads a chunk-size line ({@code 1a2b;ext=...}); size 0 ends the body after its trailers. */
  private void nextChunk() throws IOException {
    String line = LoopbackHttp.line(in);
    int end = line.indexOf(';');
    String size = (end < 0 ? line : line.substring(0, end)).trim();
    try {
      left = size.isEmpty() || size.length() > 15 ? -1 : Long.parseLong(size, 16);
    } catch (NumberFormatException e) {
      left = -1;
    }
    if (left < 0) {
      throw new IOException("malformed chunk size: " + line);
    }
    if (left == 0) {
      while (!LoopbackHttp.line(in).isEmpty()) {
        // trailer fields: nothing the client uses
      }
      done = true;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
