package org.tgcalls4j.it;

import java.util.List;
import org.tgcalls4j.PrivateCall;
import org.tgcalls4j.internal.p2p.DtlsFingerprint;
import org.tgcalls4j.internal.p2p.InitialSetup;
import org.tgcalls4j.internal.p2p.SignalingChannel;
import org.tgcalls4j.internal.p2p.SignalingMessages;

/** Plays the other party's signaling just far enough to make a call start its transport. */
final class PrivateCallStun {
  private PrivateCallStun() {}

  /** Sends a callee's InitialSetup (any credentials, a fingerprint no certificate will match). */
  static void feedInitialSetup(PrivateCall call, byte[] key) {
    SignalingChannel peer = new SignalingChannel(key, false);
    InitialSetup setup = new InitialSetup("abcd", "0123456789abcdefghijklmn", false,
        List.of(new DtlsFingerprint("sha-256", "passive", "AA:".repeat(31) + "AA")));
    for (byte[] blob : peer.send(SignalingMessages.encode(setup), System.currentTimeMillis())) {
      call.receiveSignalingData(blob);
    }
  }
}
