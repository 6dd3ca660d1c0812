package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventDispatcherTest {
  @Test
  void aBlockedListenerCostsTheOldestEventsNotMemory() throws Exception {
    EventDispatcher dispatcher = new EventDispatcher(Thread::new, 8);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocking = new CountDownLatch(1);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    dispatcher.post(Map.of(), () -> {
      blocking.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(blocking.await(5, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 20; i++) {
      int n = i;
      dispatcher.post(Map.of(), () -> seen.add(n));
    }
    assertThat(dispatcher.droppedEvents()).isEqualTo(12);
    release.countDown();
    dispatcher.close(5_000);
    assertThat(seen).containsExactly(12, 13, 14, 15, 16, 17, 18, 19);
  }

  @Test
  void aThrowingListenerIsContainedAndEventsAfterItRun() throws Exception {
    EventDispatcher dispatcher = new EventDispatcher(Thread::new);
    List<String> seen = new CopyOnWriteArrayList<>();
    dispatcher.post(Map.of(), () -> {
      throw new IllegalStateException("listener bug");
    });
    dispatcher.post(Map.of(), () -> seen.add("after"));
    // re-entrant: a listener may post (as stop() from onStreamEnd does), it runs after it
    dispatcher.post(Map.of(), () -> dispatcher.post(Map.of(), () -> seen.add("nested")));
    Thread.sleep(200);
    dispatcher.close(5_000);
    assertThat(seen).containsExactly("after", "nested");
    assertThat(dispatcher.droppedEvents()).isZero();
  }

  @Test
  void theClientsOwnTasksAreNeverDroppedOnlyListenerCalls() throws Exception {
    EventDispatcher dispatcher = new EventDispatcher(Thread::new, 2);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocking = new CountDownLatch(1);
    List<String> seen = new CopyOnWriteArrayList<>();
    dispatcher.post(Map.of(), () -> {
      blocking.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(blocking.await(5, TimeUnit.SECONDS)).isTrue();
    dispatcher.executor().execute(() -> seen.add("bookkeeping")); // e.g. a finished stream's removal
    for (int i = 0; i < 5; i++) {
      int n = i;
      dispatcher.post(Map.of(), () -> seen.add("listener " + n));
    }
    assertThat(dispatcher.droppedEvents()).isEqualTo(3);
    release.countDown();
    dispatcher.close(5_000);
    assertThat(seen).containsExactly("bookkeeping", "listener 3", "listener 4");
  }
}
