package org.tgcalls4j;

import java.math.BigInteger;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.tgcalls4j.internal.dh.Dh;

/**
 * The Diffie-Hellman parameters of a private call, as returned by {@code messages.getDhConfig}
 * ({@code messages.dhConfig{g, p, version, random}} requested with {@code random_length = 256}),
 * checked as p2p-call.md §1.3 requires. Immutable and thread-safe; arrays are copied in and out.
 *
 * <p>A {@code messages.dhConfigNotModified} reply carries only a new {@code random}: build a new
 * {@code DhConfig} from the cached g and p and that random. The result of the primality checks is
 * remembered for Telegram's well-known prime and for a few primes verified before, so repeated
 * configs cost only the cheap checks.
 *
 * <p>Sources: TD {@code mtproto/mtproto_dh_utils.cpp} IsPrimeAndGood; TDL
 * {@code mtproto/DhHandshake.cpp} check_config and {@code telegram/DhCache.cpp} (the built-in good
 * prime).
 */
public final class DhConfig {
  /**
   * Certainty passed to {@link BigInteger#isProbablePrime}: the chance that a composite passes is
   * below 2^−64 (for 2048-bit values the JDK runs Miller-Rabin rounds plus a Lucas test).
   */
  private static final int PRIME_CERTAINTY = 64;

  /** Primes other than the built-in one whose safety is remembered, at most this many. */
  private static final int MAX_REMEMBERED_PRIMES = 16;

  /**
   * Telegram's well-known 2048-bit safe prime, the p every {@code messages.getDhConfig} has
   * returned so far (TDL {@code telegram/DhCache.cpp} built_in_good_prime; TD skips its test too).
   */
  private static final BigInteger TELEGRAM_PRIME = new BigInteger(
      "c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f"
          + "48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c37"
          + "20fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f64"
          + "2477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4"
          + "a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754"
          + "fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4"
          + "e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f"
          + "0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b",
      16);

  private static final Set<BigInteger> SAFE_PRIMES = ConcurrentHashMap.newKeySet();

  private final int g;
  private final BigInteger prime;
  private final byte[] p;
  private final byte[] random;

  private DhConfig(int g, BigInteger prime, byte[] random) {
    this.g = g;
    this.prime = prime;
    this.p = Dh.padded(prime, Dh.SIZE);
    this.random = random.clone();
  }

  /**
   * Checks and keeps a {@code messages.dhConfig}. The checks run in this order: {@code random}
   * length, p's size, g and its residue rule, then whether p is a safe prime (the slow one, a few
   * milliseconds; skipped for Telegram's well-known prime and primes that passed before).
   *
   * @param g the generator, {@code dhConfig.g}
   * @param p the prime, {@code dhConfig.p}: unsigned big-endian, normally 256 bytes; leading zero
   *     bytes are tolerated as long as the value has exactly 2048 bits
   * @param random {@code dhConfig.random}, mixed into every secret exponent: exactly 256 bytes
   * @return the checked configuration
   * @throws KeyExchangeException with {@link KeyExchangeException.Reason#BAD_RANDOM_LENGTH} if
   *     {@code random} is not 256 bytes; {@link KeyExchangeException.Reason#PRIME_SIZE} if p is not
   *     exactly 2048 bits; {@link KeyExchangeException.Reason#BAD_GENERATOR} if g is outside 2..7 or
   *     p breaks g's rule (g=2: p mod 8 = 7; g=3: p mod 3 = 2; g=4: none; g=5: p mod 5 ∈ {1,4};
   *     g=6: p mod 24 ∈ {19,23}; g=7: p mod 7 ∈ {3,5,6}); {@link
   *     KeyExchangeException.Reason#NOT_SAFE_PRIME} if p or (p − 1)/2 is not prime
   * @throws NullPointerException if {@code p} or {@code random} is null
   */
  public static DhConfig of(int g, byte[] p, byte[] random) throws KeyExchangeException {
    Objects.requireNonNull(p, "p");
    Objects.requireNonNull(random, "random");
    if (random.length != Dh.SIZE) {
      throw new KeyExchangeException(KeyExchangeException.Reason.BAD_RANDOM_LENGTH,
          "dh_config.random has " + random.length + " bytes, expected " + Dh.SIZE);
    }
    BigInteger prime = new BigInteger(1, p);
    if (prime.bitLength() != 2048) {
      throw new KeyExchangeException(KeyExchangeException.Reason.PRIME_SIZE,
          "dh_config.p has " + prime.bitLength() + " bits, expected 2048");
    }
    if (!residueRuleHolds(g, prime)) {
      throw new KeyExchangeException(KeyExchangeException.Reason.BAD_GENERATOR,
          g < 2 || g > 7
              ? "dh_config.g = " + g + " is outside 2..7"
              : "dh_config.g = " + g + " does not generate the subgroup of order (p-1)/2 for this p");
    }
    checkSafePrime(prime);
    return new DhConfig(g, prime, random);
  }

  private static boolean residueRuleHolds(int g, BigInteger prime) {
    // g must be a quadratic residue mod p; by quadratic reciprocity a condition on p mod 4g
    switch (g) {
      case 2:
        return mod(prime, 8) == 7;
      case 3:
        return mod(prime, 3) == 2;
      case 4:
        return true;
      case 5: {
        int r = mod(prime, 5);
        return r == 1 || r == 4;
      }
      case 6: {
        int r = mod(prime, 24);
        return r == 19 || r == 23;
      }
      case 7: {
        int r = mod(prime, 7);
        return r == 3 || r == 5 || r == 6;
      }
      default:
        return false;
    }
  }

  private static int mod(BigInteger x, int m) {
    return x.mod(BigInteger.valueOf(m)).intValue();
  }

  private static void checkSafePrime(BigInteger prime) throws KeyExchangeException {
    if (prime.equals(TELEGRAM_PRIME) || SAFE_PRIMES.contains(prime)) {
      return;
    }
    if (!prime.isProbablePrime(PRIME_CERTAINTY)) {
      throw new KeyExchangeException(KeyExchangeException.Reason.NOT_SAFE_PRIME,
          "dh_config.p is not prime");
    }
    if (!prime.shiftRight(1).isProbablePrime(PRIME_CERTAINTY)) {
      throw new KeyExchangeException(KeyExchangeException.Reason.NOT_SAFE_PRIME,
          "(dh_config.p - 1) / 2 is not prime");
    }
    if (SAFE_PRIMES.size() < MAX_REMEMBERED_PRIMES) {
      SAFE_PRIMES.add(prime);
    }
  }

  /** @return the generator g, 2..7 */
  public int g() {
    return g;
  }

  /** @return a copy of p: 256 bytes, unsigned big-endian */
  public byte[] p() {
    return p.clone();
  }

  /** @return a copy of {@code dh_config.random}: 256 bytes */
  public byte[] random() {
    return random.clone();
  }

  /** The prime as a number; not a copy (BigInteger is immutable). */
  BigInteger prime() {
    return prime;
  }

  /** The random bytes without a copy; callers must not modify them. */
  byte[] randomUnsafe() {
    return random;
  }

  /** @return g and p's size; the random bytes are not shown */
  @Override
  public String toString() {
    return "DhConfig{g=" + g + ", p=" + prime.bitLength() + " bits"
        + (prime.equals(TELEGRAM_PRIME) ? " (Telegram's prime)" : "") + "}";
  }
}
