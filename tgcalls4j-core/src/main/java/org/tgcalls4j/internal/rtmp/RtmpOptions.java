package org.tgcalls4j.internal.rtmp;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * How an {@link RtmpPublisher} connects.
 *
 * @param connectTimeoutMillis bound on everything from TCP connect to {@code
 *     NetStream.Publish.Start}, milliseconds, positive
 * @param threadFactory makes the one reader thread per connection
 * @param sslSocketFactory used for {@code rtmps}; host name verification is always on
 */
public record RtmpOptions(
    long connectTimeoutMillis, ThreadFactory threadFactory, SSLSocketFactory sslSocketFactory) {

  /** @throws IllegalArgumentException for a non-positive timeout or null factories */
  public RtmpOptions {
    if (connectTimeoutMillis <= 0) {
      throw new IllegalArgumentException("connectTimeoutMillis " + connectTimeoutMillis);
    }
    Objects.requireNonNull(threadFactory, "threadFactory");
    Objects.requireNonNull(sslSocketFactory, "sslSocketFactory");
  }

  /** @return 10 s timeout, daemon threads named {@code tgcalls4j-rtmp-reader}, the JVM's TLS */
  public static RtmpOptions defaults() {
    return new RtmpOptions(
        10_000,
        runnable -> {
          Thread thread = new Thread(runnable, "tgcalls4j-rtmp-reader");
          thread.setDaemon(true);
          return thread;
        },
        (SSLSocketFactory) SSLSocketFactory.getDefault());
  }
}
