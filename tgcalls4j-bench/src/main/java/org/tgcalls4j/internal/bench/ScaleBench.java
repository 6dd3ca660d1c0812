package org.tgcalls4j.internal.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.tgcalls4j.CallStats;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.GroupCall;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;

/**
 * The scale benchmark's tgcalls4j side (issue 8, item 6): N group calls from one {@link TgCalls}
 * client, each joining the pion sink of {@code ../shared/peers/pion} over HTTP ({@code POST /join}
 * with the call's join JSON, the answer JSON back), at most {@code -parallel} (16) connecting at
 * once, all streaming the same Ogg/Opus file (sent as it is, no ffmpeg). After a warm-up it calls
 * the sink's {@code GET /mark}, measures a window and fetches the sink's {@code GET /stats} for
 * it. Flags and JSON field names follow the pion reference sender, so {@code ./bench scale} can put
 * the two side by side.
 *
 * <pre>
 * java -cp 'tgcalls4j-bench.jar:lib/*' org.tgcalls4j.internal.bench.ScaleBench \
 *     -n 100 -file tone.ogg -sink http://127.0.0.1:8089 -seconds 20 -warmup 5
 * </pre>
 *
 * <p>Figures: calls connected and failed (with the errors); connect p50/p95/max in ms from the
 * {@link GroupCall#connect} call (after the join's HTTP answer, as pion's sender measures from its
 * answer) to its return at CONNECTED; process CPU in the window as % of one core, total, per
 * call and per call still connected at the end ({@code OperatingSystemMXBean.getProcessCpuTime});
 * threads of the process
 * ({@code /proc/self/status}, as pion reports them, JVM threads included) and Java threads; RSS;
 * heap per call (used heap after {@code System.gc()} at the end minus the same before the first
 * call, over N, as pion subtracts its baseline heap); bytes allocated per RTP packet sent in the
 * window (all threads but this one, {@code com.sun.management.ThreadMXBean}); pacing lateness is
 * over the calls' {@code CallStats.pacing()}: the median of their p50s, the largest p99 and max, in
 * ms, over each call's whole life, set-up included (the library keeps no per-window histogram;
 * every other figure is the window's); the states of the connected calls at the end of
 * the window and the causes of the FAILED and DISCONNECTED reports of calls that had connected (a
 * call the sink stopped answering fails its ICE consent); and the sink's figures for the window (arrival
 * deviation from each call's 20 ms grid, packets received / due). Prints a table row, then the
 * JSON line last.
 *
 * <p>A benchmark, never a test: it runs only from {@code ./bench scale}.
 */
public final class ScaleBench {
  private ScaleBench() {}

  /** The command-line options; names and defaults as pion's sender. */
  record Options(int calls, Path file, String sink, double seconds, double warmupSeconds,
      int parallel, Duration connectTimeout) {
    static Options parse(String[] args) {
      Map<String, String> given = new HashMap<>();
      for (int i = 0; i < args.length; i++) {
        if (!args[i].startsWith("-") || i + 1 == args.length) {
          throw new IllegalArgumentException("expected -name value pairs, got " + args[i]);
        }
        given.put(args[i].replaceFirst("^-+", ""), args[++i]);
      }
      Options o = new Options(Integer.parseInt(given.getOrDefault("n", "1")),
          Path.of(given.getOrDefault("file", "tone.ogg")),
          given.getOrDefault("sink", "http://127.0.0.1:8089"),
          Double.parseDouble(given.getOrDefault("seconds", "20")),
          Double.parseDouble(given.getOrDefault("warmup", "5")),
          Integer.parseInt(given.getOrDefault("parallel", "16")),
          Duration.ofMillis((long) (1000 * Double.parseDouble(
              given.getOrDefault("connect-timeout", "10")))));
      given.keySet().removeAll(List.of("n", "file", "sink", "seconds", "warmup", "parallel",
          "connect-timeout"));
      if (!given.isEmpty()) {
        throw new IllegalArgumentException("unknown options " + given.keySet());
      }
      return o;
    }
  }

  /** One call's connect outcome: its time in ms, or the error that ended it. */
  private record Joined(GroupCall call, double connectMillis, String error) {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    if (!Files.isReadable(o.file())) {
      throw new IllegalArgumentException("cannot read " + o.file());
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    threads.setThreadAllocatedMemoryEnabled(true);

