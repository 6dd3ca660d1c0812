package org.tgcalls4j.internal.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link AesGcm} against JCA's AES/GCM/NoPadding for every length up to a few blocks. */
class AesGcmTest {

  @ParameterizedTest
  @ValueSource(ints = {16, 32})
  void sealsAndOpensAsJcaDoes(int keyBytes) throws Exception {
    SplittableRandom random = new SplittableRandom(keyBytes);
    byte[] key = bytes(random, keyBytes);
    SecretKeySpec spec = new SecretKeySpec(key, "AES");
    AesGcm gcm = new AesGcm(spec);
    for (int aadLength = 0; aadLength <= 40; aadLength += 3) {
      for (int length = 0; length <= 70; length++) {
        byte[] iv = bytes(random, AesGcm.IV_BYTES);
        byte[] aad = bytes(random, aadLength);
        byte[] plain = bytes(random, length);
        int split = aadLength / 2; // the AAD in two pieces, as SRTCP passes it
        byte[] aad1 = Arrays.copyOf(aad, split);
        byte[] aad2 = Arrays.copyOfRange(aad, split, aadLength);

        Cipher jca = Cipher.getInstance("AES/GCM/NoPadding");
        jca.init(Cipher.ENCRYPT_MODE, spec, new GCMParameterSpec(128, iv));
        jca.updateAAD(aad);
        byte[] expected = jca.doFinal(plain);

        byte[] buffer = new byte[3 + length + AesGcm.TAG_BYTES];
        System.arraycopy(plain, 0, buffer, 3, length);
        gcm.seal(iv, aad1, 0, aad1.length, aad2, 0, aad2.length, buffer, 3, length);
        assertThat(Arrays.copyOfRange(buffer, 3, buffer.length))
            .as("aad %d, length %d", aadLength, length).isEqualTo(expected);

        assertThat(gcm.open(iv, aad1, 0, aad1.length, aad2, 0, aad2.length, buffer, 3, length))
            .isTrue();
        assertThat(Arrays.copyOfRange(buffer, 3, 3 + length)).isEqualTo(plain);

        gcm.seal(iv, aad1, 0, aad1.length, aad2, 0, aad2.length, buffer, 3, length);
        buffer[buffer.length - 1 - random.nextInt(length + AesGcm.TAG_BYTES)] ^= 1;
        byte[] tampered = buffer.clone();
        assertThat(gcm.open(iv, aad1, 0, aad1.length, aad2, 0, aad2.length, buffer, 3, length))
            .as("a flipped bit").isFalse();
        assertThat(buffer).as("left as it was").isEqualTo(tampered);
      }
    }
  }

  private static byte[] bytes(SplittableRandom random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
