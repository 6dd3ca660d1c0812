package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tgcalls4j.DhConfigTest.assertReason;
import static org.tgcalls4j.DhTestSupport.TELEGRAM_PRIME;
import static org.tgcalls4j.DhTestSupport.bytes;
import static org.tgcalls4j.DhTestSupport.minimal;
import static org.tgcalls4j.DhTestSupport.pattern;
import static org.tgcalls4j.DhTestSupport.telegramConfig;
import static org.tgcalls4j.DhTestSupport.xor;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.DhTestSupport.ScriptedSecureRandom;
import org.tgcalls4j.KeyExchangeException.Reason;

/** Both roles of the p2p-call.md §1 exchange, its range and hash checks, and tgp2p.py's view of it. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class KeyExchangeTest {
  private static final BigInteger MARGIN = BigInteger.ONE.shiftLeft(1984);
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void callerAndCalleeDeriveTheSameKeyWithTelegramsPrime() throws Exception {
    DhConfig config = telegramConfig(3, pattern(7));
    KeyExchange caller = KeyExchange.caller(config);
    KeyExchange callee = KeyExchange.callee(config, caller.gAHash());

    CallKey callerKey = caller.onAccepted(callee.gB());
    CallKey calleeKey = callee.onConfirmed(caller.gA(), callerKey.fingerprint());

    assertThat(calleeKey.key()).hasSize(256).isEqualTo(callerKey.key());
    assertThat(calleeKey.fingerprint()).isEqualTo(callerKey.fingerprint());
    assertThat(calleeKey.emojis()).hasSize(4).isEqualTo(callerKey.emojis());
    assertThat(caller.gAHash()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(caller.gA()));
    assertThat(caller.isCaller()).isTrue();
    assertThat(callee.isCaller()).isFalse();
    assertThat(caller.toString()).contains("caller").doesNotContain(HEX.formatHex(caller.gA()));
  }

  @Test
  void publicValuesAndKeyMatchThePythonImplementation() throws Exception {
    // secrets known to the test: a = draw XOR random, so Python can redo the exchange
    List<String> args = new ArrayList<>();
    List<KeyExchange[]> pairs = new ArrayList<>();
    List<byte[][]> secrets = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      int g = new int[] {3, 4, 7}[i % 3];
      DhConfig config = telegramConfig(g, pattern(100 + i));
      byte[] drawA = pattern(200 + i);
      byte[] drawB = pattern(300 + i);
      if (i == 5) {
        drawA[0] = config.random()[0]; // a secret whose top byte is zero
      }
      KeyExchange caller = KeyExchange.caller(config, new ScriptedSecureRandom(List.of(drawA)));
      KeyExchange callee = KeyExchange.callee(config, caller.gAHash(), new ScriptedSecureRandom(List.of(drawB)));
      pairs.add(new KeyExchange[] {caller, callee});
      byte[] a = xor(drawA, config.random());
      byte[] b = xor(drawB, config.random());
      secrets.add(new byte[][] {a, b});
      args.add(g + ":" + HEX.formatHex(a) + ":" + HEX.formatHex(b));
    }
    String script = String.join("\n",
        "import sys, hashlib",
        "sys.path.insert(0, sys.argv[1])",
        "import tgp2p",
        "p = int('" + DhTestSupport.TELEGRAM_PRIME_HEX + "', 16)",
        "mini = lambda x: x.to_bytes(max(1, (x.bit_length() + 7) // 8), 'big')",
        "cp = lambda e: '+'.join('%X' % ord(c) for c in e)",
        "for case in sys.argv[2:]:",
        "    g, a, b = case.split(':')",
        "    g, a, b = int(g), int(a, 16), int(b, 16)",
        "    g_a, g_b = mini(pow(g, a, p)), mini(pow(g, b, p))",
        "    key = pow(int.from_bytes(g_b, 'big'), a, p).to_bytes(256, 'big')",
        "    assert key == pow(int.from_bytes(g_a, 'big'), b, p).to_bytes(256, 'big')",
        "    print('case', g_a.hex(), hashlib.sha256(g_a).hexdigest(), g_b.hex(), key.hex(),",
        "          tgp2p.key_fingerprint(key), ' '.join(cp(e) for e in tgp2p.emojis(key, g_a)))");
    Map<String, String> out = TgP2pPython.run(script, args);

    boolean sawSignBit = false;
    for (int i = 0; i < pairs.size(); i++) {
      String[] expected = out.get(i == 0 ? "case" : "case#" + (i + 1)).split(" ");
      KeyExchange caller = pairs.get(i)[0];
      KeyExchange callee = pairs.get(i)[1];
      assertThat(HEX.formatHex(caller.gA())).as("g_a %d", i).isEqualTo(expected[0]);
      assertThat(HEX.formatHex(caller.gAHash())).as("g_a_hash %d", i).isEqualTo(expected[1]);
      assertThat(HEX.formatHex(callee.gB())).as("g_b %d", i).isEqualTo(expected[2]);
      CallKey callerKey = caller.onAccepted(callee.gB());
      CallKey calleeKey = callee.onConfirmed(caller.gA(), Long.parseLong(expected[4]));
      assertThat(HEX.formatHex(callerKey.key())).as("key %d", i).isEqualTo(expected[3]);
      assertThat(calleeKey.key()).isEqualTo(callerKey.key());
      assertThat(callerKey.fingerprint()).isEqualTo(Long.parseLong(expected[4]));
      List<String> emojis = new ArrayList<>();
      callerKey.emojis().forEach(e -> emojis.add(TgP2pPython.codePoints(e)));
      assertThat(emojis).containsExactly(expected[5], expected[6], expected[7], expected[8]);
      assertThat(calleeKey.emojis()).isEqualTo(callerKey.emojis());
      sawSignBit |= (caller.gA()[0] & 0x80) != 0 || (callee.gB()[0] & 0x80) != 0;
    }
    // BigInteger would add a 0x00 byte before such a value; the comparison above shows it is stripped
    assertThat(sawSignBit).isTrue();
  }

  @Test
  void redrawsTheSecretUntilThePublicValueIsInRange() throws Exception {
    DhConfig config = telegramConfig(3, pattern(9));
    // first draw = random, so the secret is 0 and g^0 = 1; second draw gives secret 1, g^1 = 3
    byte[] one = new byte[256];
    one[255] = 1;
    byte[] good = pattern(10);
    ScriptedSecureRandom draws =
        new ScriptedSecureRandom(List.of(config.random(), xor(one, config.random()), good));
    KeyExchange caller = KeyExchange.caller(config, draws);

    assertThat(draws.remaining()).isZero();
    BigInteger a = new BigInteger(1, xor(good, config.random()));
    assertThat(caller.gA()).isEqualTo(minimal(BigInteger.valueOf(3).modPow(a, TELEGRAM_PRIME)));
  }

  @Test
  void checksTheRangeOfTheReceivedGb() throws Exception {
    KeyExchange caller = KeyExchange.caller(telegramConfig(3, pattern(1)), new SecureRandom());
    BigInteger p = TELEGRAM_PRIME;
    for (BigInteger bad : List.of(BigInteger.ZERO, BigInteger.ONE, BigInteger.TWO, MARGIN.subtract(BigInteger.ONE),
        p.subtract(MARGIN).add(BigInteger.ONE), p.subtract(BigInteger.ONE), p, p.add(BigInteger.ONE))) {
      assertReason(() -> caller.onAccepted(minimal(bad)), Reason.PUBLIC_VALUE_OUT_OF_RANGE);
      assertReason(() -> caller.onAccepted(bytes(bad, 256)), Reason.PUBLIC_VALUE_OUT_OF_RANGE);
    }
    assertReason(() -> caller.onAccepted(new byte[0]), Reason.PUBLIC_VALUE_OUT_OF_RANGE);
    // more than 256 bytes, even when the value itself would be fine
    assertReason(() -> caller.onAccepted(bytes(p.shiftRight(1), 257)), Reason.PUBLIC_VALUE_OUT_OF_RANGE);

    // the bounds themselves are allowed
    assertThat(caller.onAccepted(minimal(MARGIN)).key()).hasSize(256);
    assertThat(caller.onAccepted(minimal(p.subtract(MARGIN))).key()).hasSize(256);
  }

  @Test
  void calleeChecksTheHashTheRangeAndTheFingerprint() throws Exception {
    DhConfig config = telegramConfig(3, pattern(2));
    KeyExchange caller = KeyExchange.caller(config);
    KeyExchange callee = KeyExchange.callee(config, caller.gAHash());
    CallKey key = caller.onAccepted(callee.gB());

    byte[] otherGa = caller.gA();
    otherGa[100] ^= 1;
    assertReason(() -> callee.onConfirmed(otherGa, key.fingerprint()), Reason.G_A_HASH_MISMATCH);
    // the same value with a leading zero byte is not the g_a that was hashed
    byte[] padded = new byte[caller.gA().length + 1];
    System.arraycopy(caller.gA(), 0, padded, 1, caller.gA().length);
    assertReason(() -> callee.onConfirmed(padded, key.fingerprint()), Reason.G_A_HASH_MISMATCH);

    assertReason(() -> callee.onConfirmed(caller.gA(), key.fingerprint() ^ 1), Reason.FINGERPRINT_MISMATCH);
    assertThatThrownBy(() -> callee.onConfirmed(caller.gA(), 12345))
        .hasMessageNotContaining(Long.toString(key.fingerprint()));

    // a g_a that matches its hash but is out of range
    for (BigInteger bad : List.of(BigInteger.ONE, TELEGRAM_PRIME.subtract(BigInteger.ONE))) {
      byte[] gA = minimal(bad);
      KeyExchange fooled = KeyExchange.callee(config, MessageDigest.getInstance("SHA-256").digest(gA));
      assertReason(() -> fooled.onConfirmed(gA, 0), Reason.PUBLIC_VALUE_OUT_OF_RANGE);
    }
    assertReason(() -> KeyExchange.callee(config, new byte[31]), Reason.G_A_HASH_MISMATCH);

    assertThat(callee.onConfirmed(caller.gA(), key.fingerprint()).key()).isEqualTo(key.key());
  }

  @Test
  void eachSideOffersOnlyItsOwnSteps() throws Exception {
    DhConfig config = telegramConfig(4, pattern(3));
    KeyExchange caller = KeyExchange.caller(config);
    KeyExchange callee = KeyExchange.callee(config, caller.gAHash());
    assertThatThrownBy(caller::gB).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> caller.onConfirmed(callee.gB(), 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(callee::gA).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(callee::gAHash).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> callee.onAccepted(caller.gA())).isInstanceOf(IllegalStateException.class);
  }
}
