package org.tgcalls4j.examples.voicebot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SignalingPipeTest {
  @Test
  void pythonFramingPeerEchoesOurBlobs() throws Exception {
    // an independent BE32(length)||blob reader/writer (as p2p_peer.py frames): echoes each blob
    // reversed, over stdin/stdout
    String py = "import sys,struct\n"
        + "r=sys.stdin.buffer; w=sys.stdout.buffer\n"
        + "while True:\n"
        + "  h=r.read(4)\n"
        + "  if len(h)<4: break\n"
        + "  n=struct.unpack('>I',h)[0]; b=r.read(n)\n"
        + "  w.write(struct.pack('>I',len(b))+b[::-1]); w.flush()\n";
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", py).start();
    try (SignalingPipe pipe = SignalingPipe.of(p.getInputStream(), p.getOutputStream(), null)) {
      Random rnd = new Random(7);
      for (int len : new int[] {0, 1, 255, 256, 16 << 10, SignalingPipe.MAX_BLOB_BYTES}) {
        byte[] blob = new byte[len];
        rnd.nextBytes(blob);
        pipe.send(blob);
        byte[] back = pipe.receive();
        byte[] reversed = new byte[len];
        for (int i = 0; i < len; i++) {
          reversed[i] = blob[len - 1 - i];
        }
        assertThat(back).isEqualTo(reversed);
      }
      p.getOutputStream().close();
      assertThat(pipe.receive()).isNull();
    } finally {
      p.destroy();
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  @SuppressWarnings("try") // closes one side early on purpose
  void tcpListenAndConnect() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String hostPort = "127.0.0.1:" + port;
    CompletableFuture<SignalingPipe> listening = CompletableFuture.supplyAsync(() -> {
      try {
        return SignalingPipe.open("tcp-listen:" + hostPort, Duration.ofSeconds(10));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    try (SignalingPipe a = SignalingPipe.open("tcp-connect:" + hostPort, Duration.ofSeconds(10));
        SignalingPipe b = listening.get(10, TimeUnit.SECONDS)) {
      a.send(new byte[] {1, 2, 3});
      b.send(new byte[] {9});
      assertThat(b.receive()).containsExactly(1, 2, 3);
      assertThat(a.receive()).containsExactly(9);
      a.close();
      assertThat(b.receive()).isNull();
    }
  }

  @Test
  void badFramesAndSpecs() {
    SignalingPipe huge = SignalingPipe.of(new ByteArrayInputStream(new byte[] {0, 1, 0, 1}),
        new ByteArrayOutputStream(), null);
    assertThatThrownBy(huge::receive).hasMessageContaining("frame length 65537 exceeds");
    SignalingPipe negative = SignalingPipe.of(new ByteArrayInputStream(new byte[] {-1, -1, -1, -1}),
        new ByteArrayOutputStream(), null);
    assertThatThrownBy(negative::receive).hasMessageContaining("frame length 4294967295");
    SignalingPipe cutLength = SignalingPipe.of(new ByteArrayInputStream(new byte[] {0, 0}),
        new ByteArrayOutputStream(), null);
    assertThatThrownBy(cutLength::receive).hasMessageContaining("inside a frame's length");
    SignalingPipe cutBody = SignalingPipe.of(new ByteArrayInputStream(new byte[] {0, 0, 0, 5, 1}),
        new ByteArrayOutputStream(), null);
    assertThatThrownBy(cutBody::receive).hasMessageContaining("inside a frame of 5 bytes");
    assertThatThrownBy(() -> SignalingPipe.open("udp:1.2.3.4:5", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tcp-connect:HOST:PORT");
    assertThatThrownBy(() -> SignalingPipe.open("tcp-connect:host", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SignalingPipe.open("tcp-connect:h:99999", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1..65535");
  }

  @Test
  void connectGivesUpAfterTheTimeout() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> SignalingPipe.open("tcp-connect:127.0.0.1:" + port,
        Duration.ofMillis(300))).isInstanceOf(IOException.class).hasMessageContaining("within");
    assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 3_000L);
  }
}
