package org.tgcalls4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tgcalls4j.DhConfigTest.assertReason;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.KeyExchangeException.Reason;
import org.tgcalls4j.internal.dh.EmojiTable;

/** Fingerprint (p2p-call.md §1.4) and emojis (§1.5) of a call key, against §7 and tgp2p.py. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CallKeyTest {
  /** §7: KEY[i] = (7i + 3) & 0xFF. */
  private static byte[] vectorKey() {
    byte[] key = new byte[256];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (7 * i + 3);
    }
    return key;
  }

  private static byte[] filled(int length, int value) {
    byte[] out = new byte[length];
    java.util.Arrays.fill(out, (byte) value);
    return out;
  }

  @Test
  void section7FingerprintAndEmojis() throws Exception {
    CallKey key = CallKey.of(vectorKey(), filled(256, 0x11));

    assertThat(key.fingerprint()).isEqualTo(3587517436832175774L);
    // indices [296, 204, 318, 228]: U+26FD fuel pump, U+1F3AE video game, keycap 8, U+1F35F fries
    assertThat(key.emojis()).containsExactly(
        "\u26FD", new String(Character.toChars(0x1F3AE)), "8\u20E3", new String(Character.toChars(0x1F35F)));
    assertThat(key.emojis()).containsExactly(
        EmojiTable.get(296), EmojiTable.get(204), EmojiTable.get(318), EmojiTable.get(228));
  }

  @Test
  void tableEndsAreThoseTheSpecNames() {
    assertThat(EmojiTable.get(0)).isEqualTo(new String(Character.toChars(0x1F609)));
    assertThat(EmojiTable.get(1)).isEqualTo(new String(Character.toChars(0x1F60D)));
    assertThat(EmojiTable.get(2)).isEqualTo(new String(Character.toChars(0x1F61B)));
    assertThat(EmojiTable.get(330)).isEqualTo(new String(Character.toChars(0x1F535)));
    assertThat(EmojiTable.get(331)).isEqualTo(new String(Character.toChars(0x1F536)));
    assertThat(EmojiTable.get(332)).isEqualTo(new String(Character.toChars(0x1F537)));
  }

  @Test
  void copiesTheKeyAndNeverShowsIt() throws Exception {
    byte[] raw = vectorKey();
    CallKey key = CallKey.of(raw, filled(256, 0x11));
    raw[0] = 0;
    assertThat(key.key()).isEqualTo(vectorKey());
    key.key()[0] = 0;
    assertThat(key.key()).isEqualTo(vectorKey());

    String text = key.toString();
    assertThat(text).contains("3587517436832175774");
    assertThat(text.toLowerCase(java.util.Locale.ROOT)).doesNotContain("030a1118");
    assertThat(text).doesNotContain("[3, 10, 17");
  }

  @Test
  void requiresExactly256KeyBytesAndAPlausibleGa() {
    for (int length : new int[] {0, 32, 255, 257}) {
      assertReason(() -> CallKey.of(new byte[length], filled(256, 0x11)), Reason.BAD_KEY_LENGTH);
    }
    assertReason(() -> CallKey.of(vectorKey(), new byte[0]), Reason.PUBLIC_VALUE_OUT_OF_RANGE);
    assertReason(() -> CallKey.of(vectorKey(), new byte[257]), Reason.PUBLIC_VALUE_OUT_OF_RANGE);
  }

  @Test
  void matchesThePythonImplementationOnTheWholeTableAndOnRandomKeys() throws Exception {
    Random random = new Random(20261201);
    List<byte[][]> cases = new ArrayList<>();
    List<String> args = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] key = new byte[256];
      random.nextBytes(key);
      if (i % 5 == 0) {
        key[0] = 0; // a key with a leading zero byte is still 256 bytes
      }
      byte[] gA = new byte[i == 1 ? 1 : 200 + random.nextInt(57)];
      random.nextBytes(gA);
      cases.add(new byte[][] {key, gA});
      args.add(HexFormat.of().formatHex(key) + ":" + HexFormat.of().formatHex(gA));
    }
    String script = String.join("\n",
        "import sys",
        "sys.path.insert(0, sys.argv[1])",
        "import tgp2p",
        "cp = lambda e: '+'.join('%X' % ord(c) for c in e)",
        "print('table', ' '.join(cp(e) for e in tgp2p.EMOJIS))",
        "for pair in sys.argv[2:]:",
        "    key, g_a = (bytes.fromhex(x) for x in pair.split(':'))",
        "    print('case', tgp2p.key_fingerprint(key), ' '.join(cp(e) for e in tgp2p.emojis(key, g_a)))");
    Map<String, String> out = TgP2pPython.run(script, args);

    String[] table = out.get("table").split(" ");
    assertThat(table).hasSize(EmojiTable.SIZE);
    for (int i = 0; i < EmojiTable.SIZE; i++) {
      assertThat(TgP2pPython.codePoints(EmojiTable.get(i))).as("entry %d", i).isEqualTo(table[i]);
    }
    for (int i = 0; i < cases.size(); i++) {
      String[] expected = out.get(i == 0 ? "case" : "case#" + (i + 1)).split(" ");
      CallKey key = CallKey.of(cases.get(i)[0], cases.get(i)[1]);
      assertThat(key.fingerprint()).as("fingerprint %d", i).isEqualTo(Long.parseLong(expected[0]));
      List<String> emojis = new ArrayList<>();
      key.emojis().forEach(e -> emojis.add(TgP2pPython.codePoints(e)));
      assertThat(emojis).as("emojis %d", i).containsExactly(expected[1], expected[2], expected[3], expected[4]);
    }
  }
}