    long heap0 = usedHeapAfterGc();
    long rss0Kb = ScaleFigures.selfStatusField("VmRSS");
    Set<Long> everConnected = ConcurrentHashMap.newKeySet();
    Map<String, Integer> lost = new ConcurrentHashMap<>();
    TgCalls.Builder builder = TgCalls.builder();
    Integer handshakeThreads = Integer.getInteger("scale.dtlsHandshakeThreads");
    if (handshakeThreads != null) {
      builder.dtlsHandshakeThreads(handshakeThreads);
    }
    Integer sharedPort = Integer.getInteger("scale.sharedUdpPort");
    if (sharedPort != null) {
      builder.sharedUdpPort(sharedPort); // 0: one free port for every call
    }
    TgCalls client = builder
        .networkOptions(NetworkOptions.loopbackOnly())
        .connectTimeout(o.connectTimeout())
        .connectionListener((chatId, state, cause) -> {
          if (state == ConnectionState.CONNECTED) {
            everConnected.add(chatId);
          } else if (cause != null && everConnected.contains(chatId)) {
            lost.merge(state + " " + describe(cause), 1, Integer::sum);
          }
        })
        .build();
    try {
      // SCALE_SHARED_SOURCE=1: one reader of the file for every call (TgCalls.share), as a radio
      // bot would play one station into many chats; else each call reads the file itself, as each
      // track of pion's sender does
      MediaSource source = Boolean.getBoolean("scale.sharedSource")
          ? client.share(MediaSource.file(o.file())) : null;
      long setupStart = System.nanoTime();
      long setupCpu0 = os.getProcessCpuTime();
      List<Joined> joined = connectAll(client, o, source);
      double setupSeconds = (System.nanoTime() - setupStart) / 1e9;
      double setupCpuSeconds = (os.getProcessCpuTime() - setupCpu0) / 1e9;
      // threads that ended during the set-up (idle pool threads) are missing: a lower bound per name
      Map<String, Double> setupCpuByThread = ScaleFigures.cpuSecondsByThreadName();
      List<GroupCall> live = new ArrayList<>();
      List<Double> connectMillis = new ArrayList<>();
      Map<String, Integer> errors = new TreeMap<>();
      for (Joined j : joined) {
        if (j.error() == null) {
          live.add(j.call());
          connectMillis.add(j.connectMillis());
        } else {
          errors.merge(j.error(), 1, Integer::sum);
        }
      }
      double[] connects = connectMillis.stream().mapToDouble(Double::doubleValue).toArray();

      Thread.sleep((long) (o.warmupSeconds() * 1000));
      httpGet(o.sink() + "/mark");
      long self = Thread.currentThread().getId();
      Map<Long, Long> alloc0 = allocatedBytes(threads, self);
      long sent0 = packetsSent(live);
      long cpu0 = os.getProcessCpuTime();
      long[] ticks0 = ScaleFigures.selfUserAndSystemTicks();
      long wall0 = System.nanoTime();
      long from = System.currentTimeMillis();
      Thread.sleep((long) (o.seconds() * 1000));
      long to = System.currentTimeMillis();
      long wall1 = System.nanoTime();
      long cpu1 = os.getProcessCpuTime();
      long[] ticks1 = ScaleFigures.selfUserAndSystemTicks();
      long sent1 = packetsSent(live);
      Map<Long, Long> alloc1 = allocatedBytes(threads, self);
      long osThreads = ScaleFigures.selfStatusField("Threads");
      int javaThreads = threads.getThreadCount();
      long rssKb = ScaleFigures.selfStatusField("VmRSS");
      Map<String, Integer> statesAtEnd = new TreeMap<>();
      for (GroupCall c : live) {
        statesAtEnd.merge(c.state().name(), 1, Integer::sum);
      }
      long heap1 = usedHeapAfterGc();

      long allocated = 0;
      for (Map.Entry<Long, Long> e : alloc1.entrySet()) {
        allocated += e.getValue() - alloc0.getOrDefault(e.getKey(), 0L);
      }
      long sentInWindow = sent1 - sent0;
      double wallSeconds = (wall1 - wall0) / 1e9;
      double cpuPct = (cpu1 - cpu0) / 1e9 / wallSeconds * 100;
      int n = o.calls();

      Map<String, Object> r = new LinkedHashMap<>();
      r.put("sender", "tgcalls4j");
      r.put("transport", Thread.getAllStackTraces().keySet().stream()
          .anyMatch(t -> t.getName().startsWith("tgcalls4j-loop-epoll")) ? "epoll" : "nio");
      r.put("shared_udp_port", sharedPort != null);
      r.put("shared_source", source != null);
      r.put("n", n);
      r.put("connected", live.size());
      r.put("failed", n - live.size());
      r.put("errors", errors);
      r.put("states_at_end", statesAtEnd);
      r.put("lost_after_connect", new TreeMap<>(lost));
      r.put("setup_s", ScaleFigures.round(setupSeconds, 1));
      // CPU of the whole process while connecting: handshakes, ICE, and the media of the calls
      // already up
      r.put("setup_cpu_s", ScaleFigures.round(setupCpuSeconds, 1));
      Map<String, Object> setupThreads = new LinkedHashMap<>();
      setupCpuByThread.entrySet().stream()
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .filter(e -> e.getValue() >= 0.1)
          .forEach(e -> setupThreads.put(e.getKey(), ScaleFigures.round(e.getValue(), 1)));
      r.put("setup_cpu_s_by_thread", setupThreads);
      r.put("connect_ms_p50", ScaleFigures.round(ScaleFigures.percentile(connects, 50), 1));
      r.put("connect_ms_p95", ScaleFigures.round(ScaleFigures.percentile(connects, 95), 1));
      r.put("connect_ms_max", ScaleFigures.round(ScaleFigures.percentile(connects, 100), 1));
      r.put("window_s", ScaleFigures.round(wallSeconds, 3));
      r.put("cpu_pct_total", ScaleFigures.round(cpuPct, 1));
      r.put("cpu_pct_per_call", ScaleFigures.round(cpuPct / n, 4));
      // the kernel's share (system calls: sendto, the loopback delivery it runs, epoll) apart
      r.put("cpu_user_pct", ScaleFigures.round((ticks1[0] - ticks0[0]) / wallSeconds, 1));
      r.put("cpu_system_pct", ScaleFigures.round((ticks1[1] - ticks0[1]) / wallSeconds, 1));
      int connectedAtEnd = statesAtEnd.getOrDefault(ConnectionState.CONNECTED.name(), 0);
      r.put("cpu_pct_per_connected_call",
          connectedAtEnd == 0 ? -1 : ScaleFigures.round(cpuPct / connectedAtEnd, 4));
      r.put("threads", osThreads);
      r.put("java_threads", javaThreads);
      r.put("rss_mb", rssKb / 1024);
      r.put("rss_kb_per_call", (rssKb - rss0Kb) / n);
      r.put("heap_kb_per_call", ScaleFigures.round((heap1 - heap0) / 1024.0 / n, 1));
      r.put("heap_mb_after_gc", ScaleFigures.round(heap1 / 1e6, 1));
      r.put("sent_in_window", sentInWindow);
      r.put("alloc_bytes_per_packet",
          sentInWindow == 0 ? -1 : ScaleFigures.round((double) allocated / sentInWindow, 0));
      r.put("pacing_lateness_ms", pacing(live));
      try {
        r.put("sink", JsonParser.parseString(
            httpGet(o.sink() + "/stats?from_ms=" + from + "&to_ms=" + to)));
      } catch (IOException e) {
        r.put("sink_error", e.toString());
      }
      printRow(r);
      Gson gson = new GsonBuilder().disableHtmlEscaping().create();
      System.out.println(gson.toJson(r));
      System.out.flush();
    } finally {
      client.close();
    }
    System.exit(0);
  }

