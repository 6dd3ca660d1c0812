package org.tgcalls4j.testsfu;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * Sends feedback RTCP to the participant (group-call.md §11 item 8) protected with the SFU's own
 * SRTCP keys: one feedback message per packet (reduced-size RTCP, RFC 5506), sender SSRC random,
 * media source the participant's video SSRC. Thread-safe.
 */
final class RtcpSender {
  private final SrtpContextFactory factory;
  private final SrtcpCryptoContext context;
  private final int senderSsrc;
  private final int mediaSsrc;
  private final QueuedDatagramTransport.Sender out;

  /**
   * @param sfuIsDtlsClient whether the SFU writes with the client key (RFC 5764 §4.2)
   */
  RtcpSender(SfuDtls.Keys keys, boolean sfuIsDtlsClient, int mediaSsrc,
      QueuedDatagramTransport.Sender out) {
    byte[][] keySalt = keys.profile().split(keys.material(), sfuIsDtlsClient);
    this.factory = new SrtpContextFactory(true, keySalt[0], keySalt[1], keys.profile().policy(),
        keys.profile().policy(), new LoggerImpl(getClass().getName()));
    this.senderSsrc = new SecureRandom().nextInt() | 1;
    this.mediaSsrc = mediaSsrc;
    this.out = out;
    try {
      this.context = factory.deriveControlContext(senderSsrc);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot derive the SRTCP context", e);
    }
  }

  private static volatile boolean warm;

  /**
   * Makes one SRTP and SRTCP context of each profile and direction with dummy keys, once per JVM:
   * jitsi-srtp picks its AES implementation on first use under a class-wide lock, which takes
   * seconds on a loaded machine (it loads the Bouncy Castle provider); done on the test thread
   * before a call, so the packet reader never waits for it mid-call.
   */
  static synchronized void warmUp() {
    if (warm) {
      return;
    }
    for (SrtpProfile profile : SrtpProfile.values()) {
      for (boolean sender : new boolean[] {true, false}) {
        SrtpContextFactory f = new SrtpContextFactory(sender, new byte[profile.keyLength],
            new byte[profile.saltLength], profile.policy(), profile.policy(),
            new LoggerImpl(RtcpSender.class.getName()));
        try {
          f.deriveContext(1, 0);
          f.deriveControlContext(1);
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("jitsi-srtp cannot make an SRTP context", e);
        } finally {
          f.close();
        }
      }
    }
    warm = true;
  }

  /** Sends one RTPFB (205) or PSFB (206) message with the given FMT and FCI (RFC 4585 §6.1). */
  synchronized void send(int packetType, int fmt, byte[] fci) throws IOException {
    byte[] plain = new byte[12 + fci.length];
    int words = plain.length / 4 - 1;
    plain[0] = (byte) (0x80 | fmt);
    plain[1] = (byte) packetType;
    plain[2] = (byte) (words >>> 8);
    plain[3] = (byte) words;
    putInt(plain, 4, senderSsrc);
    putInt(plain, 8, mediaSsrc);
    System.arraycopy(fci, 0, plain, 12, fci.length);
    SimpleByteArrayBuffer packet = new SimpleByteArrayBuffer(plain, 0, plain.length, 64);
    try {
      if (context.transformPacket(packet) != SrtpErrorStatus.OK) {
        throw new IOException("SRTCP protection failed");
      }
    } catch (GeneralSecurityException e) {
      throw new IOException("SRTCP protection failed", e);
    }
    byte[] protectedPacket = packet.toArray();
    out.send(protectedPacket, 0, protectedPacket.length);
  }

  void close() {
    factory.close();
  }

  private static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }
}
