package org.tgcalls4j;

/**
 * Receives the signaling blobs a private call sends to the other party; the application passes
 * each to {@code phone.sendSignalingData(peer, data)} (p2p-call.md §1.1), in order.
 */
@FunctionalInterface
public interface SignalingDataListener {
  /**
   * Called on the client's dispatcher thread, in the order the call produced the blobs. Blobs may
   * be lost or reordered on their way (the signaling resends and reorders); a listener that
   * throws is logged and the call goes on.
   *
   * @param call the call that sends
   * @param data one encrypted blob (p2p-call.md §3.4), at most 16 KiB; owned by the listener
   */
  void onSignalingData(PrivateCall call, byte[] data);
}
