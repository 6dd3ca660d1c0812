package org.tgcalls4j;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.tgcalls4j.internal.dh.Dh;

/**
 * One side of a private call's Diffie-Hellman exchange (p2p-call.md §1.1–§1.4). The app does the
 * MTProto calls; this class supplies the values they carry and checks what comes back:
 *
 * <pre>
 * caller                                           callee
 * ex = KeyExchange.caller(config)
 * phone.requestCall(g_a_hash = ex.gAHash()) ─────► ex = KeyExchange.callee(config, g_a_hash)
 *                                            ◄───── phone.acceptCall(g_b = ex.gB())
 * key = ex.onAccepted(g_b)
 * phone.confirmCall(g_a = ex.gA(),
 *     key_fingerprint = key.fingerprint()) ──────► key = ex.onConfirmed(g_a, key_fingerprint)
 * </pre>
 *
 * <p>The secret exponent is 256 random bytes XOR {@code dh_config.random}, read as an unsigned
 * big-endian number, redrawn until the own public value passes the §1.3 range check (TD {@code
 * mtproto/mtproto_dh_utils.cpp} CreateModExp; TD {@code calls/calls_call.cpp} startOutgoing,
 * startIncoming, confirmAcceptedCall, startConfirmedCall; TDL {@code telegram/CallActor.cpp}). It
 * stays inside this object (never logged, never returned); drop the object once the key is made.
 *
 * <p>Immutable after construction and thread-safe. Public values are returned as minimal unsigned
 * big-endian bytes (normally 256), in fresh arrays.
 */
public final class KeyExchange {
  /** Redraws of the secret before giving up; a good random source needs one (failure ≈ 2^−63). */
  private static final int MAX_DRAWS = 32;

  private final DhConfig config;
  private final boolean caller;
  private final BigInteger secret;
  private final byte[] ownPublic;
  /** Caller: SHA-256 of its g_a. Callee: the g_a_hash received. */
  private final byte[] gAHash;

