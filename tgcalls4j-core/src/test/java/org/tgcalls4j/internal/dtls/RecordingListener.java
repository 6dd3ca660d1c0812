package org.tgcalls4j.internal.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link DtlsEndpoint.Listener} that forwards outgoing records to a sink and records every other
 * callback, counting them so that tests can check the "exactly once" promises.
 */
final class RecordingListener implements DtlsEndpoint.Listener {
  private volatile Consumer<byte[]> sink;
  final CompletableFuture<DtlsSrtpKeys> keys = new CompletableFuture<>();
  final CompletableFuture<Optional<DtlsException>> closed = new CompletableFuture<>();
  final List<byte[]> applicationData = new CopyOnWriteArrayList<>();
  final List<String> applicationDataThreads = new CopyOnWriteArrayList<>();
  final AtomicInteger handshakeCallbacks = new AtomicInteger();
  final AtomicInteger closedCallbacks = new AtomicInteger();
  final List<String> events = new CopyOnWriteArrayList<>();
  /** The thread that ran onHandshakeComplete or onHandshakeFailed. */
  volatile String handshakeThread;

  RecordingListener(Consumer<byte[]> sink) {
    this.sink = sink;
  }

  RecordingListener() {
    this(datagram -> {});
  }

  void sendTo(Consumer<byte[]> sink) {
    this.sink = sink;
  }

  @Override
  public void sendDatagram(byte[] datagram) {
    sink.accept(datagram);
  }

  @Override
  public void onHandshakeComplete(DtlsSrtpKeys k) {
    handshakeThread = Thread.currentThread().getName();
    handshakeCallbacks.incrementAndGet();
    events.add("complete");
    keys.complete(k);
  }

  @Override
  public void onHandshakeFailed(DtlsException cause) {
    handshakeThread = Thread.currentThread().getName();
    handshakeCallbacks.incrementAndGet();
    events.add("failed");
    keys.completeExceptionally(cause);
  }

  @Override
  public void onApplicationData(byte[] data, int offset, int length) {
    events.add("data");
    applicationData.add(Arrays.copyOfRange(data, offset, offset + length));
    applicationDataThreads.add(Thread.currentThread().getName());
  }

  @Override
  public void onClosed(DtlsException causeOrNull) {
    closedCallbacks.incrementAndGet();
    events.add("closed");
    closed.complete(Optional.ofNullable(causeOrNull));
  }

  /** @return the keys, waiting up to 10 s; fails the test if the handshake failed */
  DtlsSrtpKeys awaitKeys() throws Exception {
    return keys.get(10, TimeUnit.SECONDS);
  }

  /** @return why the handshake failed, waiting up to {@code seconds}; fails the test if it succeeded */
  DtlsException awaitFailure(int seconds) throws Exception {
    try {
      DtlsSrtpKeys k = keys.get(seconds, TimeUnit.SECONDS);
      throw new AssertionError("the handshake succeeded with " + k.profile());
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DtlsException.class);
      return (DtlsException) e.getCause();
    }
  }

  /** @return the cause given to onClosed (empty for null), waiting up to 5 s */
  Optional<DtlsException> awaitClosed() throws Exception {
    return closed.get(5, TimeUnit.SECONDS);
  }
}
