package org.tgcalls4j.internal.rtmpcall;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.TgCallsException;

@Timeout(10)
class EventSinkTest {
  private final List<String> delivered = new CopyOnWriteArrayList<>();

  private RtmpCall.Events recording(boolean throwOnConnection) {
    return new RtmpCall.Events() {
      @Override
      public void onConnectionChange(ConnectionState state, TgCallsException cause) {
        delivered.add(state.name());
        if (throwOnConnection) {
          throw new IllegalStateException("listener bug");
        }
      }

      @Override
      public void onStreamEnd(TgCallsException error) {
        delivered.add("END");
      }
    };
  }

  @Test
  void dropsEventsOnceTheDispatcherIsShutDown() throws Exception {
    ExecutorService dispatcher = Executors.newSingleThreadExecutor();
    dispatcher.shutdown();
    assertThat(dispatcher.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    EventSink sink = new EventSink(dispatcher, recording(false));

    sink.connection(ConnectionState.CONNECTING, null); // must not throw on the sender thread
    sink.streamEnd(null);

    assertThat(delivered).isEmpty();
  }

  @Test
  void aThrowingListenerDoesNotStopLaterEvents() {
    List<Throwable> escaped = new CopyOnWriteArrayList<>();
    EventSink sink = new EventSink(task -> {
      try {
        task.run();
      } catch (Throwable t) { // what a dispatcher thread would die of
        escaped.add(t);
      }
    }, recording(true));

    sink.connection(ConnectionState.CONNECTED, null);
    sink.streamEnd(null);

    assertThat(escaped).isEmpty();
    assertThat(delivered).containsExactly("CONNECTED", "END");
  }
}
