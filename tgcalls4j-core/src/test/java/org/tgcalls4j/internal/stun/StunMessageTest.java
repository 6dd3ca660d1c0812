package org.tgcalls4j.internal.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StunMessageTest {
  private static final byte[] PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRANSACTION_ID = bytes(
      0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae);

  /** RFC 5769 §2.1 Sample Request. */
  private static final byte[] SAMPLE_REQUEST = bytes(
      0x00, 0x01, 0x00, 0x58, //    Request type and message length
      0x21, 0x12, 0xa4, 0x42, //    Magic cookie
      0xb7, 0xe7, 0xa7, 0x01, // }
      0xbc, 0x34, 0xd6, 0x86, // }  Transaction ID
      0xfa, 0x87, 0xdf, 0xae, // }
      0x80, 0x22, 0x00, 0x10, //    SOFTWARE attribute header
      0x53, 0x54, 0x55, 0x4e, // }
      0x20, 0x74, 0x65, 0x73, // }  User-agent...
      0x74, 0x20, 0x63, 0x6c, // }  ...name
      0x69, 0x65, 0x6e, 0x74, // }
      0x00, 0x24, 0x00, 0x04, //    PRIORITY attribute header
      0x6e, 0x00, 0x01, 0xff, //    ICE priority value
      0x80, 0x29, 0x00, 0x08, //    ICE-CONTROLLED attribute header
      0x93, 0x2f, 0xf9, 0xb1, // }  Pseudo-random tie breaker...
      0x51, 0x26, 0x3b, 0x36, // }   ...for ICE control
      0x00, 0x06, 0x00, 0x09, //    USERNAME attribute header
      0x65, 0x76, 0x74, 0x6a, // }
      0x3a, 0x68, 0x36, 0x76, // }  Username (9 bytes) and padding (3 bytes)
      0x59, 0x20, 0x20, 0x20, // }
      0x00, 0x08, 0x00, 0x14, //    MESSAGE-INTEGRITY attribute header
      0x9a, 0xea, 0xa7, 0x0c, // }
      0xbf, 0xd8, 0xcb, 0x56, // }
      0x78, 0x1e, 0xf2, 0xb5, // }  HMAC-SHA1 fingerprint
      0xb2, 0xd3, 0xf2, 0x49, // }
      0xc1, 0xb5, 0x71, 0xa2, // }
      0x80, 0x28, 0x00, 0x04, //    FINGERPRINT attribute header
      0xe5, 0x7a, 0x3b, 0xcf); //   CRC32 fingerprint

  /** RFC 5769 §2.2 Sample IPv4 Response. */
  private static final byte[] SAMPLE_IPV4_RESPONSE = bytes(
      0x01, 0x01, 0x00, 0x3c, //    Response type and message length
      0x21, 0x12, 0xa4, 0x42, //    Magic cookie
      0xb7, 0xe7, 0xa7, 0x01, // }
      0xbc, 0x34, 0xd6, 0x86, // }  Transaction ID
      0xfa, 0x87, 0xdf, 0xae, // }
      0x80, 0x22, 0x00, 0x0b, //    SOFTWARE attribute header
      0x74, 0x65, 0x73, 0x74, // }
      0x20, 0x76, 0x65, 0x63, // }  UTF-8 server name
      0x74, 0x6f, 0x72, 0x20, // }
      0x00, 0x20, 0x00, 0x08, //    XOR-MAPPED-ADDRESS attribute header
      0x00, 0x01, 0xa1, 0x47, //    Address family (IPv4) and xor'd mapped port number
      0xe1, 0x12, 0xa6, 0x43, //    Xor'd mapped IPv4 address
      0x00, 0x08, 0x00, 0x14, //    MESSAGE-INTEGRITY attribute header
      0x2b, 0x91, 0xf5, 0x99, // }
      0xfd, 0x9e, 0x90, 0xc3, // }
      0x8c, 0x74, 0x89, 0xf9, // }  HMAC-SHA1 fingerprint
      0x2a, 0xf9, 0xba, 0x53, // }
      0xf0, 0x6b, 0xe7, 0xd7, // }
      0x80, 0x28, 0x00, 0x04, //    FINGERPRINT attribute header
      0xc0, 0x7d, 0x4c, 0x96); //   CRC32 fingerprint

  /** RFC 5769 §2.3 Sample IPv6 Response. */
  private static final byte[] SAMPLE_IPV6_RESPONSE = bytes(
      0x01, 0x01, 0x00, 0x48, //    Response type and message length
      0x21, 0x12, 0xa4, 0x42, //    Magic cookie
      0xb7, 0xe7, 0xa7, 0x01, // }
      0xbc, 0x34, 0xd6, 0x86, // }  Transaction ID
      0xfa, 0x87, 0xdf, 0xae, // }
      0x80, 0x22, 0x00, 0x0b, //    SOFTWARE attribute header
      0x74, 0x65, 0x73, 0x74, // }
      0x20, 0x76, 0x65, 0x63, // }  UTF-8 server name
      0x74, 0x6f, 0x72, 0x20, // }
      0x00, 0x20, 0x00, 0x14, //    XOR-MAPPED-ADDRESS attribute header
      0x00, 0x02, 0xa1, 0x47, //    Address family (IPv6) and xor'd mapped port number
      0x01, 0x13, 0xa9, 0xfa, // }
      0xa5, 0xd3, 0xf1, 0x79, // }  Xor'd mapped IPv6 address
      0xbc, 0x25, 0xf4, 0xb5, // }
      0xbe, 0xd2, 0xb9, 0xd9, // }
      0x00, 0x08, 0x00, 0x14, //    MESSAGE-INTEGRITY attribute header
      0xa3, 0x82, 0x95, 0x4e, // }
      0x4b, 0xe6, 0x7b, 0xf1, // }
      0x17, 0x84, 0xc9, 0x7c, // }  HMAC-SHA1 fingerprint
      0x82, 0x92, 0xc2, 0x75, // }
      0xbf, 0xe3, 0xed, 0x41, // }
      0x80, 0x28, 0x00, 0x04, //    FINGERPRINT attribute header
      0xc8, 0xfb, 0x0b, 0x4c); //   CRC32 fingerprint

  @Test
  void parsesRfc5769SampleRequestAndVerifiesIntegrityAndFingerprint() throws Exception {
    StunMessage m = StunMessage.parse(SAMPLE_REQUEST, 0, SAMPLE_REQUEST.length);

    assertThat(m.type()).isEqualTo(StunMessage.BINDING_REQUEST);
    assertThat(m.transactionId()).isEqualTo(TRANSACTION_ID);
    assertThat(m.hasFingerprint()).isTrue();
    assertThat(m.verifyMessageIntegrity(PASSWORD)).isTrue();
    assertThat(m.username()).isEqualTo("evtj:h6vY");
    assertThat(m.priority()).isEqualTo(0x6e0001ffL);
    assertThat(m.iceControlled()).isEqualTo(0x932ff9b151263b36L);
    assertThat(m.iceControlling()).isNull();
    assertThat(m.useCandidate()).isFalse();
    assertThat(new String(m.attribute(StunAttribute.SOFTWARE), StandardCharsets.UTF_8))
        .isEqualTo("STUN test client");
  }

  @Test
  void reencodesRfc5769SampleRequestIdentically() {
    byte[] encoded = new StunMessageBuilder(StunMessage.BINDING_REQUEST, TRANSACTION_ID)
        .paddingByte((byte) ' ')
        .add(StunAttribute.SOFTWARE, "STUN test client".getBytes(StandardCharsets.UTF_8))
        .addPriority(0x6e0001ffL)
        .addIceControlled(0x932ff9b151263b36L)
        .addUsername("evtj:h6vY")
        .build(PASSWORD, true);

    assertThat(encoded).isEqualTo(SAMPLE_REQUEST);
  }

  @Test
  void parsesRfc5769Ipv4ResponseAndReencodesIdentically() throws Exception {
    StunMessage m = StunMessage.parse(SAMPLE_IPV4_RESPONSE, 0, SAMPLE_IPV4_RESPONSE.length);

    assertThat(m.type()).isEqualTo(StunMessage.BINDING_SUCCESS_RESPONSE);
    assertThat(m.verifyMessageIntegrity(PASSWORD)).isTrue();
    assertThat(m.hasFingerprint()).isTrue();
    InetSocketAddress mapped = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);
    assertThat(m.xorMappedAddress()).isEqualTo(mapped);

    byte[] encoded = new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, TRANSACTION_ID)
        .paddingByte((byte) ' ')
        .add(StunAttribute.SOFTWARE, "test vector".getBytes(StandardCharsets.UTF_8))
        .addXorMappedAddress(mapped)
        .build(PASSWORD, true);
    assertThat(encoded).isEqualTo(SAMPLE_IPV4_RESPONSE);
  }

  @Test
  void parsesRfc5769Ipv6ResponseAndReencodesIdentically() throws Exception {
    StunMessage m = StunMessage.parse(SAMPLE_IPV6_RESPONSE, 0, SAMPLE_IPV6_RESPONSE.length);

    assertThat(m.verifyMessageIntegrity(PASSWORD)).isTrue();
    InetSocketAddress mapped = new InetSocketAddress(
        InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
    assertThat(m.xorMappedAddress()).isEqualTo(mapped);

    byte[] encoded = new StunMessageBuilder(StunMessage.BINDING_SUCCESS_RESPONSE, TRANSACTION_ID)
        .paddingByte((byte) ' ')
        .add(StunAttribute.SOFTWARE, "test vector".getBytes(StandardCharsets.UTF_8))
        .addXorMappedAddress(mapped)
        .build(PASSWORD, true);
    assertThat(encoded).isEqualTo(SAMPLE_IPV6_RESPONSE);
  }

  @Test
  void parsesMessageAtAnOffsetInsideALargerBuffer() throws Exception {
    byte[] buffer = new byte[SAMPLE_REQUEST.length + 7];
    System.arraycopy(SAMPLE_REQUEST, 0, buffer, 5, SAMPLE_REQUEST.length);

    StunMessage m = StunMessage.parse(buffer, 5, SAMPLE_REQUEST.length);

    assertThat(m.verifyMessageIntegrity(PASSWORD)).isTrue();
  }

  @Test
  void rejectsWrongIntegrityKey() throws Exception {
    StunMessage m = StunMessage.parse(SAMPLE_REQUEST, 0, SAMPLE_REQUEST.length);

    assertThat(m.verifyMessageIntegrity("wrong".getBytes(StandardCharsets.US_ASCII))).isFalse();
  }

  @Test
  void detectsTamperingThroughIntegrityWhenFingerprintIsRecomputed() throws Exception {
    byte[] tampered = SAMPLE_REQUEST.clone();
    tampered[27] ^= 1; // inside SOFTWARE
    int fingerprintAt = tampered.length - 8;
    StunMessage.writeU32(tampered, fingerprintAt + 4, StunMessage.fingerprintOf(tampered, fingerprintAt));

    StunMessage m = StunMessage.parse(tampered, 0, tampered.length);

    assertThat(m.verifyMessageIntegrity(PASSWORD)).isFalse();
  }

  @Test
  void rejectsMessageWithBadFingerprint() {
    byte[] bad = SAMPLE_REQUEST.clone();
    bad[bad.length - 1] ^= 1;

    assertThatThrownBy(() -> StunMessage.parse(bad, 0, bad.length))
        .isInstanceOf(StunParseException.class).hasMessageContaining("FINGERPRINT");
  }

  @Test
  void rejectsTruncatedHeader() {
    assertThatThrownBy(() -> StunMessage.parse(SAMPLE_REQUEST, 0, 19))
        .isInstanceOf(StunParseException.class).hasMessageContaining("shorter than the 20-byte");
  }

  @Test
  void rejectsEveryTruncationOfTheSampleRequest() {
    for (int length = 0; length < SAMPLE_REQUEST.length; length++) {
      int n = length;
      assertThatThrownBy(() -> StunMessage.parse(SAMPLE_REQUEST, 0, n))
          .as("length %d", n).isInstanceOf(StunParseException.class);
    }
  }

  @Test
  void rejectsAttributeLengthPastTheEnd() {
    // Header claims 8 body bytes; the one attribute claims 12 value bytes.
    byte[] m = bytes(0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
        0x00, 0x06, 0x00, 0x0c, 0x61, 0x62, 0x63, 0x64);

    assertThatThrownBy(() -> StunMessage.parse(m, 0, m.length))
        .isInstanceOf(StunParseException.class).hasMessageContaining("runs past the end");
  }

  @Test
  void rejectsHeaderLengthThatDisagreesWithDatagram() {
    byte[] m = Arrays.copyOf(SAMPLE_REQUEST, SAMPLE_REQUEST.length + 4);

    assertThatThrownBy(() -> StunMessage.parse(m, 0, m.length))
        .isInstanceOf(StunParseException.class).hasMessageContaining("does not match");
  }

  @Test
  void rejectsMissingMagicCookie() {
    byte[] m = bytes(0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x43, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);

    assertThatThrownBy(() -> StunMessage.parse(m, 0, m.length))
        .isInstanceOf(StunParseException.class).hasMessageContaining("magic cookie");
  }

  @Test
  void rejectsRangeOutsideTheBuffer() {
    assertThatThrownBy(() -> StunMessage.parse(SAMPLE_REQUEST, 90, 20))
        .isInstanceOf(StunParseException.class).hasMessageContaining("outside buffer");
  }

  @Test
  void skipsUnknownAttributesWithTheirPadding() throws Exception {
    byte[] encoded = new StunMessageBuilder(StunMessage.BINDING_REQUEST, TRANSACTION_ID)
        .add(0x8055, bytes(1, 2, 3, 4, 5))
        .addUsername("a:b")
        .build(null, true);

    StunMessage m = StunMessage.parse(encoded, 0, encoded.length);

    assertThat(m.attribute(0x8055)).containsExactly(1, 2, 3, 4, 5);
    assertThat(m.username()).isEqualTo("a:b");
    assertThat(m.hasMessageIntegrity()).isFalse();
    assertThat(m.verifyMessageIntegrity(PASSWORD)).isFalse();
  }

  @Test
  void roundTripsErrorCodeUseCandidateAndIceControlling() throws Exception {
    byte[] encoded = new StunMessageBuilder(StunMessage.BINDING_ERROR_RESPONSE, TRANSACTION_ID)
        .addErrorCode(new StunErrorCode(487, "Role Conflict"))
        .addUseCandidate()
        .addIceControlling(-2L)
        .build(PASSWORD, true);

    StunMessage m = StunMessage.parse(encoded, 0, encoded.length);

    assertThat(m.errorCode()).isEqualTo(new StunErrorCode(487, "Role Conflict"));
    assertThat(m.useCandidate()).isTrue();
    assertThat(m.iceControlling()).isEqualTo(-2L);
    assertThat(m.verifyMessageIntegrity(PASSWORD)).isTrue();
  }

  @Test
  void ignoresAttributesAfterMessageIntegrity() throws Exception {
    byte[] signed = new StunMessageBuilder(StunMessage.BINDING_REQUEST, TRANSACTION_ID)
        .addUsername("a:b").build(PASSWORD, false);
    byte[] extended = Arrays.copyOf(signed, signed.length + 8);
    StunMessage.writeU16(extended, 2, extended.length - 20);
    StunMessage.writeU16(extended, signed.length, StunAttribute.PRIORITY);
    StunMessage.writeU16(extended, signed.length + 2, 4);

    StunMessage m = StunMessage.parse(extended, 0, extended.length);

    assertThat(m.attribute(StunAttribute.PRIORITY)).isNull();
    assertThat(m.verifyMessageIntegrity(PASSWORD)).isTrue();
  }

  @Test
  void rejectsAttributeValuesOfTheWrongLength() throws Exception {
    byte[] encoded = new StunMessageBuilder(StunMessage.BINDING_REQUEST, TRANSACTION_ID)
        .add(StunAttribute.PRIORITY, bytes(1, 2))
        .add(StunAttribute.ICE_CONTROLLED, bytes(1, 2, 3, 4))
        .add(StunAttribute.XOR_MAPPED_ADDRESS, bytes(0, 3, 0, 0, 1, 2, 3, 4))
        .add(StunAttribute.ERROR_CODE, bytes(0, 0, 9, 99))
        .build(null, false);

    StunMessage m = StunMessage.parse(encoded, 0, encoded.length);

    assertThatThrownBy(m::priority).isInstanceOf(StunParseException.class);
    assertThatThrownBy(m::iceControlled).isInstanceOf(StunParseException.class);
    assertThatThrownBy(m::xorMappedAddress).isInstanceOf(StunParseException.class);
    assertThatThrownBy(m::errorCode).isInstanceOf(StunParseException.class);
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }
}
