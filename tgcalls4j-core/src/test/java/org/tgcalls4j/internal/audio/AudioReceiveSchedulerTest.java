package org.tgcalls4j.internal.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AudioReceiveSchedulerTest {
  @Test
  void oneLazyThreadTicksEvery20MillisecondsForEveryReceiverAndStopsOnClose() throws Exception {
    AtomicInteger made = new AtomicInteger();
    AudioReceiveScheduler scheduler = new AudioReceiveScheduler(r -> {
      made.incrementAndGet();
      return new Thread(r);
    });
    assertThat(scheduler.running()).as("lazy").isFalse();
    List<Long> ticksA = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    AudioReceiveScheduler.Receiver a = now -> {
      ticksA.add(now);
      threads.add(Thread.currentThread().getName());
    };
    AtomicInteger ticksB = new AtomicInteger();
    AudioReceiveScheduler.Receiver failing = now -> {
      ticksB.incrementAndGet();
      throw new IllegalStateException("contained");
    };
    assertThat(scheduler.register(a)).isTrue();
    assertThat(scheduler.register(failing)).isTrue();
    Thread.sleep(1_000);
    scheduler.close();
    assertThat(scheduler.running()).isFalse();
    assertThat(made.get()).isEqualTo(1);
    assertThat(threads).containsOnly(AudioReceiveScheduler.THREAD_NAME);
    // 1 s at 20 ms: ~50 ticks (a loaded machine may lose a few, never burst)
    assertThat(ticksA.size()).isBetween(40, 52);
    assertThat(ticksB.get()).as("a throwing receiver is pulled on").isBetween(40, 52);
    long span = ticksA.get(ticksA.size() - 1) - ticksA.get(0);
    assertThat(span / (double) (ticksA.size() - 1)).isBetween(19.0, 22.0);
    assertThat(scheduler.register(a)).as("closed").isFalse();
  }

  @Test
  void unregisteredReceiversAreNotPulled() throws Exception {
    AudioReceiveScheduler scheduler = new AudioReceiveScheduler(Thread::new);
    AtomicInteger ticks = new AtomicInteger();
    AudioReceiveScheduler.Receiver r = now -> ticks.incrementAndGet();
    scheduler.register(r);
    Thread.sleep(100);
    scheduler.unregister(r);
    int after = ticks.get();
    Thread.sleep(100);
    assertThat(ticks.get()).isLessThanOrEqualTo(after + 1);
    scheduler.close();
  }
}
