package org.tgcalls4j.internal.dtls;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DTLS 1.2 association (RFC 6347) that authenticates the peer by its signaled certificate
 * fingerprint (RFC 8122 §5) and derives SRTP keys (DTLS-SRTP, RFC 5763/5764), driven by datagrams
 * the owner of the socket pushes in; it owns no socket and starts no thread.
 *
 * <p>Typical use: the UDP demultiplexer calls {@link #receive} for every datagram whose first byte
 * is 20..63 (RFC 7983); the call calls {@link #startHandshake} once with the client's shared
 * handshake pool ({@link DtlsHandshakePool}) and installs the keys {@link
 * Listener#onHandshakeComplete} gets; {@link #close} ends it. Bouncy Castle's handshake is blocking,
 * so it holds one pool thread while it runs (waiting for the peer's flights); after it, no thread is
 * held: every record is processed on the thread calling {@link #receive}, which never waits.
 * {@link #handshake(long)} remains as a blocking convenience that runs the handshake on the calling
 * thread.
 *
 * <p>The negotiated parameters are: DTLS 1.2 only, ECDHE with AES-GCM, signature algorithms
 * ecdsa_secp256r1_sha256 and rsa_pkcs1_sha256, extended master secret, mutual certificates, use_srtp
 * with AEAD_AES_128_GCM, AEAD_AES_256_GCM and AES128_CM_HMAC_SHA1_80 (the server picks the first of
 * that list the client offers). Records are at most 1200 bytes. The peer's certificate is checked
 * against the fingerprint inside the handshake, before any key is derived.
 *
 * <p>Thread safety: all methods are safe to call from any thread. {@link #receive} and {@link
 * #sendApplicationData} never wait for the handshake; {@link #close} may wait briefly for a {@link
 * #receive} that is processing records or a listener callback running under the endpoint's lock.
 */
public final class DtlsEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DtlsEndpoint.class);

  /**
   * What the endpoint tells its owner. Callbacks must not block for long: {@link #sendDatagram} and
   * {@link #onApplicationData} run on I/O threads, {@link #onHandshakeComplete} on a handshake-pool
   * thread. An exception thrown by a callback is logged and otherwise ignored; one thrown by {@link
   * #sendDatagram} loses that datagram, as the network might (DTLS retransmits handshake flights).
   */
  public interface Listener {
    /**
     * An outgoing DTLS datagram (at most 1200 bytes) to send to the peer. Called on any thread: the
     * handshake-pool thread, a thread calling {@link DtlsEndpoint#receive} (retransmissions, alerts),
     * {@link DtlsEndpoint#sendApplicationData} or {@link DtlsEndpoint#close}; possibly on two of them
     * at once, so it must be thread-safe.
     *
     * @param datagram a new array the callee owns
     */
    void sendDatagram(byte[] datagram);

    /**
     * The handshake succeeded; called exactly once, on the thread running the handshake (a
     * handshake-pool thread), before any {@link #onApplicationData} or {@link #onClosed}.
     *
     * @param keys the negotiated profile and keys; local keys protect what this side sends (RFC 5764
     *     §4.2)
     */
    void onHandshakeComplete(DtlsSrtpKeys keys);

    /**
     * The handshake failed; called exactly once (and then no other callback), on the handshake-pool
     * thread, or on the thread calling {@link DtlsEndpoint#startHandshake} if the endpoint was
     * already closed or the pool refused the task. The endpoint is closed. No key was derived: the
     * fingerprint is checked inside the handshake, before the keys are exported.
     *
     * @param cause its reason is {@link DtlsException.Reason#FINGERPRINT_MISMATCH}, {@link
     *     DtlsException.Reason#TIMEOUT}, {@link DtlsException.Reason#CLOSED} or {@link
     *     DtlsException.Reason#HANDSHAKE_FAILED}
     */
    void onHandshakeFailed(DtlsException cause);

    /**
     * Application data from the peer after the handshake (for the SCTP data channel, RFC 8261), in
     * order of processing, never two calls at once; on the thread calling {@link
     * DtlsEndpoint#receive}, except when another thread is processing this endpoint's records at
     * that moment: then that thread takes the record too. In practice that other thread is the
     * handshake-pool thread, which processes what arrived until just after {@link
     * #onHandshakeComplete} returned.
     *
     * @param data buffer owned by the endpoint, valid only during the call
     * @param offset start of the data in {@code data}
     * @param length number of bytes
     */
    void onApplicationData(byte[] data, int offset, int length);

    /**
     * The association ended after a successful handshake; called exactly once, and only if {@link
     * #onHandshakeComplete} was called: on the thread calling {@link DtlsEndpoint#receive} that
     * processed the peer's close_notify or fatal alert, or on the thread calling {@link
     * DtlsEndpoint#close} or {@link DtlsEndpoint#sendApplicationData}.
     *
     * @param causeOrNull null for the peer's close_notify or our own {@link DtlsEndpoint#close}; else a {@link
     *     DtlsException.Reason#CONNECTION_FAILED} (the peer's fatal alert, a record-layer failure)
     */
    void onClosed(DtlsException causeOrNull);
  }

  private final DtlsRole role;
  private final DtlsCertificate localCertificate;
  private final RemoteFingerprint remoteFingerprint;
  private final Listener listener;
  private final QueuedDatagramTransport transport;
  private final AtomicBoolean handshakeStarted = new AtomicBoolean();
  private final AtomicBoolean handshakeReported = new AtomicBoolean();
  private final AtomicBoolean closeReported = new AtomicBoolean();
  private final CompletableFuture<DtlsSrtpKeys> handshakeResult = new CompletableFuture<>();
  private volatile boolean closeRequested;

  /** Guards {@link #dtls} and serializes Bouncy Castle's record processing after the handshake. */
  private final ReentrantLock lock = new ReentrantLock();

  private volatile DTLSTransport dtls;
  private final byte[] applicationBuffer = new byte[QueuedDatagramTransport.RECEIVE_LIMIT_BYTES];

  /**
   * @param role whether this side sends the ClientHello or answers it
   * @param localCertificate the certificate whose fingerprint this side signaled; one certificate
   *     may be shared by any number of endpoints
   * @param remoteFingerprintHash the peer's fingerprint hash function from signaling: {@code
   *     sha-256}, or {@code sha-1}, {@code sha-384}, {@code sha-512} (case-insensitive, RFC 8122 §5)
   * @param remoteFingerprint the peer's certificate fingerprint from signaling, hex bytes joined by
   *     colons (case-insensitive)
   * @param listener receives outgoing records, the handshake outcome, application data and the end
   * @throws IllegalArgumentException if the hash function is not one of the four above
   * @throws NullPointerException if an argument is null
   */
  public DtlsEndpoint(
      DtlsRole role,
      DtlsCertificate localCertificate,
      String remoteFingerprintHash,
      String remoteFingerprint,
      Listener listener) {
    this.role = Objects.requireNonNull(role, "role");
    this.localCertificate = Objects.requireNonNull(localCertificate, "localCertificate");
    this.remoteFingerprint = new RemoteFingerprint(remoteFingerprintHash, remoteFingerprint);
    this.listener = Objects.requireNonNull(listener, "listener");
    this.transport = new QueuedDatagramTransport(listener::sendDatagram);
  }

  /**
   * Starts the handshake on {@code handshakePool} and returns at once; the outcome goes to {@link
   * Listener#onHandshakeComplete} or {@link Listener#onHandshakeFailed}. The pool thread is held
   * until the handshake ends (typically two round trips plus a few milliseconds of CPU). Datagrams
   * that arrived before this call (e.g. the peer's ClientHello) are used.
   *
   * @param handshakePool runs the blocking handshake; shared by all calls of a client (see {@link
   *     DtlsHandshakePool}); must not also run the handshake of this endpoint's peer if that is in the
   *     same process and the pool is small
   * @param timeoutMillis longest time from this call to the end of the handshake, in milliseconds,
   *     1..Integer.MAX_VALUE; time spent queued for a pool thread counts
   * @throws IllegalArgumentException if {@code timeoutMillis} is out of range
   * @throws IllegalStateException if the handshake was already started
   * @throws NullPointerException if {@code handshakePool} is null
   */
  public void startHandshake(Executor handshakePool, long timeoutMillis) {
    Objects.requireNonNull(handshakePool, "handshakePool");
    if (timeoutMillis <= 0 || timeoutMillis > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("timeoutMillis must be 1.." + Integer.MAX_VALUE + ": " + timeoutMillis);
    }
    if (!handshakeStarted.compareAndSet(false, true)) {
      throw new IllegalStateException("the handshake was already started on this endpoint");
    }
    long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    if (closeRequested) {
      handshakeFailed(new DtlsException(DtlsException.Reason.CLOSED, "the endpoint was closed before the handshake", null));
      return;
    }
    try {
      handshakePool.execute(() -> runHandshake(deadlineNanos, timeoutMillis));
    } catch (RejectedExecutionException e) {
      transport.close();
      handshakeFailed(
          new DtlsException(DtlsException.Reason.HANDSHAKE_FAILED, "the handshake pool refused the handshake", e));
    }
  }

  /**
   * Hands one incoming DTLS datagram to the endpoint; never blocks and never waits. Before and during
   * the handshake the datagram is queued for it (at most 64 are held; more, ones over 1472 bytes, or
   * any after close are dropped). After the handshake the queued records are processed at once on
   * the calling thread: application data goes to {@link Listener#onApplicationData}, a close_notify
   * or fatal alert closes the endpoint ({@link Listener#onClosed}), a retransmitted final flight of
   * the peer is answered. Records that fail authentication or are replayed are dropped silently
   * (RFC 6347 §4.1.2.7). If another thread is processing this endpoint's records at the moment, the
   * datagram is left for that thread and this call returns at once.
   *
   * @param data buffer holding the datagram; copied, so the caller keeps ownership
   * @param offset start of the datagram in {@code data}
   * @param length datagram length in bytes
   * @throws IndexOutOfBoundsException if offset and length do not lie within {@code data}
   */
  public void receive(byte[] data, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, data.length);
    transport.push(Arrays.copyOfRange(data, offset, offset + length));
    processQueued();
  }

  /**
   * Sends application data (one record) to the peer after the handshake, on the calling thread.
   *
   * @param data the bytes; not retained
   * @param offset start in {@code data}
   * @param length number of bytes, at most the record's plaintext limit (1163 with AES-GCM in our
   *     1200-byte records)
   * @throws DtlsException {@link DtlsException.Reason#CLOSED} if the endpoint is closed, {@link
   *     DtlsException.Reason#CONNECTION_FAILED} if Bouncy Castle could not send it (the association
   *     is then over: the endpoint closes and {@link Listener#onClosed} gets the same exception)
   * @throws IllegalStateException if the handshake has not completed
   * @throws IllegalArgumentException if {@code length} exceeds the plaintext limit
   * @throws IndexOutOfBoundsException if offset and length do not lie within {@code data}
   */
  public void sendApplicationData(byte[] data, int offset, int length) throws DtlsException {
    Objects.checkFromIndexSize(offset, length, data.length);
    DTLSTransport association = dtls;
    if (transport.isClosed()) {
      throw new DtlsException(DtlsException.Reason.CLOSED, "the DTLS association is closed", null);
    }
    if (association == null) {
      throw new IllegalStateException("the DTLS handshake has not completed");
    }
    try {
      int limit = association.getSendLimit();
      if (length > limit) {
        throw new IllegalArgumentException("at most " + limit + " bytes fit one DTLS record: " + length);
      }
      association.send(data, offset, length);
    } catch (IOException e) {
      DtlsException failure =
          new DtlsException(DtlsException.Reason.CONNECTION_FAILED, "cannot send: " + e.getMessage(), e);
      if (!closeRequested) {
        // Bouncy Castle fails the association on a send error (and sends a fatal alert): it is over.
        transport.close();
        reportClosed(failure);
      }
      throw failure;
    }
  }

  /**
   * @return true after {@link #close}, after a failed handshake, or once the peer's close_notify or
   *     fatal alert arrived after the handshake
   */
  public boolean isClosed() {
    return transport.isClosed();
  }

  /**
   * Ends the association: sends close_notify if the handshake completed (then {@link
   * Listener#onClosed} with null, on this thread), unblocks a running handshake (whose listener then
   * gets {@link DtlsException.Reason#CLOSED} on the pool thread) and drops later datagrams.
   * Idempotent; safe to call from any thread, including from a listener callback.
   */
  @Override
  public void close() {
    closeRequested = true;
    boolean established;
    lock.lock();
    try {
      established = dtls != null && !transport.isClosed();
      if (established) {
        closeQuietly(dtls);
      }
      transport.close();
    } finally {
      lock.unlock();
    }
    if (established) {
      reportClosed(null);
    }
  }

  private void runHandshake(long deadlineNanos, long timeoutMillis) {
    long startNanos = System.nanoTime();
    LOG.debug("DTLS {} handshake starts on {}", role, Thread.currentThread().getName());
    long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - startNanos);
    if (closeRequested) {
      handshakeFailed(new DtlsException(DtlsException.Reason.CLOSED, "the endpoint was closed before the handshake", null));
      return;
    }
    if (remainingMillis <= 0) {
      transport.close();
      handshakeFailed(
          new DtlsException(
              DtlsException.Reason.TIMEOUT,
              "no DTLS handshake within " + timeoutMillis + " ms (all of it spent waiting for a pool thread)",
              null));
      return;
    }
    DtlsSession session;
    try {
      session =
          new DtlsSession(
              new HandshakeCrypto(new SecureRandom()),
              role,
              localCertificate,
              remoteFingerprint,
              (int) remainingMillis);
    } catch (IOException | RuntimeException e) {
      transport.close();
      handshakeFailed(new DtlsException(DtlsException.Reason.HANDSHAKE_FAILED, "cannot load the local certificate", e));
      return;
    }
    DTLSTransport connected;
    try {
      connected =
          role == DtlsRole.CLIENT
              ? new DTLSClientProtocol().connect(new EndpointTlsClient(session), transport)
              : new DTLSServerProtocol().accept(new EndpointTlsServer(session), transport);
    } catch (IOException | RuntimeException e) {
      transport.close();
      handshakeFailed(failure(session, e, deadlineNanos, timeoutMillis));
      return;
    }
    DtlsSrtpKeys keys = session.keys();
    lock.lock();
    try {
      if (closeRequested) {
        closeQuietly(connected);
        handshakeFailed(new DtlsException(DtlsException.Reason.CLOSED, "the endpoint was closed during the handshake", null));
        return;
      }
      transport.stopWaiting();
      dtls = connected;
      LOG.debug(
          "DTLS {} handshake done in {} ms, SRTP profile {}",
          role,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
          keys.profile());
      // Under the lock, so that no receive() delivers data or onClosed before this.
      if (handshakeReported.compareAndSet(false, true)) {
        handshakeResult.complete(keys);
        try {
          listener.onHandshakeComplete(keys);
        } catch (RuntimeException e) {
          LOG.warn("DTLS listener failed in onHandshakeComplete", e);
        }
      }
    } finally {
      lock.unlock();
    }
    processQueued(); // records that arrived while the handshake ended
  }

  /**
   * Lets Bouncy Castle process every queued datagram after the handshake, without waiting. Skips
   * when another thread is already processing (it will also take what this thread queued: it checks
   * the queue again after releasing the lock) or when re-entered from a listener callback.
   */
  private void processQueued() {
    while (transport.hasQueued() && !lock.isHeldByCurrentThread() && lock.tryLock()) {
      DtlsException ended = null;
      boolean endedByPeer = false;
      try {
        DTLSTransport association = dtls;
        if (association == null || transport.isClosed()) {
          return; // still handshaking (the handshake takes the queue), or closed
        }
        while (true) {
          int length;
          try {
            length = association.receive(applicationBuffer, 0, applicationBuffer.length, 1);
          } catch (QueuedDatagramTransport.WouldBlockException e) {
            break; // queue drained
          }
          if (length >= 0) {
            deliver(length);
          }
        }
      } catch (QueuedDatagramTransport.TransportClosedException e) {
        // Bouncy Castle closed the transport itself: the peer's close_notify (RFC 5246 §7.2.1).
        endedByPeer = !closeRequested;
        LOG.debug("DTLS {} association closed by the peer", role);
      } catch (TlsFatalAlertReceived e) {
        endedByPeer = true;
        ended =
            new DtlsException(
                DtlsException.Reason.CONNECTION_FAILED,
                "the peer sent fatal alert " + AlertDescription.getText(e.getAlertDescription()),
                e);
      } catch (IOException | RuntimeException e) {
        endedByPeer = !closeRequested;
        ended = new DtlsException(DtlsException.Reason.CONNECTION_FAILED, String.valueOf(e.getMessage()), e);
      } finally {
        if (endedByPeer) {
          transport.close();
        }
        lock.unlock();
      }
      if (endedByPeer) {
        LOG.debug("DTLS {} association ended: {}", role, ended == null ? "close_notify" : ended.getMessage());
        reportClosed(ended);
        return;
      }
    }
  }

  private void deliver(int length) {
    try {
      listener.onApplicationData(applicationBuffer, 0, length);
    } catch (RuntimeException e) {
      LOG.warn("DTLS listener failed in onApplicationData; {} bytes dropped", length, e);
    }
  }

  private void reportClosed(DtlsException cause) {
    if (handshakeReported.get() && handshakeResult.isDone() && !handshakeResult.isCompletedExceptionally()
        && closeReported.compareAndSet(false, true)) {
      try {
        listener.onClosed(cause);
      } catch (RuntimeException e) {
        LOG.warn("DTLS listener failed in onClosed", e);
      }
    }
  }

  private void handshakeFailed(DtlsException cause) {
    if (handshakeReported.compareAndSet(false, true)) {
      LOG.debug("DTLS {} handshake failed: {}", role, cause.getMessage());
      handshakeResult.completeExceptionally(cause);
      try {
        listener.onHandshakeFailed(cause);
      } catch (RuntimeException e) {
        LOG.warn("DTLS listener failed in onHandshakeFailed", e);
      }
    }
  }

  private DtlsException failure(DtlsSession session, Exception e, long deadlineNanos, long timeoutMillis) {
    if (closeRequested) {
      return new DtlsException(DtlsException.Reason.CLOSED, "the endpoint was closed during the handshake", e);
    }
    String fingerprintFailure = session.fingerprintFailure();
    if (fingerprintFailure != null) {
      return new DtlsException(DtlsException.Reason.FINGERPRINT_MISMATCH, fingerprintFailure, e);
    }
    if (e instanceof TlsTimeoutException || System.nanoTime() - deadlineNanos >= 0) {
      return new DtlsException(DtlsException.Reason.TIMEOUT, "no DTLS handshake within " + timeoutMillis + " ms", e);
    }
    if (e instanceof TlsFatalAlertReceived alert) {
      return new DtlsException(
          DtlsException.Reason.HANDSHAKE_FAILED,
          "the peer sent fatal alert " + AlertDescription.getText(alert.getAlertDescription()),
          e);
    }
    return new DtlsException(DtlsException.Reason.HANDSHAKE_FAILED, String.valueOf(e.getMessage()), e);
  }

  private static void closeQuietly(DTLSTransport association) {
    try {
      association.close();
    } catch (IOException e) {
      LOG.debug("DTLS close_notify not sent: {}", e.toString());
    }
  }
}
