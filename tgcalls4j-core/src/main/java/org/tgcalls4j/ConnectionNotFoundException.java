package org.tgcalls4j;

/** Thrown when a method names a chat that has no call in this client (never created, or stopped). */
public final class ConnectionNotFoundException extends TgCallsException {
  private static final long serialVersionUID = 1L;
  private final long chatId;

  /** @param chatId the chat that has no call */
  public ConnectionNotFoundException(long chatId) {
    super("no call for chat " + chatId);
    this.chatId = chatId;
  }

  /** @return the chat that has no call */
  public long chatId() {
    return chatId;
  }
}
