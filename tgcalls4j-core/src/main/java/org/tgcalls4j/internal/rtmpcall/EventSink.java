package org.tgcalls4j.internal.rtmpcall;

import java.util.concurrent.Executor;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.TgCallsException;

/** Posts {@link RtmpCall.Events} to the client's dispatcher executor, one task per event. */
final class EventSink {
  private final Executor executor;
  private final RtmpCall.Events events;

  EventSink(Executor executor, RtmpCall.Events events) {
    this.executor = executor;
    this.events = events;
  }

  void connection(ConnectionState state, TgCallsException cause) {
    executor.execute(() -> events.onConnectionChange(state, cause));
  }

  void streamEnd(TgCallsException error) {
    executor.execute(() -> events.onStreamEnd(error));
  }
}
