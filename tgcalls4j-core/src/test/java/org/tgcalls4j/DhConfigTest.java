package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tgcalls4j.DhTestSupport.TELEGRAM_PRIME;
import static org.tgcalls4j.DhTestSupport.bytes;
import static org.tgcalls4j.DhTestSupport.pattern;
import static org.tgcalls4j.DhTestSupport.telegramPrime;

import java.math.BigInteger;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.KeyExchangeException.Reason;

/** The dh_config checks of p2p-call.md §1.3, one failing case per rule. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DhConfigTest {
  /** The residue rules of §1.3 as tdlib's check_config states them: modulus and allowed residues. */
  private static final Map<Integer, Map.Entry<Integer, Set<Integer>>> RULES = Map.of(
      2, Map.entry(8, Set.of(7)),
      3, Map.entry(3, Set.of(2)),
      5, Map.entry(5, Set.of(1, 4)),
      6, Map.entry(24, Set.of(19, 23)),
      7, Map.entry(7, Set.of(3, 5, 6)));

  static final BigInteger FFDHE2048 = new BigInteger(
      "ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695"
          + "a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a"
          + "d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935"
          + "984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a"
          + "bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4"
          + "ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61"
          + "9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005"
          + "c58ef1837d1683b2c6f34a26c1b2effa886b423861285c97ffffffffffffffff",
      16);

  @Test
  void telegramsPrimeIsReallyASafePrimeAndIsAcceptedWithTheGeneratorsItsResiduesAllow()
      throws Exception {
    // independent of DhConfig's shortcut for this prime: check it the slow way once
    assertThat(TELEGRAM_PRIME.bitLength()).isEqualTo(2048);
    assertThat(TELEGRAM_PRIME.isProbablePrime(64)).isTrue();
    assertThat(TELEGRAM_PRIME.shiftRight(1).isProbablePrime(64)).isTrue();

    // p mod 8 = 3, p mod 3 = 2, p mod 5 = 3, p mod 24 = 11, p mod 7 = 6: g = 3, 4, 7 pass
    for (int g : new int[] {3, 4, 7}) {
      DhConfig config = DhConfig.of(g, telegramPrime(), pattern(g));
      assertThat(config.g()).isEqualTo(g);
      assertThat(config.p()).isEqualTo(telegramPrime());
      assertThat(config.random()).isEqualTo(pattern(g));
    }
    for (int g : new int[] {2, 5, 6}) {
      assertReason(() -> DhConfig.of(g, telegramPrime(), pattern(0)), Reason.BAD_GENERATOR);
    }
  }

  @Test
  void acceptsAnotherSafePrimeAfterTestingIt() throws Exception {
    // RFC 7919 Appendix A.1 ffdhe2048, a safe prime: p mod 8 = 7, mod 3 = 2, mod 5 = 4, mod 24 = 23,
    // mod 7 = 4, so g = 2, 3, 4, 5, 6 pass and g = 7 does not
    byte[] ffdhe2048 = bytes(FFDHE2048, 256);
    for (int g : new int[] {2, 3, 4, 5, 6}) {
      assertThat(DhConfig.of(g, ffdhe2048, pattern(g)).g()).isEqualTo(g);
    }
    assertReason(() -> DhConfig.of(7, ffdhe2048, pattern(0)), Reason.BAD_GENERATOR);
  }

  @Test
  void copiesItsArraysInAndOut() throws Exception {
    byte[] p = telegramPrime();
    byte[] random = pattern(1);
    DhConfig config = DhConfig.of(3, p, random);
    p[0] ^= 1;
    random[0] ^= 1;
    assertThat(config.p()).isEqualTo(telegramPrime());
    assertThat(config.random()).isEqualTo(pattern(1));
    config.p()[5] ^= 1;
    config.random()[5] ^= 1;
    assertThat(config.p()).isEqualTo(telegramPrime());
    assertThat(config.random()).isEqualTo(pattern(1));
    assertThat(config.toString()).contains("g=3").contains("2048 bits");
  }

  @Test
  void toleratesALeadingZeroByteButNotAWrongSize() throws Exception {
    byte[] withZero = new byte[257];
    System.arraycopy(telegramPrime(), 0, withZero, 1, 256);
    assertThat(DhConfig.of(3, withZero, pattern(0)).p()).isEqualTo(telegramPrime());

    // 2047 bits: the prime's top half (odd, so only the size is wrong)
    byte[] small = bytes(TELEGRAM_PRIME.shiftRight(1), 256);
    assertReason(() -> DhConfig.of(4, small, pattern(0)), Reason.PRIME_SIZE);
    byte[] large = bytes(TELEGRAM_PRIME.shiftLeft(1).add(BigInteger.ONE), 257);
    assertReason(() -> DhConfig.of(4, large, pattern(0)), Reason.PRIME_SIZE);
    assertReason(() -> DhConfig.of(4, new byte[0], pattern(0)), Reason.PRIME_SIZE);
  }

  @Test
  void refusesACompositeP() {
    BigInteger composite = TELEGRAM_PRIME.add(BigInteger.TWO);
    assertThat(composite.isProbablePrime(64)).isFalse();
    // g = 4 has no residue rule, so primality is what fails
    assertReason(() -> DhConfig.of(4, bytes(composite, 256), pattern(0)), Reason.NOT_SAFE_PRIME);
  }

  @Test
  void refusesAPrimeWhoseHalfIsNotPrime() {
    BigInteger prime = BigInteger.probablePrime(2048, new Random(1984));
    assertThat(prime.shiftRight(1).isProbablePrime(64)).isFalse();
    assertReason(() -> DhConfig.of(4, bytes(prime, 256), pattern(0)), Reason.NOT_SAFE_PRIME);
  }

  @Test
  void appliesEachGeneratorsResidueRuleBeforeThePrimalityTest() {
    BigInteger base = BigInteger.ONE.shiftLeft(2047);
    for (Map.Entry<Integer, Map.Entry<Integer, Set<Integer>>> rule : RULES.entrySet()) {
      int g = rule.getKey();
      int modulus = rule.getValue().getKey();
      for (int r = 0; r < modulus; r++) {
        // a 2048-bit number with residue r: composite, so a passing rule leads to NOT_SAFE_PRIME
        BigInteger shift = BigInteger.valueOf(r).subtract(base).mod(BigInteger.valueOf(modulus));
        BigInteger p = base.add(shift).add(BigInteger.valueOf(1000L * modulus));
        assertThat(p.mod(BigInteger.valueOf(modulus)).intValue()).isEqualTo(r);
        Reason expected = rule.getValue().getValue().contains(r) ? Reason.NOT_SAFE_PRIME : Reason.BAD_GENERATOR;
        assertReason(() -> DhConfig.of(g, bytes(p, 256), pattern(0)), expected);
      }
    }
  }

  @Test
  void refusesAGeneratorOutside2To7() {
    for (int g : new int[] {Integer.MIN_VALUE, -3, 0, 1, 8, 9, 65537}) {
      assertReason(() -> DhConfig.of(g, telegramPrime(), pattern(0)), Reason.BAD_GENERATOR);
    }
  }

  @Test
  void refusesARandomThatIsNot256Bytes() {
    for (int length : new int[] {0, 32, 255, 257, 512}) {
      assertReason(() -> DhConfig.of(3, telegramPrime(), new byte[length]), Reason.BAD_RANDOM_LENGTH);
    }
  }

  static void assertReason(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(KeyExchangeException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageStartingWith(reason + ": ");
  }
}
