package org.tgcalls4j.examples.voicebot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tgcalls4j.AudioFrame;
import org.tgcalls4j.Call;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.PcmPushSource;
import org.tgcalls4j.PrivateCall;
import org.tgcalls4j.PrivateCallParams;
import org.tgcalls4j.SignalingDataListener;
import org.tgcalls4j.TgCalls;
import org.tgcalls4j.TgCallsException;

/**
 * A voice bot for private calls: it answers as the callee, greets the caller with
 * {@link EspeakTts}, cuts what the caller says into utterances ({@link VoiceActivityDetector}),
 * hands each to a {@link SpeechToText}, asks a {@link Responder} for a reply and says it.
 *
 * <p>The application does the Telegram part (see README.md): on {@code phoneCallRequested} it
 * accepts and calls {@link #prepare}; it passes every {@code updatePhoneCallSignalingData} to
 * {@link Session#receiveSignalingData} and every blob the {@link SignalingDataListener} gets to
 * {@code phone.sendSignalingData}; on the final {@code phoneCall} it calls
 * {@link Session#connect}. {@link #main} does the same with the blobs on a
 * {@link SignalingPipe}.
 *
 * <p>Threads: tgcalls4j delivers the caller's audio on its client thread; {@link #onIncomingAudio}
 * only downmixes and queues it (dropping and counting frames when a session's queue of
 * {@link #QUEUE_FRAMES} is full). Each session has one worker thread that runs the
 * {@link Conversation}: VAD, recognition, reply, synthesis, and a blocking
 * {@link PcmPushSource#put} of the speech. Thread-safe.
 */
