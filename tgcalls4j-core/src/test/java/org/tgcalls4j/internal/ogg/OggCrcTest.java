package org.tgcalls4j.internal.ogg;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OggCrcTest {

  @Test
  void matchesTheCatalogueCheckValueWithoutTheFinalXor() {
    // CRC-32/CKSUM (poly 0x04C11DB7, init 0, not reflected, xorout 0xFFFFFFFF) has check value
    // 0x765E7680 for "123456789"; Ogg's CRC is the same without the final XOR: 0x89A1897F.
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);

    assertThat(OggCrc.update(0, check, 0, check.length)).isEqualTo(0x89A1897F);
  }

  @Test
  void continuesAcrossSplitInput() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);

    assertThat(OggCrc.update(OggCrc.update(0, check, 0, 4), check, 4, 5)).isEqualTo(0x89A1897F);
  }
}
