package org.tgcalls4j;

/** The call did not reach {@link ConnectionState#CONNECTED} within the configured connect timeout. */
public final class NotConnectedException extends TgCallsException {
  private static final long serialVersionUID = 1L;

  /** @param message which stage did not complete and after how long */
  public NotConnectedException(String message) {
    super(message);
  }
}