public final class VoiceBot implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VoiceBot.class);
  /** Frames of the caller's audio queued per session, 20 ms each (10 s). */
  public static final int QUEUE_FRAMES = 500;
  /** How much of the bot's speech the source queues ahead, ms. */
  public static final long SPEECH_QUEUE_MILLIS = 60_000;

  private final TgCalls calls;
  private final EspeakTts tts;
  private final SpeechToText stt;
  private final Responder responder;
  private final String greeting;
  private final VoiceActivityDetector.Settings vadSettings;
  private final Consumer<Conversation.Turn> onTurn;
  private final Map<PrivateCall, Session> sessions = new ConcurrentHashMap<>();

  private VoiceBot(TgCalls.Builder builder, EspeakTts tts, SpeechToText stt, Responder responder,
      String greeting, VoiceActivityDetector.Settings vadSettings,
      Consumer<Conversation.Turn> onTurn) throws TgCallsException {
    this.tts = Objects.requireNonNull(tts, "tts");
    this.stt = Objects.requireNonNull(stt, "stt");
    this.responder = Objects.requireNonNull(responder, "responder");
    this.greeting = Objects.requireNonNull(greeting, "greeting");
    this.vadSettings = Objects.requireNonNull(vadSettings, "vadSettings");
    this.onTurn = Objects.requireNonNull(onTurn, "onTurn");
    this.calls = builder.incomingAudioListener(this::onIncomingAudio).build();
  }

  /**
   * Builds the client from the builder (its incoming-audio listener is replaced by the bot's).
   *
   * @param builder the client's settings
   * @param tts speaks
   * @param stt recognizes
   * @param responder replies
   * @param greeting said once the call is connected; blank for none
   * @param vadSettings how utterances are cut
   * @param onTurn told about every exchange, on a session's worker thread
   * @return the bot; {@link #close()} it
   * @throws TgCallsException if the client cannot be built (see {@link TgCalls.Builder#build})
   */
  public static VoiceBot create(TgCalls.Builder builder, EspeakTts tts, SpeechToText stt,
      Responder responder, String greeting, VoiceActivityDetector.Settings vadSettings,
      Consumer<Conversation.Turn> onTurn) throws TgCallsException {
    return new VoiceBot(builder, tts, stt, responder, greeting, vadSettings, onTurn);
  }

  /** @return the client the bot's calls live in */
  public TgCalls calls() {
    return calls;
  }

  /**
   * Creates the callee side of a private call, before the final {@code phoneCall} (so signaling
   * that arrives early is kept), with the bot's speech as its source.
   *
   * @param userId the caller's user id
   * @param signalingOut gets our signaling blobs for {@code phone.sendSignalingData}
   * @return the session
   * @throws TgCallsException if the call cannot be created
   */
  public Session prepare(long userId, SignalingDataListener signalingOut) throws TgCallsException {
    PcmPushSource speech = PcmPushSource.create(1, SPEECH_QUEUE_MILLIS, PcmPushSource.WhenEmpty.SILENCE);
    PrivateCall call = calls.createPrivateCall(userId, signalingOut);
    Session s;
    try {
      call.setSource(MediaSource.pcm(speech));
      s = new Session(call, speech);
    } catch (TgCallsException | RuntimeException e) {
      call.stop();
      speech.close();
      throw e;
    }
    sessions.put(call, s);
    s.worker.start();
    return s;
  }

  /**
   * The client's incoming-audio listener: downmixes and queues, never blocks.
   *
   * @param call the call the audio came from
   * @param frame 20 ms of the other party's decoded audio
   */
  void onIncomingAudio(Call call, AudioFrame frame) {
    Session s = call instanceof PrivateCall pc ? sessions.get(pc) : null;
    if (s == null) {
      return;
    }
    short[] mono = Pcm.toMono(frame.samples(), frame.channels());
    if (!s.inbox.offer(mono)) {
      s.droppedFrames.incrementAndGet();
    }
  }

  /** Stops every session and closes the client. */
  @Override
  public void close() {
    for (Session s : new ArrayList<>(sessions.values())) {
      s.close();
    }
    calls.close();
  }

  /** One call the bot is in. Thread-safe. */
  public final class Session implements AutoCloseable {
    private final PrivateCall call;
    private final PcmPushSource speech;
    private final BlockingQueue<short[]> inbox = new ArrayBlockingQueue<>(QUEUE_FRAMES);
    private final java.util.concurrent.atomic.AtomicBoolean greetPending =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicLong droppedFrames = new AtomicLong();
    private final Thread worker;
    private final Conversation conversation;
    private final java.util.concurrent.atomic.AtomicBoolean closed =
        new java.util.concurrent.atomic.AtomicBoolean();

    private Session(PrivateCall call, PcmPushSource speech) {
      this.call = call;
      this.speech = speech;
      this.conversation = new Conversation(tts, stt, responder,
          new VoiceActivityDetector(vadSettings), new Conversation.Speaker() {
            @Override
            public void play(short[] pcm) throws InterruptedException {
              speech.put(pcm, 0, pcm.length);
            }

            @Override
            public boolean isSpeaking() {
              return speech.queuedMillis() > 0;
            }
          }, onTurn);
      this.worker = new Thread(this::work, "voice-bot-" + call.userId());
      this.worker.setDaemon(true);
    }

    /** @return the call */
    public PrivateCall call() {
      return call;
    }

    /** @return frames of the caller's audio dropped because the worker fell behind */
    public long droppedFrames() {
      return droppedFrames.get();
    }

    /** @param data one {@code updatePhoneCallSignalingData} blob; not kept */
    public void receiveSignalingData(byte[] data) {
      call.receiveSignalingData(data);
    }

    /**
     * Connects with the final {@code phoneCall}'s parameters; the greeting follows once media
     * can flow.
     *
     * @param params the call key (we are not outgoing), versions, servers
     * @return completes when connected (see {@link PrivateCall#connectAsync})
     * @throws TgCallsException as {@link PrivateCall#connectAsync}
     */
    public CompletableFuture<Void> connect(PrivateCallParams params) throws TgCallsException {
      CompletableFuture<Void> connected = call.connectAsync(params);
      // may run on a client thread: only set a flag for the worker
      connected.thenRun(() -> greetPending.set(!greeting.isBlank()));
      return connected;
    }

    private void work() {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          if (greetPending.compareAndSet(true, false)) {
            try {
              long ms = conversation.say(greeting);
              LOG.info("greeting the caller ({} ms of speech)", ms);
            } catch (EspeakTts.TtsException e) {
              LOG.warn("cannot say the greeting: {}", e.getMessage());
            }
          }
          short[] frame = inbox.poll(50, TimeUnit.MILLISECONDS);
          if (frame != null) {
            conversation.onAudio(frame);
          }
        }
      } catch (InterruptedException e) {
        // closing
      } catch (RuntimeException e) {
        LOG.error("voice bot worker failed", e);
      }
    }

    /** Stops the call (then {@code phone.discardCall}) and the worker; idempotent. */
    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      sessions.remove(call);
      call.stop();
      worker.interrupt();
      try {
        worker.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      speech.close();
    }
  }

  /**
   * Runs the bot on one call whose signaling travels over a {@link SignalingPipe}.
   *
   * <pre>
   * --key FILE          the 256-byte call key as hex (required)
   * --signaling SPEC    tcp-connect:HOST:PORT | tcp-listen:HOST:PORT | stdio (default stdio)
   * --user-id N         the caller's user id (default 1)
   * --versions LIST     library versions of the final phoneCall, comma-separated (default 8.0.0)
   * --greeting TEXT     (default "Hello! I am a tgcalls4j voice bot. Say something.")
   * --voice NAME        espeak-ng voice (default en-us)
   * --espeak PATH       espeak-ng program (default espeak-ng)
   * --seconds N         hang up after N seconds (default 0: when the call or the pipe ends)
   * --loopback          ICE on 127.0.0.1 only
   * </pre>
   *
   * @param args as above
   * @throws Exception if the arguments are wrong, espeak-ng is missing, or the call fails
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opt = parseArgs(args);
    if (!opt.containsKey("key")) {
      System.err.println("usage: VoiceBot --key KEY.hex [--signaling tcp-connect:HOST:PORT|"
          + "tcp-listen:HOST:PORT|stdio] [--user-id N] [--versions 8.0.0] [--greeting TEXT]"
          + " [--voice en-us] [--espeak espeak-ng] [--seconds N] [--loopback]");
      System.exit(2);
    }
    byte[] key = readHexKey(Path.of(opt.get("key")));
    long userId = Long.parseLong(opt.getOrDefault("user-id", "1"));
    List<String> versions = Arrays.asList(opt.getOrDefault("versions", "8.0.0").split(","));
    String greeting = opt.getOrDefault("greeting", "Hello! I am a tgcalls4j voice bot. Say something.");
    long seconds = Long.parseLong(opt.getOrDefault("seconds", "0"));
    EspeakTts tts = new EspeakTts(opt.getOrDefault("espeak", "espeak-ng"),
        opt.getOrDefault("voice", "en-us"), 160, 20_000);
    tts.synthesize("ok"); // fail before the call if espeak-ng is missing

    TgCalls.Builder builder = TgCalls.builder().requireFfmpeg(false)
        .privateCallTimeout(Duration.ofSeconds(30));
    if (opt.containsKey("loopback")) {
      builder.networkOptions(NetworkOptions.loopbackOnly());
    }
    try (VoiceBot bot = create(builder, tts, new LoudnessSpeechToText(), Responder.echo(), greeting,
            VoiceActivityDetector.Settings.defaults(),
            t -> LOG.info("caller spoke {} ms: \"{}\" -> \"{}\"", t.durationMillis(), t.transcript(),
                t.reply()));
        SignalingPipe pipe = SignalingPipe.open(opt.getOrDefault("signaling", "stdio"),
            Duration.ofSeconds(30))) {
      Session session = bot.prepare(userId, (c, blob) -> {
        try {
          pipe.send(blob);
        } catch (IOException e) {
          LOG.warn("cannot send signaling: {}", e.toString());
        }
      });
      CompletableFuture<Void> pipeEnded = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try {
          for (byte[] blob; (blob = pipe.receive()) != null; ) {
            session.receiveSignalingData(blob);
          }
        } catch (IOException e) {
          LOG.warn("signaling pipe failed: {}", e.getMessage());
        }
        pipeEnded.complete(null);
      }, "voice-bot-signaling");
      reader.setDaemon(true);
      reader.start();
      session.connect(PrivateCallParams.of(key, false, versions)).get(60, TimeUnit.SECONDS);
      LOG.info("connected with library version {}", session.call().libraryVersion());
      long end = seconds > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
      while (System.nanoTime() < end && !pipeEnded.isDone()) {
        ConnectionState st = session.call().state();
        if (st.isTerminal()) {
          LOG.info("call ended: {}", st);
          break;
        }
        Thread.sleep(200);
      }
      session.close();
    }
  }

  private static Map<String, String> parseArgs(String[] args) {
    Map<String, String> m = new ConcurrentHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument \"" + a + "\"");
      }
      String name = a.substring(2);
      if (name.equals("loopback")) {
        m.put(name, "true");
      } else if (i + 1 < args.length) {
        m.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
    }
    return m;
  }

  /**
   * @param file a file holding 512 hex digits (whitespace ignored)
   * @return the 256-byte key
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it is not 256 bytes of hex (the key is never shown)
   */
  static byte[] readHexKey(Path file) throws IOException {
    String hex = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).replaceAll("\\s", "");
    byte[] key;
    try {
      key = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key file " + file + " is not hex");
    }
    if (key.length != 256) {
      throw new IllegalArgumentException("key file " + file + " holds " + key.length
          + " bytes, need 256 (512 hex digits)");
    }
    return key;
  }
}
