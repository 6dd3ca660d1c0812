package org.tgcalls4j;

/** What a {@link Call} is; a chat has at most one main call and one presentation at a time. */
public enum CallKind {
  /** A group voice chat connection ({@code phone.joinGroupCall}); the chat's main call. */
  GROUP_CALL,
  /**
   * A group call's second connection for a screen share ({@code phone.joinGroupCallPresentation},
   * group-call.md §8); lives beside the chat's {@link #GROUP_CALL}.
   */
  PRESENTATION,
  /** An RTMP "go live" stream (group-call.md §10); the chat's main call. */
  RTMP_STREAM,
  /** A private (1-on-1) call ({@link PrivateCall}, p2p-call.md); named by the other party's user id. */
  PRIVATE_CALL
}
