package org.tgcalls4j.internal.reflector;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.internal.fuzz.FuzzTarget;
import org.tgcalls4j.internal.ice.IceCandidate;
import org.tgcalls4j.internal.ice.ReflectorAddress;
import org.tgcalls4j.internal.p2p.CandidateSdp;

/**
 * Fuzz target {@code reflector}: the input is a script of operations on one
 * {@link ReflectorClient} (reflector id 2, port 599, peer tag
 * {@code 00112233445566778899aabbccddeeff}, our tag 0x01020304), so that datagrams reach it before
 * and after it is ready, and after it gave up or closed; and on the candidate parser that reads
 * reflector names. Operations, until the input ends or an unknown opcode:
 *
 * <ul>
 *   <li>{@code 0x00 len(u16) bytes}: a datagram from the reflector ({@link ReflectorClient#onDatagram});
 *   <li>{@code 0x01 id(u8) tag(u32) len(u8) bytes}: {@link ReflectorClient#send} to
 *       {@code reflector-<id>-<tag>.reflector:599} (to 127.0.0.1:599 if id or tag is 0);
 *   <li>{@code 0x02 ms(u8)}: the clock advances by ms x 10 ms, then {@link ReflectorClient#onTimer};
 *   <li>{@code 0x03}: {@link ReflectorClient#close};
 *   <li>{@code 0x04 len(u8) bytes}: {@link CandidateSdp#parse} of the bytes as UTF-8, which may
 *       throw only {@link InvalidParamsException}; a reflector candidate it returns must format
 *       back to the same name.
 * </ul>
 *
 * The client declares no exception, so any exception is a finding; so is an {@code onRelayed}
 * range outside its array or a relayed sender that is not a reflector address of id 2.
 */
public final class ReflectorClientFuzz implements FuzzTarget {
  static final byte[] PEER_TAG = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
  static final InetSocketAddress SERVER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 599);

  @Override
  public void fuzz(byte[] data) throws Exception {
    ReflectorClient.Output out = new ReflectorClient.Output() {
      @Override
      public void sendToServer(byte[] datagram, int offset, int length) {
        check(datagram, offset, length);
        if (length % 4 != 0) {
          throw new AssertionError("datagram not padded to 4 bytes: " + length);
        }
      }

      @Override
      public void onReady(InetSocketAddress candidate) {
        if (!ReflectorAddress.isReflector(candidate) || ReflectorAddress.tag(candidate) != 0x01020304L) {
          throw new AssertionError("not our reflector candidate: " + candidate);
        }
      }

      @Override
      public void onRelayed(InetSocketAddress from, byte[] bytes, int offset, int length) {
        check(bytes, offset, length);
        if (!ReflectorAddress.isReflector(from) || ReflectorAddress.reflectorId(from) != 2) {
          throw new AssertionError("relayed from a non-reflector address: " + from);
        }
      }

      @Override
      public void onUnanswered(long waitedMillis) {
        if (waitedMillis < 0) {
          throw new AssertionError("negative wait");
        }
      }
    };
    ReflectorClient client = new ReflectorClient(SERVER, 2, PEER_TAG, 0x01020304L, 5_000);
    long now = 1_000_000_000L;
    client.start(now, out);
    int i = 0;
    while (i < data.length) {
      int op = data[i++] & 0xFF;
      if (op == 0x00 && i + 2 <= data.length) {
        int len = Math.min(((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF), data.length - i - 2);
        i += 2;
        client.onDatagram(data, i, len, now, out);
        i += len;
      } else if (op == 0x01 && i + 6 <= data.length) {
        int id = data[i] & 0xFF;
        long tag = ((data[i + 1] & 0xFFL) << 24) | ((data[i + 2] & 0xFF) << 16)
            | ((data[i + 3] & 0xFF) << 8) | (data[i + 4] & 0xFF);
        int len = Math.min(data[i + 5] & 0xFF, data.length - i - 6);
        i += 6;
        InetSocketAddress to = id == 0 || tag == 0 ? SERVER : ReflectorAddress.of(id, tag, 599);
        client.send(to, data, i, len, out);
        i += len;
      } else if (op == 0x02 && i + 1 <= data.length) {
        now += (data[i++] & 0xFF) * 10_000_000L;
        client.onTimer(now, out);
      } else if (op == 0x03) {
        client.close();
      } else if (op == 0x04 && i + 1 <= data.length) {
        int len = Math.min(data[i] & 0xFF, data.length - i - 1);
        i += 1;
        parseCandidate(new String(data, i, len, StandardCharsets.UTF_8));
        i += len;
      } else {
        break;
      }
    }
  }

  private static void parseCandidate(String sdp) {
    try {
      IceCandidate c = CandidateSdp.parse(sdp);
      if (ReflectorAddress.isReflector(c.address())) {
        String again = CandidateSdp.format(c, "u");
        IceCandidate reparsed = CandidateSdp.parse(again);
        if (!reparsed.address().equals(c.address())) {
          throw new AssertionError("reflector candidate does not round-trip: " + sdp);
        }
      }
    } catch (InvalidParamsException expected) {
      // declared
    }
  }

  private static void check(byte[] bytes, int offset, int length) {
    if (offset < 0 || length < 0 || offset > bytes.length - length) {
      throw new AssertionError("range " + offset + "+" + length + " outside " + bytes.length);
    }
  }
}
