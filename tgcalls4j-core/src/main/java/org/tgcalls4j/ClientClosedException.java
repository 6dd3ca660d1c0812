package org.tgcalls4j;

/** The {@link TgCalls} client was closed; no further calls can be made on it. */
public final class ClientClosedException extends TgCallsException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public ClientClosedException() {
    super("the TgCalls client is closed");
  }
}