  private KeyExchange(DhConfig config, boolean caller, SecureRandom random, byte[] gAHash) {
    this.config = config;
    this.caller = caller;
    BigInteger p = config.prime();
    BigInteger g = BigInteger.valueOf(config.g());
    byte[] mix = config.randomUnsafe();
    for (int draw = 0; ; draw++) {
      if (draw == MAX_DRAWS) {
        throw new IllegalStateException(
            "no usable secret exponent after " + MAX_DRAWS + " draws: the random source is broken");
      }
      byte[] bytes = new byte[Dh.SIZE];
      random.nextBytes(bytes);
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] ^= mix[i];
      }
      BigInteger candidate = new BigInteger(1, bytes);
      Arrays.fill(bytes, (byte) 0);
      BigInteger value = g.modPow(candidate, p);
      if (Dh.inRange(value, p)) {
        this.secret = candidate;
        this.ownPublic = Dh.unsigned(value);
        break;
      }
    }
    this.gAHash = caller ? Dh.sha256(ownPublic) : gAHash;
  }

  /**
   * Starts the exchange as the caller, with a fresh {@link SecureRandom}.
   *
   * @param config the checked {@code messages.getDhConfig} result
   * @return the caller's side; send {@link #gAHash()} in {@code phone.requestCall}
   */
  public static KeyExchange caller(DhConfig config) {
    return caller(config, new SecureRandom());
  }

  /**
   * Starts the exchange as the caller.
   *
   * @param config the checked {@code messages.getDhConfig} result
   * @param random the source of the secret's 256 bytes (tests pass a seeded one)
   * @return the caller's side; send {@link #gAHash()} in {@code phone.requestCall}
   * @throws IllegalStateException if 32 draws in a row gave an out-of-range g_a (a broken source)
   */
  public static KeyExchange caller(DhConfig config, SecureRandom random) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(random, "random");
    return new KeyExchange(config, true, random, null);
  }

  /**
   * Answers an incoming call ({@code phoneCallRequested}), with a fresh {@link SecureRandom}.
   *
   * @param config the checked {@code messages.getDhConfig} result
   * @param gAHash {@code phoneCallRequested.g_a_hash}, 32 bytes
   * @return the callee's side; send {@link #gB()} in {@code phone.acceptCall}
   * @throws KeyExchangeException with {@link KeyExchangeException.Reason#G_A_HASH_MISMATCH} if
   *     {@code gAHash} is not 32 bytes long (it cannot match any g_a)
   */
  public static KeyExchange callee(DhConfig config, byte[] gAHash) throws KeyExchangeException {
    return callee(config, gAHash, new SecureRandom());
  }

  /**
   * Answers an incoming call ({@code phoneCallRequested}).
   *
   * @param config the checked {@code messages.getDhConfig} result
   * @param gAHash {@code phoneCallRequested.g_a_hash}, 32 bytes (copied)
   * @param random the source of the secret's 256 bytes (tests pass a seeded one)
   * @return the callee's side; send {@link #gB()} in {@code phone.acceptCall}
   * @throws KeyExchangeException with {@link KeyExchangeException.Reason#G_A_HASH_MISMATCH} if
   *     {@code gAHash} is not 32 bytes long (it cannot match any g_a)
   * @throws IllegalStateException if 32 draws in a row gave an out-of-range g_b (a broken source)
   */
  public static KeyExchange callee(DhConfig config, byte[] gAHash, SecureRandom random)
      throws KeyExchangeException {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(gAHash, "gAHash");
    Objects.requireNonNull(random, "random");
    if (gAHash.length != 32) {
      throw new KeyExchangeException(KeyExchangeException.Reason.G_A_HASH_MISMATCH,
          "g_a_hash has " + gAHash.length + " bytes, a SHA-256 has 32");
    }
    return new KeyExchange(config, false, random, gAHash.clone());
  }

  /** @return whether this is the caller's side */
  public boolean isCaller() {
    return caller;
  }

  /**
   * @return the caller's g_a = g^a mod p, minimal unsigned big-endian (normally 256 bytes), for
   *     {@code phone.confirmCall}
   * @throws IllegalStateException on the callee's side
   */
  public byte[] gA() {
    requireRole(true, "gA");
    return ownPublic.clone();
  }

  /**
   * @return SHA-256 of {@link #gA()} exactly as sent, 32 bytes, for {@code phone.requestCall}
   * @throws IllegalStateException on the callee's side
   */
  public byte[] gAHash() {
    requireRole(true, "gAHash");
    return gAHash.clone();
  }

  /**
   * @return the callee's g_b = g^b mod p, minimal unsigned big-endian (normally 256 bytes), for
   *     {@code phone.acceptCall}
   * @throws IllegalStateException on the caller's side
   */
  public byte[] gB() {
    requireRole(false, "gB");
    return ownPublic.clone();
  }

  /**
   * The caller's step on {@code phoneCallAccepted}: checks g_b and computes the key
   * ({@code key = g_b^a mod p}, 256 bytes). Send {@link #gA()} and {@link CallKey#fingerprint()}
   * in {@code phone.confirmCall}.
   *
   * @param gB {@code phoneCallAccepted.g_b}, unsigned big-endian
   * @return the shared key
   * @throws KeyExchangeException with {@link KeyExchangeException.Reason#PUBLIC_VALUE_OUT_OF_RANGE}
   *     if g_b is longer than 256 bytes or outside [2^1984, p − 2^1984]
   * @throws IllegalStateException on the callee's side
   */
  public CallKey onAccepted(byte[] gB) throws KeyExchangeException {
    requireRole(true, "onAccepted");
    Objects.requireNonNull(gB, "gB");
    BigInteger value = checkedPublic(gB, "g_b");
    return CallKey.of(shared(value), ownPublic.clone());
  }

  /**
   * The callee's step on the final {@code phoneCall}: checks that SHA-256(g_a) equals the hash
   * received in {@code phoneCallRequested} (compared in constant time), checks g_a's range,
   * computes {@code key = g_a^b mod p} and checks the fingerprint (TD startConfirmedCall; TDL
   * {@code CallActor.cpp} do_update_call).
   *
   * @param gA {@code phoneCall.g_a_or_b}, the caller's g_a, unsigned big-endian
   * @param keyFingerprint {@code phoneCall.key_fingerprint}
   * @return the shared key
   * @throws KeyExchangeException with {@link KeyExchangeException.Reason#G_A_HASH_MISMATCH} if the
   *     hash differs, {@link KeyExchangeException.Reason#PUBLIC_VALUE_OUT_OF_RANGE} if g_a is out
   *     of range, {@link KeyExchangeException.Reason#FINGERPRINT_MISMATCH} if the fingerprints differ
   * @throws IllegalStateException on the caller's side
   */
  public CallKey onConfirmed(byte[] gA, long keyFingerprint) throws KeyExchangeException {
    requireRole(false, "onConfirmed");
    Objects.requireNonNull(gA, "gA");
    if (!MessageDigest.isEqual(Dh.sha256(gA), gAHash)) {
      throw new KeyExchangeException(KeyExchangeException.Reason.G_A_HASH_MISMATCH,
          "SHA-256 of g_a (" + gA.length + " bytes) differs from g_a_hash of phoneCallRequested");
    }
    BigInteger value = checkedPublic(gA, "g_a");
    CallKey key = CallKey.of(shared(value), gA.clone());
    if (key.fingerprint() != keyFingerprint) {
      throw new KeyExchangeException(KeyExchangeException.Reason.FINGERPRINT_MISMATCH,
          "key_fingerprint " + keyFingerprint + " of phoneCall does not match the computed key");
    }
    return key;
  }

  private BigInteger checkedPublic(byte[] encoded, String name) throws KeyExchangeException {
    if (!Dh.inRange(encoded, config.prime())) {
      throw new KeyExchangeException(KeyExchangeException.Reason.PUBLIC_VALUE_OUT_OF_RANGE,
          name + " (" + encoded.length + " bytes) is not in [2^1984, p - 2^1984]");
    }
    return new BigInteger(1, encoded);
  }

  private byte[] shared(BigInteger peerPublic) {
    return Dh.padded(peerPublic.modPow(secret, config.prime()), Dh.SIZE);
  }

  private void requireRole(boolean wantCaller, String method) {
    if (caller != wantCaller) {
      throw new IllegalStateException(
          method + " is for the " + (wantCaller ? "caller" : "callee") + "'s side of the exchange");
    }
  }

  /** @return the role and the config; never the secret */
  @Override
  public String toString() {
    return "KeyExchange{" + (caller ? "caller" : "callee") + ", " + config + "}";
  }
}
