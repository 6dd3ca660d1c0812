package org.tgcalls4j.internal.rtmp;

import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMF0 encoder and decoder for the value types RTMP commands use (AMF0 specification, Adobe 2007,
 * §2). Java mapping: {@link Number} ↔ number (decoded as {@link Double}), {@link Boolean} ↔
 * boolean, {@link String} ↔ string or long string, {@code Map<String, Object>} ↔ object,
 * {@link EcmaArray} ↔ ECMA array, {@link List} ↔ strict array, {@code null} ↔ null,
 * {@link #UNDEFINED} ↔ undefined. Stateless and thread-safe.
 */
final class Amf0 {
  static final int NUMBER = 0x00;
  static final int BOOLEAN = 0x01;
  static final int STRING = 0x02;
  static final int OBJECT = 0x03;
  static final int NULL = 0x05;
  static final int UNDEFINED_MARKER = 0x06;
  static final int ECMA_ARRAY = 0x08;
  static final int OBJECT_END = 0x09;
  static final int STRICT_ARRAY = 0x0A;
  static final int LONG_STRING = 0x0C;

  /** Maximum nesting of objects and arrays accepted by the decoder. */
  static final int MAX_DEPTH = 32;

  /** The AMF0 undefined value (marker 0x06). */
  enum Undefined {
    UNDEFINED
  }

  /** The AMF0 undefined value (marker 0x06). */
  static final Undefined UNDEFINED = Undefined.UNDEFINED;

  /** An AMF0 ECMA array (associative array, marker 0x08); entries keep their order. */
  record EcmaArray(Map<String, Object> entries) {}

  private Amf0() {}

  /**
   * Encodes values one after the other.
   *
   * @throws IllegalArgumentException for a value of a type with no AMF0 mapping
   */
  static byte[] encode(Object... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object value : values) {
      write(out, value, 0);
    }
    return out.toByteArray();
  }

  private static void write(ByteArrayOutputStream out, Object value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("AMF0 value nested deeper than " + MAX_DEPTH);
    }
    if (value == null) {
      out.write(NULL);
    } else if (value == UNDEFINED) {
      out.write(UNDEFINED_MARKER);
    } else if (value instanceof Number number) {
      out.write(NUMBER);
      writeLong(out, Double.doubleToLongBits(number.doubleValue()), 8);
    } else if (value instanceof Boolean bool) {
      out.write(BOOLEAN);
      out.write(bool ? 1 : 0);
    } else if (value instanceof String string) {
      byte[] utf8 = string.getBytes(StandardCharsets.UTF_8);
      if (utf8.length <= 0xFFFF) {
        out.write(STRING);
        writeLong(out, utf8.length, 2);
      } else {
        out.write(LONG_STRING);
        writeLong(out, utf8.length, 4);
      }
      out.writeBytes(utf8);
    } else if (value instanceof EcmaArray array) {
      out.write(ECMA_ARRAY);
      writeLong(out, array.entries().size(), 4);
      writeProperties(out, array.entries(), depth);
    } else if (value instanceof Map<?, ?> map) {
      out.write(OBJECT);
      writeProperties(out, map, depth);
    } else if (value instanceof List<?> list) {
      out.write(STRICT_ARRAY);
      writeLong(out, list.size(), 4);
      for (Object element : list) {
        write(out, element, depth + 1);
      }
    } else {
      throw new IllegalArgumentException("no AMF0 type for " + value.getClass().getName());
    }
  }

  private static void writeProperties(ByteArrayOutputStream out, Map<?, ?> map, int depth) {
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw new IllegalArgumentException("AMF0 property name must be a String: " + entry.getKey());
      }
      byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
      if (utf8.length == 0 || utf8.length > 0xFFFF) {
        throw new IllegalArgumentException("AMF0 property name length " + utf8.length);
      }
      writeLong(out, utf8.length, 2);
      out.writeBytes(utf8);
      write(out, entry.getValue(), depth + 1);
    }
    out.write(0);
    out.write(0);
    out.write(OBJECT_END);
  }

  private static void writeLong(ByteArrayOutputStream out, long value, int bytes) {
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
      out.write((int) (value >>> shift));
    }
  }

  /**
   * Decodes every value in {@code data[offset, offset+length)}.
   *
   * @throws ProtocolException when a marker is unknown, a length runs past the end, or nesting
   *     exceeds {@link #MAX_DEPTH}
   */
  static List<Object> decodeAll(byte[] data, int offset, int length) throws ProtocolException {
    Decoder decoder = new Decoder(data, offset, length);
    List<Object> values = new ArrayList<>();
    while (decoder.position < decoder.end) {
      values.add(decoder.read(0));
    }
    return values;
  }

  private static final class Decoder {
    private final byte[] data;
    private final int end;
    private int position;

    Decoder(byte[] data, int offset, int length) {
      if (offset < 0 || length < 0 || offset > data.length - length) {
        throw new IndexOutOfBoundsException("offset " + offset + " length " + length);
      }
      this.data = data;
      this.position = offset;
      this.end = offset + length;
    }

    Object read(int depth) throws ProtocolException {
      if (depth > MAX_DEPTH) {
        throw new ProtocolException("AMF0 nested deeper than " + MAX_DEPTH);
      }
      int marker = (int) readUnsigned(1);
      switch (marker) {
        case NUMBER:
          return Double.longBitsToDouble(readUnsigned(8));
        case BOOLEAN:
          return readUnsigned(1) != 0;
        case STRING:
          return readUtf8((int) readUnsigned(2));
        case LONG_STRING:
          return readUtf8(readLength());
        case OBJECT:
          return readProperties(depth);
        case NULL:
          return null;
        case UNDEFINED_MARKER:
          return UNDEFINED;
        case ECMA_ARRAY:
          readUnsigned(4); // the count is only a hint; the end marker terminates (AMF0 §2.10)
          return new EcmaArray(readProperties(depth));
        case STRICT_ARRAY:
          {
            int count = readLength();
            List<Object> list = new ArrayList<>(); // not sized from the untrusted count
            for (int i = 0; i < count; i++) {
              list.add(read(depth + 1));
            }
            return list;
          }
        default:
          throw new ProtocolException(
              "unsupported AMF0 marker 0x" + Integer.toHexString(marker) + " at " + (position - 1));
      }
    }

    private Map<String, Object> readProperties(int depth) throws ProtocolException {
      Map<String, Object> map = new LinkedHashMap<>();
      while (true) {
        String key = readUtf8((int) readUnsigned(2));
        if (key.isEmpty()) {
          int marker = readUnsigned1();
          if (marker != OBJECT_END) {
            throw new ProtocolException("AMF0 empty property name not followed by object end");
          }
          return map;
        }
        map.put(key, read(depth + 1));
      }
    }

    /** A 32-bit length that must fit in the remaining bytes (each item takes at least one). */
    private int readLength() throws ProtocolException {
      long length = readUnsigned(4);
      if (length > end - position) {
        throw new ProtocolException("AMF0 length " + length + " exceeds remaining " + (end - position));
      }
      return (int) length;
    }

    private String readUtf8(int length) throws ProtocolException {
      need(length);
      String s = new String(data, position, length, StandardCharsets.UTF_8);
      position += length;
      return s;
    }

    private int readUnsigned1() throws ProtocolException {
      return (int) readUnsigned(1);
    }

    private long readUnsigned(int bytes) throws ProtocolException {
      need(bytes);
      long value = 0;
      for (int i = 0; i < bytes; i++) {
        value = (value << 8) | (data[position++] & 0xFF);
      }
      return value;
    }

    private void need(int bytes) throws ProtocolException {
      if (bytes > end - position) {
        throw new ProtocolException(
            "AMF0 value needs " + bytes + " bytes at " + position + ", " + (end - position) + " left");
      }
    }
  }
}
