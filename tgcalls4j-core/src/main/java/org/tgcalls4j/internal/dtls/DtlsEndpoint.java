package org.tgcalls4j.internal.dtls;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DTLS 1.2 association that authenticates the peer by its signaled certificate fingerprint and
 * derives SRTP keys (DTLS-SRTP, RFC 5763/5764), driven by datagrams the owner of the socket pushes
 * in; it owns no socket and starts no thread.
 *
 * <p>Typical use: the UDP demultiplexer calls {@link #receive} for every datagram whose first byte is
 * 20..63 (RFC 7983), a call thread calls {@link #handshake} once and installs the returned keys, and
 * {@link #close} ends it. The negotiated parameters are: DTLS 1.2 only, ECDHE with AES-GCM, signature
 * algorithms ecdsa_secp256r1_sha256 and rsa_pkcs1_sha256, extended master secret, mutual
 * certificates, use_srtp with AEAD_AES_128_GCM, AEAD_AES_256_GCM and AES128_CM_HMAC_SHA1_80 (the
 * server picks the first of that list the client offers). Records are at most 1200 bytes.
 *
 * <p>After the handshake, records from the peer are still processed on the {@link #receive} thread,
 * so that a close_notify or fatal alert closes the endpoint and a retransmitted final flight is
 * answered; application data is not used by DTLS-SRTP and is discarded.
 */
public final class DtlsEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DtlsEndpoint.class);

  /** How long one post-handshake read waits for a further datagram before it returns. */
  private static final int POST_HANDSHAKE_WAIT_MILLIS = 1;

  private final DtlsRole role;
  private final DtlsCertificate localCertificate;
  private final RemoteFingerprint remoteFingerprint;
  private final QueuedDatagramTransport transport;
  private final AtomicBoolean handshakeStarted = new AtomicBoolean();
  private volatile boolean closeRequested;

  /** Guards {@link #dtls} and serializes Bouncy Castle's record layer after the handshake. */
  private final ReentrantLock lock = new ReentrantLock();

  private DTLSTransport dtls;
  private final byte[] discardBuffer = new byte[QueuedDatagramTransport.RECEIVE_LIMIT_BYTES];

  /**
   * @param role whether this side sends the ClientHello or answers it
   * @param localCertificate the certificate whose fingerprint this side signaled
   * @param remoteFingerprintHash the peer's fingerprint hash function from signaling: {@code
   *     sha-256}, or {@code sha-1}, {@code sha-384}, {@code sha-512} (case-insensitive, RFC 8122 §5)
   * @param remoteFingerprint the peer's certificate fingerprint from signaling, hex bytes joined by
   *     colons (case-insensitive)
   * @param datagramSender receives every outgoing DTLS datagram (at most 1200 bytes) as a new array it
   *     then owns; called on the thread running {@link #handshake}, {@link #receive} or {@link
   *     #close}; must not block for long; a thrown exception fails the handshake
   * @throws IllegalArgumentException if the hash function is not one of the four above
   * @throws NullPointerException if an argument is null
   */
  public DtlsEndpoint(
      DtlsRole role,
      DtlsCertificate localCertificate,
      String remoteFingerprintHash,
      String remoteFingerprint,
      Consumer<byte[]> datagramSender) {
    this.role = Objects.requireNonNull(role, "role");
    this.localCertificate = Objects.requireNonNull(localCertificate, "localCertificate");
    this.remoteFingerprint = new RemoteFingerprint(remoteFingerprintHash, remoteFingerprint);
    this.transport = new QueuedDatagramTransport(Objects.requireNonNull(datagramSender, "datagramSender"));
  }

  /**
   * Hands one incoming DTLS datagram to the endpoint. Before and during the handshake the datagram is
   * queued for {@link #handshake} (at most 64 are held; more, ones over 1472 bytes, or any after close are
   * dropped). After the handshake it is processed on the calling thread, which then returns within
   * about a millisecond. Never blocks on other threads; safe to call from any thread.
   *
   * @param data buffer holding the datagram; copied, so the caller keeps ownership
   * @param offset start of the datagram in {@code data}
   * @param length datagram length in bytes
   * @throws IndexOutOfBoundsException if offset and length do not lie within {@code data}
   */
  public void receive(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, data.length);
    transport.push(Arrays.copyOfRange(data, offset, offset + length));
    readAfterHandshake();
  }

  /**
   * Runs the whole handshake on the calling thread and returns the SRTP keys for this side's role.
   * Can be called once per endpoint. The peer's certificate is checked against the signaled
   * fingerprint inside the handshake, before any key is derived.
   *
   * @param timeoutMillis longest time the handshake may take, in milliseconds, 1..Integer.MAX_VALUE
   * @return the negotiated profile and keys; local keys protect what this side sends (RFC 5764 §4.2)
   * @throws DtlsException with {@link DtlsException.Reason#FINGERPRINT_MISMATCH} if the peer's
   *     certificate is missing or does not match, {@link DtlsException.Reason#TIMEOUT} if the time ran
   *     out, {@link DtlsException.Reason#CLOSED} if {@link #close} was called before completion,
   *     {@link DtlsException.Reason#HANDSHAKE_FAILED} for any other failure (the peer's fatal alert,
   *     no common cipher suite or SRTP profile, an interrupt); the endpoint is closed afterwards
   * @throws IllegalArgumentException if {@code timeoutMillis} is out of range
   * @throws IllegalStateException if the handshake was already started
   */
  public DtlsSrtpKeys handshake(long timeoutMillis) throws DtlsException {
    if (timeoutMillis <= 0 || timeoutMillis > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("timeoutMillis must be 1.." + Integer.MAX_VALUE + ": " + timeoutMillis);
    }
    if (!handshakeStarted.compareAndSet(false, true)) {
      throw new IllegalStateException("handshake() was already called on this endpoint");
    }
    if (closeRequested) {
      throw new DtlsException(DtlsException.Reason.CLOSED, "the endpoint was closed before the handshake", null);
    }
    long startNanos = System.nanoTime();
    DtlsSession session;
    DTLSTransport connected;
    try {
      session =
          new DtlsSession(
              new JcaTlsCryptoProvider().create(new SecureRandom()),
              role,
              localCertificate,
              remoteFingerprint,
              (int) timeoutMillis);
    } catch (IOException e) {
      transport.close();
      throw new DtlsException(DtlsException.Reason.HANDSHAKE_FAILED, "cannot load the local certificate", e);
    }
    try {
      connected =
          role == DtlsRole.CLIENT
              ? new DTLSClientProtocol().connect(new EndpointTlsClient(session), transport)
              : new DTLSServerProtocol().accept(new EndpointTlsServer(session), transport);
    } catch (IOException e) {
      transport.close();
      throw failure(session, e, System.nanoTime() - startNanos, timeoutMillis);
    }
    lock.lock();
    try {
      if (closeRequested) {
        closeQuietly(connected);
        throw new DtlsException(DtlsException.Reason.CLOSED, "the endpoint was closed during the handshake", null);
      }
      dtls = connected;
    } finally {
      lock.unlock();
    }
    DtlsSrtpKeys keys = session.keys();
    LOG.debug(
        "DTLS {} handshake done in {} ms, SRTP profile {}",
        role,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
        keys.profile());
    readAfterHandshake();
    return keys;
  }

  /**
   * @return true after {@link #close}, after a failed handshake, or once the peer's close_notify or
   *     fatal alert arrived after the handshake
   */
  public boolean isClosed() {
    return transport.isClosed();
  }

  /**
   * Ends the association: sends close_notify if the handshake completed, unblocks a running {@link
   * #handshake} (which then throws {@link DtlsException.Reason#CLOSED}) and drops later datagrams.
   * Idempotent; safe to call from any thread.
   */
  @Override
  public void close() {
    closeRequested = true;
    lock.lock();
    try {
      if (dtls != null && !transport.isClosed()) {
        closeQuietly(dtls);
      }
      transport.close();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Lets Bouncy Castle process the queued datagrams after the handshake: alerts close the endpoint, a
   * retransmitted final flight from the peer gets our last flight again. Skips when another thread is
   * already reading (it drains the queue) or when re-entered from our own datagram sender.
   */
  private void readAfterHandshake() {
    while (transport.hasQueued() && !lock.isHeldByCurrentThread() && lock.tryLock()) {
      try {
        if (dtls == null || transport.isClosed()) {
          return;
        }
        while (dtls.receive(discardBuffer, 0, discardBuffer.length, POST_HANDSHAKE_WAIT_MILLIS) >= 0) {
          LOG.trace("discarded DTLS application data");
        }
      } catch (IOException e) {
        LOG.debug("DTLS {} association ended by the peer: {}", role, e.toString());
        transport.close();
      } finally {
        lock.unlock();
      }
    }
  }

  private DtlsException failure(DtlsSession session, IOException e, long elapsedNanos, long timeoutMillis) {
    if (closeRequested) {
      return new DtlsException(DtlsException.Reason.CLOSED, "the endpoint was closed during the handshake", e);
    }
    String fingerprintFailure = session.fingerprintFailure();
    if (fingerprintFailure != null) {
      return new DtlsException(DtlsException.Reason.FINGERPRINT_MISMATCH, fingerprintFailure, e);
    }
    if (e instanceof TlsTimeoutException || elapsedNanos >= TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
      return new DtlsException(
          DtlsException.Reason.TIMEOUT, "no DTLS handshake within " + timeoutMillis + " ms", e);
    }
    if (e instanceof TlsFatalAlertReceived alert) {
      return new DtlsException(
          DtlsException.Reason.HANDSHAKE_FAILED,
          "the peer sent fatal alert " + AlertDescription.getText(alert.getAlertDescription()),
          e);
    }
    return new DtlsException(DtlsException.Reason.HANDSHAKE_FAILED, String.valueOf(e.getMessage()), e);
  }

  private void closeQuietly(DTLSTransport association) {
    try {
      association.close();
    } catch (IOException e) {
      LOG.debug("DTLS close_notify not sent: {}", e.toString());
    }
  }
}
