package org.tgcalls4j.internal.srtp;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SRTP key derivation function with key_derivation_rate 0: AES in counter mode keyed with the
 * master key, input block (label || 0^48) XOR master salt, times 2^16 (RFC 3711 §4.3.1, §4.3.3).
 * AES-256 master keys use the same construction (RFC 6188 §7); 12-byte AEAD salts are used
 * left-aligned and zero-padded to 14 bytes, as libsrtp and jitsi-srtp do (RFC 7714 §11).
 */
final class SrtpKdf {
  static final int LABEL_RTP_ENCRYPTION = 0x00;
  static final int LABEL_RTP_AUTH = 0x01;
  static final int LABEL_RTP_SALT = 0x02;
  static final int LABEL_RTCP_ENCRYPTION = 0x03;
  static final int LABEL_RTCP_AUTH = 0x04;
  static final int LABEL_RTCP_SALT = 0x05;

  private static final int AES_BLOCK_BYTES = 16;
  // The label is XORed into the octet that sits 7 octets before the end of the 14-octet salt.
  private static final int LABEL_OFFSET = 7;

  private final Cipher aesEcb;
  private final byte[] masterSalt;

  /**
   * @param masterKey 16 or 32 bytes; not kept (the JCA key object copies it)
   * @param masterSalt 12 or 14 bytes; not kept
   */
  SrtpKdf(byte[] masterKey, byte[] masterSalt) {
    this.masterSalt = masterSalt.clone();
    try {
      aesEcb = Cipher.getInstance("AES/ECB/NoPadding");
      aesEcb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCA cannot run AES/ECB for the SRTP KDF", e);
    }
  }

  /**
   * @param label 0..5 (RFC 3711 §4.3.2)
   * @param lengthBytes how many key bytes to produce
   * @return a new array of the derived session key, salt or auth key
   */
  byte[] derive(int label, int lengthBytes) {
    byte[] block = new byte[AES_BLOCK_BYTES];
    System.arraycopy(masterSalt, 0, block, 0, masterSalt.length);
    block[LABEL_OFFSET] ^= (byte) label;
    int blocks = (lengthBytes + AES_BLOCK_BYTES - 1) / AES_BLOCK_BYTES;
    byte[] out = new byte[blocks * AES_BLOCK_BYTES];
    try {
      for (int i = 0; i < blocks; i++) {
        block[14] = (byte) (i >>> 8);
        block[15] = (byte) i;
        aesEcb.doFinal(block, 0, AES_BLOCK_BYTES, out, i * AES_BLOCK_BYTES);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/ECB failed while deriving SRTP keys", e);
    }
    return Arrays.copyOf(out, lengthBytes);
  }
}
