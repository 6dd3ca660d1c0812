package org.tgcalls4j.internal.pc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.transport.EventLoops;

class TransportWarmupTest {
  @Test
  void handshakesProtectsAndBindsThenLeavesNoThreadBehind() {
    List<Thread> made = new CopyOnWriteArrayList<>();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r);
      made.add(t);
      return t;
    };

    boolean ok;
    try (EventLoops loops = EventLoops.start(1, Thread::new)) {
      ok = TransportWarmup.run(threads, loops.next(), DtlsCertificate.generate());
    }

    assertThat(ok).as("every warm-up step succeeded").isTrue();
    // the two DTLS handshake threads; the socket ran on the given loop
    assertThat(made).extracting(Thread::getName).containsExactlyInAnyOrder(
        "tgcalls4j-warmup-dtls-1", "tgcalls4j-warmup-dtls-2");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(
        () -> assertThat(made).noneMatch(Thread::isAlive));
  }
}
