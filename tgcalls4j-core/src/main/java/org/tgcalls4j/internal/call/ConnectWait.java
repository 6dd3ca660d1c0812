package org.tgcalls4j.internal.call;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.tgcalls4j.NotConnectedException;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.TransportException;

/** The blocking side of a session's asynchronous connect, shared by the call types. */
final class ConnectWait {
  /** Slack beyond the connect timeout: the session's own timer fails the call first. */
  private static final long SLACK_MILLIS = 5_000;

  private ConnectWait() {}

  /**
   * Waits for a connect future.
   *
   * @param done the session's connect future
   * @param timeoutMillis the session's connect timeout, ms
   * @param name how messages name the call
   * @param fail fails the call if the wait itself times out
   * @throws TgCallsException the failure that ended the connect, or {@link NotConnectedException}
   *     on timeout or interrupt
   */
  static void await(CompletableFuture<Void> done, long timeoutMillis, String name,
      Consumer<TgCallsException> fail) throws TgCallsException {
    try {
      done.get(timeoutMillis + SLACK_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw asTgCallsException(e.getCause());
    } catch (TimeoutException e) {
      NotConnectedException timeout = new NotConnectedException(name + ": no connection within "
          + timeoutMillis + " ms");
      fail.accept(timeout);
      throw timeout;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NotConnectedException("interrupted while connecting");
    }
  }

  /**
   * @param error what a connect future failed with
   * @return the {@link TgCallsException} inside, or an INTERNAL {@link TransportException}
   */
  static TgCallsException asTgCallsException(Throwable error) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof TgCallsException tg) {
      return tg;
    }
    return new TransportException(TransportException.Stage.INTERNAL,
        "unexpected error while connecting: " + e, e);
  }
}
