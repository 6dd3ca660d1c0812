package org.tgcalls4j.internal.dtls;

import java.security.SecureRandom;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.modes.AEADBlockCipher;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.gcm.BasicGCMMultiplier;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * Bouncy Castle's lightweight crypto for one DTLS association: its own P-256 and RFC 7748 X25519
 * arithmetic make a client+server handshake pair cost less than half the CPU of the JCA provider
 * (6.0 ms against 13.5-14.6 ms on JDK 17, docs/dtls-spike.md (c)).
 *
 * <p>After the handshake the association only carries the odd application-data record (SRTP
 * keys are exported; media never passes through DTLS records), yet it keeps its record ciphers
 * for the call's life. AES-GCM here therefore multiplies in GHASH without tables: Bouncy Castle's
 * default keeps 4 KB of tables per cipher, which took a connected call's DTLS state from 11 to 31
 * kB.
 */
final class HandshakeCrypto extends BcTlsCrypto {
  HandshakeCrypto(SecureRandom random) {
    super(random);
  }

  @Override
  protected AEADBlockCipher createGCMMode(BlockCipher engine) {
    return GCMBlockCipher.newInstance(engine, new BasicGCMMultiplier());
  }
}
