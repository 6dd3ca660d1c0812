package org.tgcalls4j.internal.call;

import java.io.IOException;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.PcmPushSource;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.audio.PcmAccess;
import org.tgcalls4j.internal.audio.PcmQueue;

/**
 * A {@link PcmPushSource} played alone: each {@link #nextFrame()} takes one 20 ms frame from the
 * queue and encodes it; with less than a frame queued it returns encoded silence or
 * {@link OpusFrameSource#NOTHING}; after the application closed the source and the queue drained
 * it returns null (the stream ends normally). Never blocks.
 */
final class PcmFrameSource implements OpusFrameSource {
  private final PcmQueue queue;
  private final boolean silenceWhenEmpty;
  private final PcmEncoder encoder;
  private final short[] frame;
  private boolean detached;

  private PcmFrameSource(PcmQueue queue, boolean silenceWhenEmpty, int bitrateKbps) {
    this.queue = queue;
    this.silenceWhenEmpty = silenceWhenEmpty;
    this.encoder = new PcmEncoder(queue.channels(), bitrateKbps);
    this.frame = new short[PcmQueue.FRAME_SAMPLES * queue.channels()];
  }

  /**
   * @param bitrateKbps Opus bitrate, kbit/s
   * @throws InvalidParamsException (field {@code source}) if another call or mix reads it now
   */
  static PcmFrameSource open(PcmPushSource source, int bitrateKbps) throws InvalidParamsException {
    PcmQueue queue = attach(source);
    try {
      return new PcmFrameSource(queue, PcmAccess.silenceWhenEmpty(source), bitrateKbps);
    } catch (RuntimeException e) {
      queue.detach();
      throw e;
    }
  }

  /** Claims the reader slot of {@code source}'s queue; the caller detaches it when done. */
  static PcmQueue attach(PcmPushSource source) throws InvalidParamsException {
    PcmQueue queue = PcmAccess.queue(source);
    if (!queue.attach()) {
      throw new InvalidParamsException("source", "this PcmPushSource is already playing");
    }
    return queue;
  }

  /** Reads a file or memory: never waits on another process. */
  @Override
  public boolean readsWithoutWaiting() {
    return true;
  }

  @Override
  public byte[] nextFrame() throws IOException {
    switch (queue.readFrame(frame)) {
      case PcmQueue.FRAME:
        return encoder.encode(frame);
      case PcmQueue.EMPTY:
        return silenceWhenEmpty ? encoder.encodeSilence() : NOTHING;
      default:
        return null;
    }
  }

  @Override
  public TgCallsException endError() {
    return null;
  }

  /** Gives the queue back (another call may play it); the application's source stays open. */
  @Override
  public synchronized void close() {
    if (!detached) {
      detached = true;
      queue.detach();
    }
  }
}
