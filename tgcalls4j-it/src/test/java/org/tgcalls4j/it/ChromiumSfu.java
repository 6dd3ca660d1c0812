package org.tgcalls4j.it;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's Chromium (libwebrtc, what Telegram's apps are built on) as the SFU, headless, driven
 * over the DevTools protocol with {@code java.net.http}'s WebSocket. The page
 * ({@code chromium/sfu.js}) makes the offer, so Chromium is ICE controlling as the SFU is; the
 * offer becomes the {@code updateGroupCallConnection} answer JSON for our client, and the join JSON
 * becomes Chromium's SDP answer, as the aiortc test does (group-call.md §2-§4). Only Chromium's
 * 127.0.0.1 candidates go into the answer ({@code --allow-loopback-in-peer-connection}; mDNS host
 * names off), and the client's candidates are not given to Chromium: it learns them from the
 * client's checks, as the SFU does.
 */
final class ChromiumSfu implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final WebSocket socket;
  private final com.sun.net.httpserver.HttpServer page;
  private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private String offerSdp;
  private boolean sending;

  private ChromiumSfu(Process process, WebSocket socket, com.sun.net.httpserver.HttpServer page) {
    this.process = process;
    this.socket = socket;
    this.page = page;
  }

  static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /**
   * Starts Chromium with a fresh profile in {@code dir} on a page with the SFU script, served from
   * 127.0.0.1 (a secure context, which {@code getUserMedia} needs).
   */
  static ChromiumSfu start(Path dir) throws IOException, InterruptedException {
    byte[] html;
    try (InputStream in = ChromiumSfu.class.getResourceAsStream("/chromium/sfu.js")) {
      html = ("<!doctype html><title>sfu</title><script>\n"
          + new String(in.readAllBytes(), StandardCharsets.UTF_8) + "\n</script>")
          .getBytes(StandardCharsets.UTF_8);
    }
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, html.length);
      exchange.getResponseBody().write(html);
      exchange.close();
    });
    server.start();
    try {
      return start(dir, server);
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.stop(0);
      throw e;
    }
  }

  private static ChromiumSfu start(Path dir, com.sun.net.httpserver.HttpServer server)
      throws IOException, InterruptedException {
    String pageAddress = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    int port;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort(); // a TCP port that is very likely free too
    }
    Process p = new ProcessBuilder(List.of(BINARY.toString(), "--headless=new", "--no-sandbox",
        "--disable-gpu", "--no-first-run", "--no-default-browser-check",
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=" + port,
        "--user-data-dir=" + dir.resolve("chromium-profile"),
        "--allow-loopback-in-peer-connection",
        "--disable-features=WebRtcHideLocalIpsWithMdns",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required", pageAddress))
        .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String pageUrl = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (pageUrl == null && System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IOException("chromium exited: " + Files.readString(dir.resolve("chromium.log")));
        }
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/json/list")).timeout(Duration.ofSeconds(2))
              .build(), HttpResponse.BodyHandlers.ofString());
          for (JsonElement target : JsonParser.parseString(r.body()).getAsJsonArray()) {
            JsonObject t = target.getAsJsonObject();
            if (t.get("type").getAsString().equals("page")
                && t.get("url").getAsString().startsWith(pageAddress)) {
              pageUrl = t.get("webSocketDebuggerUrl").getAsString();
            }
          }
        } catch (IOException notYet) {
          // DevTools not listening yet
        }
        if (pageUrl == null) {
          Thread.sleep(100);
        }
      }
      if (pageUrl == null) {
        throw new IOException("chromium's DevTools page did not appear within 30 s");
      }
      Listener listener = new Listener();
      WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), listener)
          .get(10, TimeUnit.SECONDS);
      ChromiumSfu sfu = new ChromiumSfu(p, ws, server);
      listener.owner = sfu;
      while (!"object".equals(sfu.evaluate("typeof window.sfu"))) {
        if (System.nanoTime() > deadline) {
          throw new IOException("the SFU page did not load within 30 s");
        }
        Thread.sleep(50);
      }
      return sfu;
    } catch (IOException | InterruptedException | RuntimeException e) {
      destroy(p);
      throw e;
    } catch (Exception e) {
      destroy(p);
      throw new IOException(e);
    }
  }

  /** Makes Chromium's offer; returns it as the answer JSON our client connects with. */
  String offerAsAnswerJson() throws IOException {
    return offerAsAnswerJson(0);
  }

  /**
   * Like {@link #offerAsAnswerJson()}, with Chromium also sending a sine of {@code toneHz}
   * (Web Audio, encoded by libwebrtc's Opus) to the client, as the SFU forwards a participant.
   */
  String offerAsAnswerJson(double toneHz) throws IOException {
    return offerAsAnswerJson(toneHz, false);
  }

  /**
   * Like {@link #offerAsAnswerJson(double)}; with {@code video}, Chromium also receives the
   * client's VP8 (a bundled video m-section) and the answer JSON gets its {@code video} section.
   */
  String offerAsAnswerJson(double toneHz, boolean video) throws IOException {
    sending = toneHz > 0;
    offerSdp = evaluate("sfu.offer(" + toneHz + ", " + video + ")");
    JsonObject answer = answerJson(offerSdp);
    if (answer.getAsJsonObject("transport").getAsJsonArray("candidates").isEmpty()) {
      throw new IOException("chromium offered no 127.0.0.1 UDP candidate: "
          + offerSdp.lines().filter(l -> l.startsWith("a=candidate")).toList());
    }
    return answer.toString();
  }

  /** Gives Chromium the client's side, built from our join JSON, as its SDP answer. */
  void acceptJoin(String joinJson) throws IOException {
    String state = evaluate("sfu.answer("
        + quote(answerSdp(JsonParser.parseString(joinJson).getAsJsonObject(), offerSdp, sending))
        + ")");
    if (!"stable".equals(state)) {
      throw new IOException("chromium did not accept the answer: " + state);
    }
  }

  /** @return the RTCPeerConnection's connectionState */
  String connectionState() throws IOException {
    return evaluate("sfu.state()");
  }

  /** @return 16-bit mono PCM at 48 kHz received during the next {@code seconds} */
  short[] record(double seconds) throws IOException {
    JsonObject r = JsonParser.parseString(evaluate("sfu.record(" + seconds + ")")).getAsJsonObject();
    if (!r.get("contextState").getAsString().equals("running")) {
      throw new IOException("chromium's AudioContext did not run: " + r.get("contextState"));
    }
    byte[] bytes = Base64.getDecoder().decode(r.get("pcm").getAsString());
    short[] pcm = new short[bytes.length / 2];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(pcm);
    return pcm;
  }

  /** @return the first RTCStats object of {@code type}, or null */
  JsonObject stats(String type) throws IOException {
    return stats(type, null);
  }

  /** @return the first RTCStats object of {@code type} (and {@code kind}, unless null), or null */
  JsonObject stats(String type, String kind) throws IOException {
    JsonArray all = JsonParser.parseString(evaluate("sfu.stats()")).getAsJsonArray();
    for (JsonElement e : all) {
      JsonObject o = e.getAsJsonObject();
      if (o.get("type").getAsString().equals(type)
          && (kind == null || (o.has("kind") && o.get("kind").getAsString().equals(kind)))) {
        return o;
      }
    }
    return null;
  }

  /** Evaluates {@code expression} in the page, awaiting a promise; returns the value as a string. */
  private String evaluate(String expression) throws IOException {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    pending.put(id, reply);
    JsonObject params = new JsonObject();
    params.addProperty("expression", expression);
    params.addProperty("awaitPromise", true);
    params.addProperty("returnByValue", true);
    JsonObject message = new JsonObject();
    message.addProperty("id", id);
    message.addProperty("method", "Runtime.evaluate");
    message.add("params", params);
    socket.sendText(message.toString(), true);
    JsonObject result;
    try {
      result = reply.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IOException("DevTools call failed: " + shorten(expression), e);
    } finally {
      pending.remove(id);
    }
    if (result.has("error")) {
      throw new IOException("DevTools error " + result.get("error") + " for " + shorten(expression));
    }
    JsonObject r = result.getAsJsonObject("result");
    if (r.has("exceptionDetails")) {
      throw new IOException("page exception " + r.get("exceptionDetails") + " for " + shorten(expression));
    }
    JsonElement value = r.getAsJsonObject("result").get("value");
    return value == null || value.isJsonNull() ? null
        : value.isJsonPrimitive() ? value.getAsString() : value.toString();
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static String quote(String s) {
    com.google.gson.JsonPrimitive p = new com.google.gson.JsonPrimitive(s);
    return p.toString();
  }

  /** Collects DevTools replies (possibly in parts) and completes the matching call. */
  private static final class Listener implements WebSocket.Listener {
    volatile ChromiumSfu owner;
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonObject m = JsonParser.parseString(partial.toString()).getAsJsonObject();
        partial.setLength(0);
        if (m.has("id") && owner != null) {
          CompletableFuture<JsonObject> f = owner.pending.get(m.get("id").getAsInt());
          if (f != null) {
            f.complete(m);
          }
        }
      }
      webSocket.request(1);
      return null;
    }
  }

  /** The offer's m-sections, each as its lines (the session part dropped). */
  private static List<List<String>> sections(String sdp) {
    List<List<String>> result = new ArrayList<>();
    for (String line : sdp.split("\r\n")) {
      if (line.startsWith("m=")) {
        result.add(new ArrayList<>(List.of(line)));
      } else if (!result.isEmpty()) {
        result.get(result.size() - 1).add(line);
      }
    }
    return result;
  }

  private static String attribute(List<String> section, String name) {
    for (String line : section) {
      if (line.startsWith("a=" + name + ":")) {
        return line.substring(name.length() + 3);
      }
    }
    throw new IllegalArgumentException("the offer has no a=" + name);
  }

  /**
   * Chromium's offer in the shape of {@code updateGroupCallConnection.params} (group-call.md §3):
   * the first m-section's transport with its 127.0.0.1 UDP candidates, codecs and extensions.
   */
  static JsonObject answerJson(String offerSdp) {
    List<String> audio = sections(offerSdp).get(0);
    JsonArray candidates = new JsonArray();
    for (String line : audio) {
      if (!line.startsWith("a=candidate:")) {
        continue;
      }
      String[] f = line.substring("a=candidate:".length()).split(" ");
      if (!f[2].equalsIgnoreCase("udp") || !f[4].equals("127.0.0.1")) {
        continue; // loopback only: tests send nowhere else
      }
      JsonObject c = new JsonObject();
      c.addProperty("generation", "0");
      c.addProperty("component", f[1]);
      c.addProperty("protocol", "udp");
      c.addProperty("port", f[5]);
      c.addProperty("ip", f[4]);
      c.addProperty("foundation", f[0]);
      c.addProperty("id", "c" + candidates.size());
      c.addProperty("priority", f[3]);
      c.addProperty("type", f[7]);
      c.addProperty("network", "0");
      candidates.add(c);
    }
    String[] fingerprint = attribute(audio, "fingerprint").split(" ", 2);
    JsonObject fp = new JsonObject();
    fp.addProperty("hash", fingerprint[0]);
    fp.addProperty("fingerprint", fingerprint[1]);
    fp.addProperty("setup", "active");
    JsonArray fingerprints = new JsonArray();
    fingerprints.add(fp);
    JsonObject transport = new JsonObject();
    transport.addProperty("ufrag", attribute(audio, "ice-ufrag"));
    transport.addProperty("pwd", attribute(audio, "ice-pwd"));
    transport.add("fingerprints", fingerprints);
    transport.add("candidates", candidates);
    transport.addProperty("xmlns", "urn:xmpp:jingle:transports:ice-udp:1");
    transport.addProperty("rtcp-mux", true);
    JsonArray payloadTypes = new JsonArray();
    JsonArray extensions = new JsonArray();
    for (String line : audio) {
      if (line.startsWith("a=rtpmap:")) {
        String[] pt = line.substring("a=rtpmap:".length()).split(" ", 2);
        String[] codec = pt[1].split("/");
        JsonObject entry = new JsonObject();
        entry.addProperty("id", Integer.parseInt(pt[0]));
        entry.addProperty("name", codec[0]);
        entry.addProperty("clockrate", Integer.parseInt(codec[1]));
        if (codec.length > 2) {
          entry.addProperty("channels", Integer.parseInt(codec[2]));
        }
        entry.add("parameters", new JsonObject());
        payloadTypes.add(entry);
      } else if (line.startsWith("a=extmap:")) {
        String[] ext = line.substring("a=extmap:".length()).split(" ", 2);
        JsonObject entry = new JsonObject();
        entry.addProperty("id", Integer.parseInt(ext[0].split("/")[0]));
        entry.addProperty("uri", ext[1].strip());
        extensions.add(entry);
      }
    }
    JsonObject media = new JsonObject();
    media.add("payload-types", payloadTypes);
    media.add("rtp-hdrexts", extensions);
    JsonObject answer = new JsonObject();
    answer.add("transport", transport);
    answer.add("audio", media);
    List<List<String>> sections = sections(offerSdp);
    if (sections.size() > 1 && sections.get(1).get(0).startsWith("m=video")) {
      answer.add("video", mediaSection(sections.get(1)));
    }
    return answer;
  }

  /** One m-section's codecs (with their fmtp parameters as strings) and header extensions. */
  private static JsonObject mediaSection(List<String> section) {
    JsonArray payloadTypes = new JsonArray();
    JsonArray extensions = new JsonArray();
    for (String line : section) {
      if (line.startsWith("a=rtpmap:")) {
        String[] pt = line.substring("a=rtpmap:".length()).split(" ", 2);
        String[] codec = pt[1].split("/");
        JsonObject entry = new JsonObject();
        entry.addProperty("id", Integer.parseInt(pt[0]));
        entry.addProperty("name", codec[0]);
        entry.addProperty("clockrate", Integer.parseInt(codec[1]));
        JsonObject parameters = new JsonObject();
        for (String fmtp : section) {
          if (fmtp.startsWith("a=fmtp:" + pt[0] + " ")) {
            for (String kv : fmtp.substring(("a=fmtp:" + pt[0] + " ").length()).split(";")) {
              String[] pair = kv.strip().split("=", 2);
              if (pair.length == 2) {
                parameters.addProperty(pair[0], pair[1]);
              }
            }
          }
        }
        entry.add("parameters", parameters);
        payloadTypes.add(entry);
      } else if (line.startsWith("a=extmap:")) {
        String[] ext = line.substring("a=extmap:".length()).split(" ", 2);
        JsonObject entry = new JsonObject();
        entry.addProperty("id", Integer.parseInt(ext[0].split("/")[0]));
        entry.addProperty("uri", ext[1].strip());
        extensions.add(entry);
      }
    }
    JsonObject media = new JsonObject();
    media.add("payload-types", payloadTypes);
    media.add("rtp-hdrexts", extensions);
    return media;
  }

  /** @return the SSRC Chromium sends on (after connecting), unsigned */
  long sendingSsrc() throws IOException {
    return Long.parseLong(evaluate("sfu.sendingSsrc()"));
  }

  /**
   * The client's side as SDP, built from the join JSON (what the SFU learns from it); sendrecv
   * when Chromium sends too.
   */
  static String answerSdp(JsonObject join, String offerSdp, boolean sendrecv) {
    JsonObject fp = join.getAsJsonArray("fingerprints").get(0).getAsJsonObject();
    long ssrc = join.get("ssrc").getAsLong() & 0xFFFF_FFFFL;
    List<String> audio = sections(offerSdp).get(0);
    String mid = attribute(audio, "mid");
    String opus = null;
    for (String line : audio) {
      if (line.startsWith("a=rtpmap:") && line.toLowerCase(java.util.Locale.ROOT).contains("opus/48000")) {
        opus = line.substring("a=rtpmap:".length()).split(" ")[0];
        break;
      }
    }
    List<List<String>> sections = sections(offerSdp);
    String videoMid = null;
    List<String> videoLines = new ArrayList<>();
    if (sections.size() > 1 && sections.get(1).get(0).startsWith("m=video")
        && join.has("ssrc-groups")) {
      List<String> v = sections.get(1);
      videoMid = attribute(v, "mid");
      String vp8 = null;
      String rtx = null;
      for (String line : v) {
        if (line.startsWith("a=rtpmap:") && line.contains(" VP8/90000") && vp8 == null) {
          vp8 = line.substring("a=rtpmap:".length()).split(" ")[0];
        }
      }
      for (String line : v) {
        if (line.startsWith("a=fmtp:") && line.endsWith(" apt=" + vp8)) {
          rtx = line.substring("a=fmtp:".length()).split(" ")[0];
        }
      }
      JsonArray fid = join.getAsJsonArray("ssrc-groups").get(0).getAsJsonObject()
          .getAsJsonArray("sources");
      long video = fid.get(0).getAsLong() & 0xFFFF_FFFFL;
      long retransmission = fid.get(1).getAsLong() & 0xFFFF_FFFFL;
      videoLines.addAll(List.of("m=video 9 UDP/TLS/RTP/SAVPF " + vp8 + " " + rtx,
          "c=IN IP4 0.0.0.0", "a=mid:" + videoMid,
          "a=ice-ufrag:" + join.get("ufrag").getAsString(), "a=ice-pwd:" + join.get("pwd").getAsString(),
          "a=fingerprint:" + fp.get("hash").getAsString() + " " + fp.get("fingerprint").getAsString(),
          "a=setup:" + fp.get("setup").getAsString(), "a=sendonly", "a=rtcp-mux",
          "a=rtpmap:" + vp8 + " VP8/90000", "a=rtcp-fb:" + vp8 + " nack",
          "a=rtcp-fb:" + vp8 + " nack pli", "a=rtcp-fb:" + vp8 + " ccm fir",
          "a=rtpmap:" + rtx + " rtx/90000", "a=fmtp:" + rtx + " apt=" + vp8,
          "a=ssrc-group:FID " + video + " " + retransmission,
          "a=ssrc:" + video + " cname:tgcalls4j", "a=ssrc:" + retransmission + " cname:tgcalls4j"));
      for (String line : v) {
        if (line.startsWith("a=extmap:") && (line.contains("abs-send-time")
            || line.contains("video-orientation"))) {
          videoLines.add(line);
        }
      }
    }
    List<String> lines = new ArrayList<>(List.of("v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=-", "t=0 0",
        "a=group:BUNDLE " + mid + (videoMid == null ? "" : " " + videoMid),
        "m=audio 9 UDP/TLS/RTP/SAVPF " + opus, "c=IN IP4 0.0.0.0", "a=mid:" + mid,
        "a=ice-ufrag:" + join.get("ufrag").getAsString(), "a=ice-pwd:" + join.get("pwd").getAsString(),
        "a=fingerprint:" + fp.get("hash").getAsString() + " " + fp.get("fingerprint").getAsString(),
        "a=setup:" + fp.get("setup").getAsString(), sendrecv ? "a=sendrecv" : "a=sendonly",
        "a=rtcp-mux",
        "a=rtpmap:" + opus + " opus/48000/2", "a=ssrc:" + ssrc + " cname:tgcalls4j"));
    lines.addAll(videoLines);
    return String.join("\r\n", lines) + "\r\n";
  }

  @Override
  public void close() throws InterruptedException {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // chromium is killed anyway
    }
    destroy(process);
    page.stop(0);
  }

  private static void destroy(Process p) throws InterruptedException {
    List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
    p.destroy();
    tree.forEach(ProcessHandle::destroy);
    if (!p.waitFor(5, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    for (ProcessHandle h : tree) {
      h.destroyForcibly();
      h.onExit().completeOnTimeout(h, 5, TimeUnit.SECONDS).join();
    }
  }
}
