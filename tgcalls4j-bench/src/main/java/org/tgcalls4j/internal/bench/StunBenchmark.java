package org.tgcalls4j.internal.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.tgcalls4j.internal.stun.StunMessage;
import org.tgcalls4j.internal.stun.StunMessageBuilder;
import org.tgcalls4j.internal.stun.StunParseException;

/**
 * One ICE connectivity check (RFC 8445 §7.1.2) per operation: receiving a Binding Request
 * ({@link StunMessage#parse} with its FINGERPRINT check, then MESSAGE-INTEGRITY verified with the
 * pwd) and building one with {@link StunMessageBuilder}. The request carries USERNAME, PRIORITY,
 * ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY and FINGERPRINT, like the SFU's checks.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StunBenchmark {
  static final String USERNAME = "f3Ab:9xQz";
  static final byte[] PWD = "a3Bc9dEf0gHi1jKl2mNo3pQr".getBytes(StandardCharsets.UTF_8);
  static final long PRIORITY = 1_853_817_087L;
  static final long TIE_BREAKER = 0x0123_4567_89AB_CDEFL;

  private final byte[] transactionId = new byte[12];
  private byte[] request;

  /** Builds the request that {@link #parseAndVerifyBindingRequest} receives, and checks it. */
  @Setup
  public void setUp() throws StunParseException {
    request = buildBindingRequest();
    if (!verify(request)) {
      throw new IllegalStateException("the benchmark Binding Request does not verify");
    }
  }

  /** @return whether MESSAGE-INTEGRITY matched (always true), consumed by JMH */
  @Benchmark
  public boolean parseAndVerifyBindingRequest() throws StunParseException {
    return verify(request);
  }

  /** @return the encoded request, consumed by JMH */
  @Benchmark
  public byte[] buildBindingRequest() {
    transactionId[0]++; // a new transaction per check, as on the wire
    return new StunMessageBuilder(StunMessage.BINDING_REQUEST, transactionId)
        .addUsername(USERNAME)
        .addPriority(PRIORITY)
        .addIceControlling(TIE_BREAKER)
        .addUseCandidate()
        .build(PWD, true);
  }

  private static boolean verify(byte[] datagram) throws StunParseException {
    StunMessage message = StunMessage.parse(datagram, 0, datagram.length);
    return message.type() == StunMessage.BINDING_REQUEST && message.verifyMessageIntegrity(PWD);
  }
}
