package org.tgcalls4j;

/**
 * Receives connection-state transitions. Each transition is delivered exactly once, in order, on
 * the client's single dispatcher thread; implementations should return quickly and may call back
 * into {@link TgCalls} (for example {@code stop}) without deadlocking.
 */
@FunctionalInterface
public interface ConnectionListener {
  /**
   * @param chatId the call's chat
   * @param state the new state
   * @param cause why the call failed when {@code state} is {@link ConnectionState#FAILED}, else null
   */
  void onConnectionChange(long chatId, ConnectionState state, TgCallsException cause);
}
