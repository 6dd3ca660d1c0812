package org.tgcalls4j.internal.pc;

import java.net.InetSocketAddress;
import java.util.Objects;
import org.tgcalls4j.internal.ice.ReflectorAddress;
import org.tgcalls4j.internal.reflector.ReflectorClient;

/**
 * A Telegram UDP reflector (a {@code phoneConnection}, p2p-call.md §2.2 and §2.4). The peer tag,
 * which admits us to the call's relay, never appears in {@link #toString()}.
 *
 * @param address the reflector's UDP address (resolved)
 * @param reflectorId its id, 1..255, the same on both sides of the call (p2p-call.md §2.2)
 * @param peerTag the 16-byte {@code peer_tag}; copied
 */
public record ReflectorServer(InetSocketAddress address, int reflectorId, byte[] peerTag)
    implements RelayServer {
  /**
   * @throws NullPointerException if a reference is null
   * @throws IllegalArgumentException if the id is out of range or the tag is not 16 bytes
   */
  public ReflectorServer {
    Objects.requireNonNull(address, "address");
    peerTag = Objects.requireNonNull(peerTag, "peerTag").clone();
    if (reflectorId < 1 || reflectorId > ReflectorAddress.MAX_ID) {
      throw new IllegalArgumentException("reflector id must be 1.." + ReflectorAddress.MAX_ID
          + ", got " + reflectorId);
    }
    if (peerTag.length != ReflectorClient.PEER_TAG_BYTES) {
      throw new IllegalArgumentException("peer_tag must be " + ReflectorClient.PEER_TAG_BYTES
          + " bytes, got " + peerTag.length);
    }
  }

  /** @return a copy of the peer tag */
  @Override
  public byte[] peerTag() {
    return peerTag.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReflectorServer r && r.address.equals(address)
        && r.reflectorId == reflectorId && java.util.Arrays.equals(r.peerTag, peerTag);
  }

  @Override
  public int hashCode() {
    return Objects.hash(address, reflectorId, java.util.Arrays.hashCode(peerTag));
  }

  @Override
  public String toString() {
    return "ReflectorServer[" + address + ", id " + reflectorId + "]";
  }
}
