package org.tgcalls4j.internal.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tgcalls4j.internal.rtmp.testing.Allocation;

class Amf0Test {
  @Test
  void encodesConnectCommandAsAnnotatedBytes() {
    Map<String, Object> object = new LinkedHashMap<>();
    object.put("app", "live");
    object.put("type", "nonprivate");
    object.put("flashVer", "FMLE/3.0 (compatible; FMSc/1.0)");
    object.put("tcUrl", "rtmp://h/live");

    byte[] expected = concat(
        bytes(0x02, 0x00, 0x07), ascii("connect"), // string marker, length 7, "connect"
        bytes(0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0), // number marker, IEEE-754 double 1.0
        bytes(0x03), // object marker
        bytes(0x00, 0x03), ascii("app"), // property name, length 3
        bytes(0x02, 0x00, 0x04), ascii("live"), // string "live"
        bytes(0x00, 0x04), ascii("type"),
        bytes(0x02, 0x00, 0x0A), ascii("nonprivate"),
        bytes(0x00, 0x08), ascii("flashVer"),
        bytes(0x02, 0x00, 0x1F), ascii("FMLE/3.0 (compatible; FMSc/1.0)"), // 31 characters
        bytes(0x00, 0x05), ascii("tcUrl"),
        bytes(0x02, 0x00, 0x0D), ascii("rtmp://h/live"),
        bytes(0x00, 0x00, 0x09)); // empty name + object end marker

    assertThat(Amf0.encode("connect", 1, object)).isEqualTo(expected);
  }

  @Test
  void decodesPublishStartStatusFromAnnotatedBytes() throws Exception {
    byte[] onStatus = concat(
        bytes(0x02, 0x00, 0x08), ascii("onStatus"),
        bytes(0x00, 0, 0, 0, 0, 0, 0, 0, 0), // number 0.0
        bytes(0x05), // null
        bytes(0x03),
        bytes(0x00, 0x05), ascii("level"), bytes(0x02, 0x00, 0x06), ascii("status"),
        bytes(0x00, 0x04), ascii("code"), bytes(0x02, 0x00, 0x17), ascii("NetStream.Publish.Start"),
        bytes(0x00, 0x00, 0x09));

    List<Object> values = Amf0.decodeAll(onStatus, 0, onStatus.length);

    assertThat(values).containsExactly(
        "onStatus", 0.0, null, Map.of("level", "status", "code", "NetStream.Publish.Start"));
  }

  @Test
  void roundTripsEveryType() throws Exception {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("n", -2.5);
    nested.put("list", List.of(1.0, "two", false));
    Map<String, Object> ecma = new LinkedHashMap<>();
    ecma.put("width", 1280.0);
    ecma.put("stereo", true);
    ecma.put("encoder", "tgcalls4j");
    String longString = "é".repeat(40_000); // 80 000 UTF-8 bytes: long string marker
    Object[] values = {
      42.0, true, false, "", "ünïcode", longString, nested, null, Amf0.UNDEFINED,
      new Amf0.EcmaArray(ecma), List.of(), Double.NaN
    };

    byte[] encoded = Amf0.encode(values);

    assertThat(Amf0.decodeAll(encoded, 0, encoded.length)).containsExactly(values);
    assertThat(encoded).contains(0x0C); // long string marker present
  }

  @Test
  void decodesWithinAnOffsetWindow() throws Exception {
    byte[] inner = Amf0.encode("x", 3.0);
    byte[] padded = concat(bytes(0xEE, 0xEE), inner, bytes(0xEE));

    assertThat(Amf0.decodeAll(padded, 2, inner.length)).containsExactly("x", 3.0);
  }

  @Test
  void rejectsStringLengthPastTheEnd() {
    byte[] truncated = concat(bytes(0x02, 0x00, 0x10), ascii("short"));

    assertThatThrownBy(() -> Amf0.decodeAll(truncated, 0, truncated.length))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("needs 16 bytes");
  }

  @Test
  void rejectsStrictArrayCountLargerThanThePayload() {
    byte[] array = bytes(0x0A, 0x7F, 0xFF, 0xFF, 0xFF, 0x05);

    assertThatThrownBy(() -> Amf0.decodeAll(array, 0, array.length))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("exceeds remaining");
  }

  @Test
  void nestedStrictArraysDoNotAllocateTheirClaimedCounts() {
    // 32 nested strict arrays, each claiming as many elements as bytes remain in a 1 MiB payload,
    // then an unknown marker: a decoder that presizes from the counts allocates ~4 MiB per level
    byte[] payload = new byte[1 << 20];
    int position = 0;
    for (int depth = 0; depth < Amf0.MAX_DEPTH; depth++) {
      int remaining = payload.length - position - 5;
      payload[position] = 0x0A;
      payload[position + 1] = (byte) (remaining >>> 24);
      payload[position + 2] = (byte) (remaining >>> 16);
      payload[position + 3] = (byte) (remaining >>> 8);
      payload[position + 4] = (byte) remaining;
      position += 5;
    }
    payload[position] = (byte) 0xFF;

    long before = Allocation.allocatedBytes();
    assertThatThrownBy(() -> Amf0.decodeAll(payload, 0, payload.length))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("0xff");
    long allocated = Allocation.allocatedBytes() - before;

    assertThat(allocated).as("bytes allocated").isLessThan(1L << 20);
  }

  @Test
  void rejectsObjectWithoutEndMarker() {
    byte[] object = concat(bytes(0x03, 0x00, 0x01), ascii("a"), bytes(0x05));

    assertThatThrownBy(() -> Amf0.decodeAll(object, 0, object.length)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void rejectsUnknownMarkerAndDeepNesting() {
    byte[] reference = bytes(0x07, 0x00, 0x01);
    byte[] deep = new byte[Amf0.MAX_DEPTH + 2];
    Arrays.fill(deep, (byte) 0x0A); // strict arrays nested...
    byte[] nested = new byte[deep.length * 5];
    for (int i = 0; i < deep.length; i++) {
      nested[i * 5] = 0x0A;
      nested[i * 5 + 4] = 1; // ...each of count 1
    }

    assertThatThrownBy(() -> Amf0.decodeAll(reference, 0, reference.length))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("0x7");
    assertThatThrownBy(() -> Amf0.decodeAll(nested, 0, nested.length))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("nested");
  }

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
