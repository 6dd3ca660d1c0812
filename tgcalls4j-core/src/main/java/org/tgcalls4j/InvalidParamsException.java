package org.tgcalls4j;

/**
 * Input from outside (the server's answer JSON, a URL, a file, a server reply) was not what the
 * protocol allows. {@link #field()} names the offending field in JSON-path form, for example
 * {@code transport.candidates[0].port}.
 */
public final class InvalidParamsException extends TgCallsException {
  private static final long serialVersionUID = 1L;
  private final String field;

  /**
   * @param field the offending field, JSON-path style; never null
   * @param problem what was wrong with it, e.g. "missing" or "not a number: \"abc\""
   */
  public InvalidParamsException(String field, String problem) {
    super("invalid params: " + field + ": " + problem);
    this.field = field;
  }

  /**
   * @param field the offending field, JSON-path style; never null
   * @param problem what was wrong with it
   * @param cause the underlying parse error
   */
  public InvalidParamsException(String field, String problem, Throwable cause) {
    super("invalid params: " + field + ": " + problem, cause);
    this.field = field;
  }

  /** @return the offending field in JSON-path form, e.g. {@code transport.ufrag} */
  public String field() {
    return field;
  }
}
