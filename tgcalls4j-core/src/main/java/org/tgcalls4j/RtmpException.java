package org.tgcalls4j;

/**
 * The RTMP ingest refused or dropped the stream: handshake failure, a {@code _error} reply to
 * connect/publish (bad key, stream already published), or a broken connection.
 */
public final class RtmpException extends TgCallsException {
  private static final long serialVersionUID = 1L;
  private final String code;

  /**
   * @param code the server's status code such as {@code NetStream.Publish.BadName}, or a local
   *     reason such as {@code handshake}; never null
   * @param message human-readable detail
   * @param cause the underlying error, may be null
   */
  public RtmpException(String code, String message, Throwable cause) {
    super(code + ": " + message, cause);
    this.code = code;
  }

  /** @return the server status code or local reason */
  public String code() {
    return code;
  }
}
