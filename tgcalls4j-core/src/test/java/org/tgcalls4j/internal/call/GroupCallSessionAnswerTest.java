package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.CallKind;
import org.tgcalls4j.ConnectionState;
import org.tgcalls4j.DtlsSetup;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.NetworkOptions;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.dtls.DtlsCertificate;
import org.tgcalls4j.internal.transport.EventLoops;

/**
 * A malformed answer is refused by {@link GroupCallSession#connectAsync} with an
 * {@link InvalidParamsException} naming the field, before anything changes, so the same call takes
 * a corrected answer afterwards. No SFU: the corrected answer points at a silent local socket and
 * the session is closed once connecting has started.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupCallSessionAnswerTest {
  private static final EventLoops LOOPS = EventLoops.start(1, Thread::new);

  @org.junit.jupiter.api.AfterAll
  static void stopLoops() {
    LOOPS.close();
  }

  private final ExecutorService control = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "test-control");
    t.setDaemon(true);
    return t;
  });
  private final List<ConnectionState> states = new CopyOnWriteArrayList<>();
  private DatagramSocket silent;
  private GroupCallSession session;

  @AfterEach
  void tearDown() {
    if (session != null) {
      session.close();
    }
    if (silent != null) {
      silent.close();
    }
    control.shutdownNow();
  }

  private GroupCallSession newSession() {
    SessionConfig config = new SessionConfig(Path.of("/usr/bin/ffmpeg"), NetworkOptions.loopbackOnly(),
        5_000, r -> {
          Thread t = new Thread(r);
          t.setDaemon(true);
          return t;
        }, LOOPS, DtlsSetup.PASSIVE, 64, new SecureRandom(), System::currentTimeMillis,
        DtlsCertificate.generate(), control, 0, 30_000, null, false, null);
    return new GroupCallSession(1, CallKind.GROUP_CALL, config, new SessionEvents() {
      @Override
      public void onState(ConnectionState state, TgCallsException cause) {
        states.add(state);
      }

      @Override
      public void onStreamEnd(TgCallsException error) {}
    });
  }

  private String answer(String ufrag, String pwd) throws Exception {
    if (silent == null) {
      silent = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    }
    return """
        {"transport":{"ufrag":"%s","pwd":"%s","rtcp-mux":true,
          "fingerprints":[{"hash":"sha-256","setup":"active","fingerprint":"%s"}],
          "candidates":[{"generation":"0","component":"1","protocol":"udp","port":"%d","ip":"127.0.0.1",
            "foundation":"1","id":"c1","priority":"2130706431","type":"host","network":"0"}]},
         "audio":{"payload-types":[{"id":111,"name":"opus","clockrate":48000,"channels":2}],
          "rtp-hdrexts":[{"id":1,"uri":"urn:ietf:params:rtp-hdrext:ssrc-audio-level"}]}}"""
        .formatted(ufrag, pwd, String.join(":", java.util.Collections.nCopies(32, "AB")),
            silent.getLocalPort());
  }

  @Test
  void emptyPwdIsRefusedNamingTheFieldAndTheCallTakesACorrectedAnswer() throws Exception {
    session = newSession();

    assertThatThrownBy(() -> session.connectAsync(answer("bvr6j1fkri6020", "")))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("transport.pwd"));
    assertThatThrownBy(() -> session.connectAsync(answer("bvr6:j1fk", "1k7vls8kb2tr4eu093jkalphcq")))
        .isInstanceOfSatisfying(InvalidParamsException.class,
            e -> assertThat(e.field()).isEqualTo("transport.ufrag"));
    assertThat(states).isEmpty();

    CompletableFuture<Void> connecting = session.connectAsync(answer("bvr6j1fkri6020",
        "1k7vls8kb2tr4eu093jkalphcq"));

    assertThat(connecting).isNotDone();
    assertThat(states).containsExactly(ConnectionState.CONNECTING);
  }
}
