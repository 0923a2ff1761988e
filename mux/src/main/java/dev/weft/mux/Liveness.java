package dev.weft.mux;

/**
 * Whether one stream's peer still answers, after QUIC's probe timeout (PTO): since when an answer
 * is owed (something the peer must answer went out and nothing arrived since), the probes sent
 * into that silence and the verdict. Silence is measured against the clock, not counted in timer
 * ticks, and only while an answer is owed: an idle stream is never suspected nor probed. Confined
 * to the table's executor except for {@link #suspect()}.
 */
final class Liveness {
  /** What a check of the stream found. */
  enum Finding { NOTHING, PROBE, SUSPECTED }

  /** Probe timeout before the first RTT sample: QUIC's, from its initial RTT of 333 ms. */
  static final long INITIAL_PTO = 1_000_000_000L;

  private boolean owed;
  private long owedSince;
  private long lastProbe;
  private int probes;
  private volatile boolean suspect;

  /**
   * Whether {@code frame} asks the peer for an answer: a Ping (Pong), Query (Response), Resume
   * (Resume) or Data (Credit, once consumed: a peer that does not consume is probed and answers
   * the Ping). Migrate markers do not count: a peer may hold its answer until a target is ready.
   */
  static boolean asksAnswer(Frame frame) {
    return frame instanceof Frame.Data || frame instanceof Frame.Ping || frame instanceof Frame.Query
        || frame instanceof Frame.Resume;
  }

  boolean owed() {
    return owed;
  }

  /** Something the peer must answer went out at {@code now}; silence counts from the first one. */
  void owe(long now) {
    if (!owed) {
      owed = true;
      owedSince = now;
    }
  }

  /** A frame arrived: the peer answers. Returns whether the stream was suspect until now. */
  boolean heard() {
    owed = false;
    probes = 0;
    boolean was = suspect;
    if (was) {
      suspect = false;
    }
    return was;
  }

  boolean suspect() {
    return suspect;
  }

  /** How long the peer has owed an answer, at {@code now}. */
  long silence(long now) {
    return owed ? now - owedSince : 0;
  }

  /**
   * A timely check at {@code now}: the stream becomes suspect after {@code suspectAfter} probe
   * timeouts of silence; a probe goes out after one, then after doubling waits (at most
   * {@code maxWait}), also while suspect, so a path that comes back is noticed.
   */
  Finding check(long now, long pto, int suspectAfter, long maxWait) {
    if (!owed) {
      return Finding.NOTHING;
    }
    if (!suspect && now - owedSince >= suspectAfter * pto) {
      suspect = true;
      probed(now);
      return Finding.SUSPECTED;
    }
    long wait = Math.min(pto << Math.min(probes, 16), maxWait);
    if (now - (probes == 0 ? owedSince : lastProbe) >= wait) {
      probed(now);
      return Finding.PROBE;
    }
    return Finding.NOTHING;
  }

  private void probed(long now) {
    lastProbe = now;
    probes++;
  }
}
