package org.tgcalls4j;

import java.util.Objects;
import java.util.function.Consumer;
import org.tgcalls4j.internal.rtmpcall.RtmpCall;

/**
 * An RTMP "go live" stream to a channel's ingest (group-call.md §10), from
 * {@link TgCalls#startRtmp}: one connection kept across source changes, pauses and seeks, with a
 * hold stream while paused or between sources. Thread-safe.
 */
public final class RtmpStream implements Call {
  private final long chatId;
  private final RtmpCall call;
  private final Consumer<RtmpStream> onStop;
  private volatile ConnectionState state = ConnectionState.CONNECTING;

  RtmpStream(long chatId, RtmpCall call, Consumer<RtmpStream> onStop) {
    this.chatId = chatId;
    this.call = call;
    this.onStop = onStop;
  }

  @Override
  public long chatId() {
    return chatId;
  }

  @Override
  public CallKind kind() {
    return CallKind.RTMP_STREAM;
  }

  @Override
  public ConnectionState state() {
    return state;
  }

  void setState(ConnectionState state) {
    this.state = state;
  }

  @Override
  public void setSource(MediaSource source) throws TgCallsException {
    Objects.requireNonNull(source, "source");
    checkLive();
    call.setSource(source);
  }

  @Override
  public boolean pause() throws TgCallsException {
    checkLive();
    return call.pause();
  }

  @Override
  public boolean resume() throws TgCallsException {
    checkLive();
    return call.resume();
  }

  /**
   * Restarts the current source at a position on the same ingest connection.
   *
   * @throws IllegalArgumentException if {@code positionMillis} is negative
   * @throws ConnectionNotFoundException if the stream was stopped or failed
   */
  @Override
  public void seek(long positionMillis) throws TgCallsException {
    if (positionMillis < 0) {
      throw new IllegalArgumentException("positionMillis must be >= 0: " + positionMillis);
    }
    checkLive();
    call.seek(positionMillis);
  }

  @Override
  public long positionMillis() throws TgCallsException {
    checkLive();
    return call.positionMillis();
  }

  @Override
  public void stop() {
    onStop.accept(this);
    call.close();
    state = ConnectionState.CLOSED;
  }

  @Override
  public void close() {
    stop();
  }

  RtmpCall rtmpCall() {
    return call;
  }

  private void checkLive() throws ConnectionNotFoundException {
    ConnectionState s = state;
    if (s.isTerminal()) {
      throw new ConnectionNotFoundException(chatId);
    }
  }

  @Override
  public String toString() {
    return "RTMP_STREAM " + chatId;
  }
}
