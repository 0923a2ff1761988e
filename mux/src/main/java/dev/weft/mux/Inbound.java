package dev.weft.mux;

/**
 * What each frame received on one stream does, one method per type (after yamux's session.go
 * handlers): session frames go to their session, opens to {@link Opens}, moves to
 * {@link Migrations}, stream frames to the stream and the table. Frames for sessions this side
 * does not know (ended, or never opened) are dropped, except Data (it holds the peer's credit),
 * Migrate REQUEST and Resume, which get a Reset so the peer stops waiting. Runs on the table's
 * executor.
 */
final class Inbound implements Frame.Handler {
  private final SessionTable table;
  private final MuxStream stream;
  private final Opens opens;
  private final Migrations migrations;

  Inbound(SessionTable table, MuxStream stream, Opens opens, Migrations migrations) {
    this.table = table;
    this.stream = stream;
    this.opens = opens;
    this.migrations = migrations;
  }

  @Override
  public void onHello(Frame.Hello hello) {
    if (hello.version() < 1) {
      stream.fail("peer speaks mux version " + hello.version() + ", this side needs at least 1");
      return;
    }
    table.streamReady(stream, hello.maxPayload());
  }

  @Override
  public void onQuery(Frame.Query query) {
    opens.onQuery(stream, query);
  }

  @Override
  public void onResponse(Frame.Response response) {
    opens.onResponse(response);
  }

  @Override
  public void onData(Frame.Data data) {
    Session s = table.session(data.session());
    if (s == null) {
      data.release();
      stream.send(new Frame.Reset(data.session(), Reason.PROTOCOL_ERROR, "data for unknown session"));
    } else {
      s.onData(data);
    }
  }

  @Override
  public void onCredit(Frame.Credit credit) {
    Session s = table.session(credit.session());
    if (s != null) {
      s.onCredit(credit);
    }
  }

  @Override
  public void onClose(Frame.Close close) {
    Session s = table.session(close.session());
    if (s != null) {
      s.onClose(close);
    }
  }

  @Override
  public void onReset(Frame.Reset reset) {
    Session s = table.session(reset.session());
    if (s != null) {
      s.terminate(reset.reason(), reset.message(), false);
    }
  }

  @Override
  public void onPing(Frame.Ping ping) {
    stream.send(new Frame.Pong(ping.id()));
  }

  @Override
  public void onPong(Frame.Pong pong) {
    stream.pong(pong.id());
  }

  @Override
  public void onMigrate(Frame.Migrate migrate) {
    migrations.onMigrate(stream, migrate);
  }

  @Override
  public void onResume(Frame.Resume resume) {
    migrations.onResume(stream, resume);
  }
}
