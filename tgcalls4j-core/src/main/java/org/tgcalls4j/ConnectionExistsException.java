package org.tgcalls4j;

/** Thrown by {@code createCall} or {@code startRtmp} when the chat already has a call in this client. */
public final class ConnectionExistsException extends TgCallsException {
  private static final long serialVersionUID = 1L;
  private final long chatId;

  /** @param chatId the chat that already has a call */
  public ConnectionExistsException(long chatId) {
    super("a call for chat " + chatId + " already exists");
    this.chatId = chatId;
  }

  /** @return the chat that already has a call */
  public long chatId() {
    return chatId;
  }
}