  /**
   * Joins and connects every call, at most {@code parallel} at once: each worker creates a call,
   * gives it the file, posts its join JSON to the sink and blocks in {@link GroupCall#connect}.
   * The workers end before the measurement, so they are not counted in its threads.
   */
  private static List<Joined> connectAll(TgCalls client, Options o, MediaSource shared)
      throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(o.parallel());
    List<Future<Joined>> futures = new ArrayList<>();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    long start = System.nanoTime();
    for (int i = 0; i < o.calls(); i++) {
      long chatId = i + 1;
      futures.add(pool.submit(() -> {
        Joined j = joinOne(client, chatId, o, shared);
        int connected = j.error() == null ? ok.incrementAndGet() : ok.get();
        int k = done.incrementAndGet();
        if (k % 100 == 0 || k == o.calls()) {
          System.err.printf("scale: %d/%d calls tried, %d connected, %.1f s%n", k, o.calls(),
              connected, (System.nanoTime() - start) / 1e9);
        }
        return j;
      }));
    }
    List<Joined> joined = new ArrayList<>();
    for (Future<Joined> f : futures) {
      try {
        joined.add(f.get());
      } catch (java.util.concurrent.ExecutionException e) {
        joined.add(new Joined(null, 0, describe(e.getCause())));
      }
    }
    pool.shutdown();
    return joined;
  }

  private static Joined joinOne(TgCalls client, long chatId, Options o, MediaSource shared) {
    GroupCall call = null;
    try {
      call = client.createGroupCall(chatId);
      call.setSource(shared != null ? shared : MediaSource.file(o.file()));
      String answer = httpPost(o.sink() + "/join", call.joinJson());
      long t0 = System.nanoTime();
      call.connect(answer);
      return new Joined(call, (System.nanoTime() - t0) / 1e6, null);
    } catch (TgCallsException | IOException | RuntimeException e) {
      if (call != null) {
        call.close();
      }
      return new Joined(null, 0, describe(e));
    }
  }

