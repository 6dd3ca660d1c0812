package org.tgcalls4j.internal.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interop with the independent Python implementation {@code shared/peers/p2p/tgp2p.py}
 * ({@code V2Connection}, a port of tgcalls' EncryptedConnection): a {@link SignalingChannel} in one
 * role talks to tgp2p in the other over the python process's stdin/stdout (frames: BE32 length,
 * then the bytes). Java frames messages that Python decrypts, deduplicates and acks, and the other
 * way round, including a gzip'd message as tgcalls' gzipData writes it. Skipped when tgp2p.py is
 * not found above the working directory or python3 cannot import {@code cryptography}.
 */
class SignalingTgp2pInteropTest {
  private static final HexFormat HEX = HexFormat.of();

  /**
   * The peer: argv = tgp2p directory, role, key hex. Request frame = op(1) | body; ops: R receive
   * blob, S send message, Z send gzip'd message, T advance the clock by body ms and run due timers.
   * Reply frame = JSON {ok, messages, packets (hex), unacked}.
   */
  private static final String PEER = String.join("\n",
      "import json, struct, sys",
      "sys.path.insert(0, sys.argv[1])",
      "import tgp2p",
      "clock = [1000]",
      "timers = []",
      "conn = tgp2p.V2Connection(bytes.fromhex(sys.argv[3]), sys.argv[2] == 'caller',",
      "    request_service=lambda d, c: timers.append((clock[0] + d, c)), now_ms=lambda: clock[0])",
      "inp, out = sys.stdin.buffer, sys.stdout.buffer",
      "def run_timers():",
      "    got = []",
      "    for t in sorted(x for x in timers if x[0] <= clock[0]):",
      "        timers.remove(t)",
      "        p = conn.prepare_service(t[1])",
      "        if p is not None: got.append(p)",
      "    return got",
      "while True:",
      "    h = inp.read(4)",
      "    if len(h) < 4: break",
      "    f = inp.read(struct.unpack('>I', h)[0])",
      "    op, body = f[:1], f[1:]",
      "    ok, msgs, packets = True, [], []",
      "    if op == b'R':",
      "        res = conn.handle_incoming(body)",
      "        if res is None: ok = False",
      "        else: msgs = [m.decode('utf-8') for m in res]",
      "        packets = run_timers()",
      "    elif op == b'S': packets = [conn.prepare_raw_message(body, True)]",
      "    elif op == b'Z': packets = [conn.prepare_raw_message(tgp2p.gzip_data(body), True)]",
      "    elif op == b'T':",
      "        clock[0] += int(body)",
      "        packets = run_timers()",
      "    r = json.dumps({'ok': ok, 'messages': msgs, 'packets': [p.hex() for p in packets if p is not None],",
      "                    'unacked': len(conn.not_acked)}).encode()",
      "    out.write(struct.pack('>I', len(r)) + r)",
      "    out.flush()");

  /** One reply of the peer. */
  record Reply(boolean ok, List<String> messages, List<byte[]> packets, int unacked) {}

  /** The python process. */
  static final class Peer implements AutoCloseable {
    final Process process;
    final DataOutputStream toPeer;
    final DataInputStream fromPeer;

    Peer(Path dir, String role, byte[] key) throws IOException {
      process = new ProcessBuilder(python(), "-c", PEER, dir.toString(), role, HEX.formatHex(key))
          .redirectError(ProcessBuilder.Redirect.INHERIT)
          .start();
      toPeer = new DataOutputStream(process.getOutputStream());
      fromPeer = new DataInputStream(process.getInputStream());
    }

    Reply call(char op, byte[] body) throws IOException {
      toPeer.writeInt(1 + body.length);
      toPeer.write(op);
      toPeer.write(body);
      toPeer.flush();
      byte[] reply = new byte[fromPeer.readInt()];
      fromPeer.readFully(reply);
      JsonObject o = JsonParser.parseString(new String(reply, StandardCharsets.UTF_8)).getAsJsonObject();
      List<String> messages = new ArrayList<>();
      for (JsonElement m : o.getAsJsonArray("messages")) {
        messages.add(m.getAsString());
      }
      List<byte[]> packets = new ArrayList<>();
      JsonArray p = o.getAsJsonArray("packets");
      for (JsonElement e : p) {
        packets.add(HEX.parseHex(e.getAsString()));
      }
      return new Reply(o.get("ok").getAsBoolean(), messages, packets, o.get("unacked").getAsInt());
    }

    Reply receive(byte[] blob) throws IOException {
      return call('R', blob);
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  static String python() {
    return new File("/usr/bin/python3").canExecute() ? "/usr/bin/python3" : "python3";
  }

  static Path tgp2pDir() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared/peers/p2p/tgp2p.py");
      if (Files.isRegularFile(candidate)) {
        return candidate.getParent();
      }
    }
    return null;
  }

  static Path assumePeer() throws Exception {
    Path dir = tgp2pDir();
    Assumptions.assumeTrue(dir != null, "shared/peers/p2p/tgp2p.py not found above the working directory");
    Process probe;
    try {
      probe = new ProcessBuilder(python(), "-c", "import cryptography").redirectErrorStream(true).start();
    } catch (IOException e) {
      Assumptions.abort("python3 cannot be started: " + e.getMessage());
      return null;
    }
    boolean ended = probe.waitFor(20, TimeUnit.SECONDS);
    if (!ended) {
      probe.destroyForcibly();
    }
    Assumptions.assumeTrue(ended && probe.exitValue() == 0, "python3 cannot import cryptography");
    return dir;
  }

