package org.tgcalls4j;

/**
 * Receives connection-state transitions. Each transition is delivered exactly once, in order, on
 * the client's single dispatcher thread; a listener that throws is logged and later events are
 * still delivered. Implementations should return quickly and may call back into {@link TgCalls}
 * or a {@link Call} (for example {@code stop}) without deadlocking.
 */
@FunctionalInterface
public interface ConnectionListener {
  /**
   * Called for every transition of every call, including presentations; override
   * {@link #onConnectionChange(Call, ConnectionState, TgCallsException)} to tell them apart.
   *
   * @param chatId the call's chat
   * @param state the new state
   * @param cause why, when {@code state} is {@link ConnectionState#FAILED},
   *     {@link ConnectionState#TIMEOUT} or {@link ConnectionState#DISCONNECTED}; else null
   */
  void onConnectionChange(long chatId, ConnectionState state, TgCallsException cause);

  /**
   * The client calls this variant; by default it forwards to the chat-id variant.
   *
   * @param call the call whose state changed ({@link Call#kind()} tells a presentation apart)
   * @param state the new state
   * @param cause why, for {@code FAILED}, {@code TIMEOUT} and {@code DISCONNECTED}; else null
   */
  default void onConnectionChange(Call call, ConnectionState state, TgCallsException cause) {
    onConnectionChange(call.chatId(), state, cause);
  }
}