  private static String describe(Throwable e) {
    // one key per kind of error: chat ids would make each timeout its own entry
    String message = String.valueOf(e.getMessage()).replaceAll("chat -?[0-9]+", "chat N");
    if (message.length() > 100) {
      message = message.substring(0, 100) + "...";
    }
    return e.getClass().getSimpleName() + ": " + message;
  }

  private static long packetsSent(List<GroupCall> calls) {
    long sum = 0;
    for (GroupCall c : calls) {
      try {
        CallStats s = c.stats();
        sum += s.packetsSent();
      } catch (TgCallsException e) {
        // a call that failed in the window sends nothing more; its packets are not counted
      }
    }
    return sum;
  }

  /** Bytes allocated so far by each live thread but {@code except}, by thread id. */
  private static Map<Long, Long> allocatedBytes(com.sun.management.ThreadMXBean threads,
      long except) {
    long[] ids = threads.getAllThreadIds();
    long[] bytes = threads.getThreadAllocatedBytes(ids);
    Map<Long, Long> byId = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] != except && bytes[i] >= 0) {
        byId.put(ids[i], bytes[i]);
      }
    }
    return byId;
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static String httpGet(String url) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setConnectTimeout(10_000);
    c.setReadTimeout(120_000);
    return read(c);
  }

  private static String httpPost(String url, String body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
    c.setConnectTimeout(10_000);
    c.setReadTimeout(30_000);
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setRequestProperty("Content-Type", "application/json");
    try (OutputStream out = c.getOutputStream()) {
      out.write(body.getBytes(StandardCharsets.UTF_8));
    }
    return read(c);
  }

  private static String read(HttpURLConnection c) throws IOException {
    int code = c.getResponseCode();
    try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
      String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (code != 200) {
        throw new IOException("HTTP " + code + " from " + c.getURL().getPath() + ": " + text.trim());
      }
      return text;
    }
  }

  /** One human-readable line of the run's main figures, before the JSON line. */
  private static void printRow(Map<String, Object> r) {
    Object sink = r.get("sink");
    String deviation = "n/a";
    String received = "n/a";
    if (sink instanceof JsonObject s && s.has("received")) {
      deviation = s.get("dev_ms_p99").getAsString();
      received = s.get("received").getAsLong() + "/" + s.get("expected_grid").getAsLong();
    }
    System.out.printf("%-9s n=%-5s ok=%-5s fail=%-4s connect p50/p95=%s/%s ms  cpu/call=%s %%  "
            + "threads=%s  heap/call=%s kB  rss=%s MB  alloc/pkt=%s B  lateness=%s  "
            + "sink dev p99=%s ms  recv/due=%s%n",
        r.get("sender"), r.get("n"), r.get("connected"), r.get("failed"),
        r.get("connect_ms_p50"), r.get("connect_ms_p95"), r.get("cpu_pct_per_call"),
        r.get("threads"), r.get("heap_kb_per_call"), r.get("rss_mb"),
        r.get("alloc_bytes_per_packet"), r.get("pacing_lateness_ms"), deviation, received);
  }

  /** "p50/p99/max" in ms over the calls: the median p50, the worst p99 and the worst max. */
  static String pacing(List<GroupCall> calls) {
    List<Long> p50s = new ArrayList<>();
    List<Long> p99s = new ArrayList<>();
    long max = 0;
    long dropped = 0;
    long restarts = 0;
    for (GroupCall call : calls) {
      org.tgcalls4j.PacingStats p;
      try {
        p = call.stats().pacing();
      } catch (org.tgcalls4j.TgCallsException e) {
        continue;
      }
      dropped += p.framesDroppedLate();
      restarts += p.overloadRestarts();
      if (p.framesPaced() == 0) {
        continue;
      }
      p50s.add(p.latenessP50Micros());
      p99s.add(p.latenessP99Micros());
      max = Math.max(max, p.latenessMaxMicros());
    }
    if (p50s.isEmpty()) {
      return "n/a";
    }
    java.util.Collections.sort(p50s);
    java.util.Collections.sort(p99s);
    // the median call's p50, the worst call's p99 and max; then the median call's p99, and the
    // frames dropped beyond the lateness limit and pacing restarts after source stalls, over all
    return String.format(java.util.Locale.ROOT, "%.2f/%.2f/%.1f (median p99 %.2f, %d dropped, %d restarts)",
        p50s.get(p50s.size() / 2) / 1000.0, p99s.get(p99s.size() - 1) / 1000.0, max / 1000.0,
        p99s.get(p99s.size() / 2) / 1000.0, dropped, restarts);
  }
}
