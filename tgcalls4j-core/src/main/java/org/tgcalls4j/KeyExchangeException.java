package org.tgcalls4j;

/**
 * The key exchange of a private call (p2p-call.md §1) was refused: the server's {@code dh_config}
 * failed a §1.3 check, a public value received from the peer was out of range, the caller's g_a did
 * not match the hash it committed to, or the fingerprints differ. The call must be discarded
 * ({@code phone.discardCall}). Messages say what failed and never contain secret values; public
 * values are described by their length only.
 */
public final class KeyExchangeException extends TgCallsException {
  private static final long serialVersionUID = 1L;

  /** Which check failed. */
  public enum Reason {
    /** p is not exactly 2048 bits (TDL {@code mtproto/DhHandshake.cpp} check_config). */
    PRIME_SIZE,
    /** p is not prime, or (p − 1) / 2 is not prime. */
    NOT_SAFE_PRIME,
    /** g is outside 2..7, or p does not satisfy the residue rule for g (p2p-call.md §1.3). */
    BAD_GENERATOR,
    /** {@code dh_config.random} is not exactly 256 bytes. */
    BAD_RANDOM_LENGTH,
    /** A public value g_a or g_b is longer than 256 bytes or outside [2^1984, p − 2^1984]. */
    PUBLIC_VALUE_OUT_OF_RANGE,
    /** SHA-256 of the caller's g_a differs from the g_a_hash it sent in {@code phone.requestCall}. */
    G_A_HASH_MISMATCH,
    /** The {@code key_fingerprint} received differs from the fingerprint of the key computed. */
    FINGERPRINT_MISMATCH,
    /** A key given to {@link CallKey#of} is not exactly 256 bytes. */
    BAD_KEY_LENGTH
  }

  private final Reason reason;

  /**
   * @param reason the failed check; never null
   * @param message what failed, without secret values
   */
  public KeyExchangeException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  /** @return the failed check */
  public Reason reason() {
    return reason;
  }
}
