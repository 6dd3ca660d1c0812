package org.tgcalls4j;

/**
 * Root of every error tgcalls4j reports, through a thrown exception or through
 * {@link ConnectionListener#onConnectionChange}. The hierarchy is sealed so that a {@code switch}
 * over the cause can be exhaustive.
 */
public abstract sealed class TgCallsException extends Exception
    permits ConnectionExistsException, ConnectionNotFoundException, InvalidParamsException,
        FfmpegSpawnException, FfmpegCrashedException, NotConnectedException, ClientClosedException,
        TransportException, RtmpException, KeyExchangeException {
  private static final long serialVersionUID = 1L;

  TgCallsException(String message) {
    super(message);
  }

  TgCallsException(String message, Throwable cause) {
    super(message, cause);
  }
}