  @ParameterizedTest(name = "java caller = {0}")
  @ValueSource(booleans = {true, false})
  void messagesBothWays(boolean javaIsCaller) throws Exception {
    Path dir = assumePeer();
    byte[] key = new byte[256];
    new Random(javaIsCaller ? 11 : 12).nextBytes(key);
    assertTimeoutPreemptively(Duration.ofSeconds(25), () -> {
      try (Peer peer = new Peer(dir, javaIsCaller ? "callee" : "caller", key)) {
        exchange(peer, new SignalingChannel(key, javaIsCaller));
      }
    });
  }

  private void exchange(Peer peer, SignalingChannel java) throws IOException {
    long now = 1000;
    // Java → Python: three messages sent before anything arrives, so the second and third go out
    // as service packets [empty][m1][m2], [empty][m1][m2][m3]
    List<String> sent = List.of("{\"@type\":\"InitialSetup\",\"ufrag\":\"a\"}",
        "{\"@type\":\"Candidates\",\"candidates\":[{\"sdpString\":\"é ☎ 😀\"}]}",
        "{\"@type\":\"NegotiateChannels\",\"pad\":\"" + "y".repeat(3000) + "\"}");
    List<byte[]> blobs = new ArrayList<>();
    for (String m : sent) {
      blobs.addAll(java.send(m, now));
    }
    assertThat(blobs).hasSize(3);
    List<String> gotByPeer = new ArrayList<>();
    List<byte[]> acks = new ArrayList<>();
    for (byte[] blob : blobs) {
      Reply r = peer.receive(blob);
      assertThat(r.ok()).as("tgp2p accepted our packet").isTrue();
      gotByPeer.addAll(r.messages());
      acks.addAll(r.packets());
    }
    assertThat(gotByPeer).containsExactlyElementsOf(sent);
    assertThat(acks).as("tgp2p answers every new ack-required message at once").hasSize(3);
    assertThat(java.unackedCount()).isEqualTo(3);
    for (byte[] ack : acks) {
      SignalingChannel.Received r = java.receive(ack, now);
      assertThat(r.messages()).isEmpty();
    }
    assertThat(java.unackedCount()).isZero();
    // a replayed Java packet is rejected by tgp2p too
    assertThat(peer.receive(blobs.get(0)).ok()).isFalse();

    // Python → Java: plain, gzip'd, and a third while the others are unacked
    List<String> fromPeer = List.of("{\"@type\":\"Candidates\",\"candidates\":[]}",
        "{\"@type\":\"MediaState\",\"muted\":true,\"z\":\"" + "z".repeat(2000) + "\"}",
        "{\"@type\":\"InitialSetup\",\"pwd\":\"ü\"}");
    List<byte[]> peerBlobs = new ArrayList<>();
    peerBlobs.addAll(peer.call('S', fromPeer.get(0).getBytes(StandardCharsets.UTF_8)).packets());
    peerBlobs.addAll(peer.call('Z', fromPeer.get(1).getBytes(StandardCharsets.UTF_8)).packets());
    Reply last = peer.call('S', fromPeer.get(2).getBytes(StandardCharsets.UTF_8));
    peerBlobs.addAll(last.packets());
    assertThat(last.unacked()).isEqualTo(3);
    assertThat(peerBlobs).hasSize(3);
    List<String> gotByJava = new ArrayList<>();
    List<byte[]> javaReplies = new ArrayList<>();
    // deliver the last (which repeats the first two) first, then the older ones: dedup
    for (int i : new int[] {2, 0, 1}) {
      SignalingChannel.Received r = java.receive(peerBlobs.get(i), now);
      gotByJava.addAll(r.messages());
      javaReplies.addAll(r.replies());
    }
    assertThat(gotByJava).containsExactlyElementsOf(fromPeer);
    assertThat(java.droppedBlobs()).isZero();
    assertThat(javaReplies).as("one immediate ack packet, for the packet with new messages").hasSize(1);
    Reply acked = null;
    for (byte[] reply : javaReplies) {
      acked = peer.receive(reply);
      assertThat(acked.ok()).isTrue();
    }
    assertThat(acked.unacked()).as("tgp2p's messages all acknowledged").isZero();

    // acks that are not urgent go out after 5 s: a duplicate makes Java owe an ack again
    List<byte[]> javaPolled = java.poll(now + 5000);
    assertThat(javaPolled).as("the delayed ack").isNotEmpty();
    for (byte[] b : javaPolled) {
      assertThat(peer.receive(b).ok()).isTrue();
    }
    Reply resend = peer.call('S', "{\"@type\":\"Candidates\",\"n\":4}".getBytes(StandardCharsets.UTF_8));
    byte[] fourth = resend.packets().get(0);
    SignalingChannel.Received r4 = java.receive(fourth, now + 6000);
    assertThat(r4.messages()).containsExactly("{\"@type\":\"Candidates\",\"n\":4}");
    // the ack is lost; tgp2p resends after 5 s, Java delivers nothing new and acks on its timer
    Reply timer = peer.call('T', "5000".getBytes(StandardCharsets.US_ASCII));
    assertThat(timer.packets()).hasSize(1);
    SignalingChannel.Received dup = java.receive(timer.packets().get(0), now + 11_000);
    assertThat(dup.messages()).isEmpty();
    assertThat(dup.replies()).isEmpty();
    assertThat(java.nextPollMillis()).isEqualTo(now + 16_000);
    List<byte[]> late = java.poll(now + 16_000);
    assertThat(late).hasSize(1);
    assertThat(peer.receive(late.get(0)).unacked()).isZero();
  }
}
