package org.tgcalls4j.internal.rtmpcall;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.TgCallsException;

/**
 * Posts {@link RtmpCall.Events} to the client's dispatcher executor, one task per event. Never
 * throws to the poster: an event the executor refuses (it was shut down) is dropped, and a
 * listener that throws is logged, so neither can end the sender or watcher thread.
 */
final class EventSink {
  private static final Logger LOG = LoggerFactory.getLogger(EventSink.class);

  private final Executor executor;
  private final RtmpCall.Events events;

  EventSink(Executor executor, RtmpCall.Events events) {
    this.executor = executor;
    this.events = events;
  }

  void connection(ConnectionState state, TgCallsException cause) {
    post("connection " + state, () -> events.onConnectionChange(state, cause));
  }

  void streamEnd(TgCallsException error) {
    post("stream end", () -> events.onStreamEnd(error));
  }

  private void post(String what, Runnable event) {
    Runnable guarded = () -> {
      try {
        event.run();
      } catch (RuntimeException e) {
        LOG.warn("RTMP call listener threw on {}", what, e);
      }
    };
    try {
      executor.execute(guarded);
    } catch (RejectedExecutionException e) {
      LOG.debug("dropped {} event: the dispatcher no longer runs", what);
    }
  }
}
