package org.tgcalls4j.internal.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import org.tgcalls4j.internal.fuzz.FuzzTarget;

/**
 * Fuzz target {@code turn}: the input is a script of operations on one {@link TurnClient}, so that
 * datagrams reach it in every state (allocating, after the 401, allocated, with permissions and
 * channels, closed). Operations, until the input ends or an unknown opcode:
 *
 * <ul>
 *   <li>{@code 0x00 len(u16) bytes}: a datagram from the server ({@link TurnClient#onDatagram});
 *   <li>{@code 0x01 port(u16) len(u8) bytes}: {@link TurnClient#send} to 127.0.0.1:port;
 *   <li>{@code 0x02 ms(u8)}: the clock advances by ms x 10 ms, then {@link TurnClient#onTimer};
 *   <li>{@code 0x03}: {@link TurnClient#close}.
 * </ul>
 *
 * The client uses the credentials and the seeded random of {@link TurnClientCoturnTest}, so the
 * scripts that test records (the committed seeds) replay coturn's real answers with matching
 * transaction ids and MESSAGE-INTEGRITY. The client declares no exception for bad input, so any
 * exception is a finding; so is an {@code onRelayed} range outside its array.
 */
public final class TurnClientFuzz implements FuzzTarget {
  static final long SEED = 0x7463616c6c73L;
  static final String USER = "test";
  static final String PASSWORD = "secret";

  @Override
  public void fuzz(byte[] data) throws Exception {
    replay(data, new TurnClient.Output() {
      @Override
      public void sendToServer(byte[] datagram, int offset, int length) {
        check(datagram, offset, length);
      }

      @Override
      public void onAllocated(InetSocketAddress relayed, InetSocketAddress mapped) {
        if (relayed == null) {
          throw new AssertionError("onAllocated without a relayed address");
        }
      }

      @Override
      public void onRelayed(InetSocketAddress peer, byte[] bytes, int offset, int length) {
        check(bytes, offset, length);
      }

      @Override
      public void onFailure(TurnException failure) {
        if (failure.getMessage().contains(PASSWORD)) {
          throw new AssertionError("failure message contains the password");
        }
      }
    });
  }

  /** Runs the script {@code data} on a new client that reports to {@code out}. @return the client */
  static TurnClient replay(byte[] data, TurnClient.Output out) {
    InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3478);
    TurnClient client = new TurnClient(server, USER, PASSWORD, new SplittableRandom(SEED), 5_000_000L);
    long now = 1_000_000_000L;
    client.start(now, out);
    int i = 0;
    while (i < data.length) {
      int op = data[i++] & 0xFF;
      if (op == 0x00 && i + 2 <= data.length) {
        int len = ((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF);
        i += 2;
        len = Math.min(len, data.length - i);
        client.onDatagram(data, i, len, now, out);
        i += len;
      } else if (op == 0x01 && i + 3 <= data.length) {
        int port = ((data[i] & 0xFF) << 8) | (data[i + 1] & 0xFF);
        int len = Math.min(data[i + 2] & 0xFF, data.length - i - 3);
        i += 3;
        client.send(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), data, i, len, now, out);
        i += len;
      } else if (op == 0x02 && i + 1 <= data.length) {
        now += (data[i++] & 0xFF) * 10_000_000L;
        client.onTimer(now, out);
      } else if (op == 0x03) {
        client.close(now, out);
      } else {
        break;
      }
    }
    return client;
  }

  private static void check(byte[] bytes, int offset, int length) {
    if (offset < 0 || length < 0 || offset > bytes.length - length) {
      throw new AssertionError("range " + offset + "+" + length + " outside " + bytes.length);
    }
  }
}
