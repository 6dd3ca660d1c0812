package org.tgcalls4j.internal.call;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.TgCallsException;

/** The position a call reports across a seek and a source change. */
class SourceSlotPositionTest {
  private static final class Frames implements OpusFrameSource {
    @Override
    public byte[] nextFrame() {
      return null;
    }

    @Override
    public TgCallsException endError() {
      return null;
    }

    @Override
    public void close() {}
  }

  @Test
  void aFrameOfTheReplacedSourceLeavingLateDoesNotOverwriteTheSeekTargetOrTheNewStart() {
    SourceSlot slot = new SourceSlot();
    MediaSource media = MediaSource.file(java.nio.file.Path.of("/a.mkv"));
    Frames first = new Frames();
    slot.replace(first, media);
    slot.setPositionMillis(first, 1_400);
    assertThat(slot.positionMillis()).isEqualTo(1_400);

    Frames sought = new Frames();
    assertThat(slot.seek(media, sought, 3_500)).isTrue();
    slot.setPositionMillis(first, 1_420); // the sender was releasing the old source's frame
    assertThat(slot.positionMillis()).as("the target, until the new source's first frame")
        .isEqualTo(3_500);
    slot.setPositionMillis(sought, 3_520);
    assertThat(slot.positionMillis()).isEqualTo(3_520);

    Frames next = new Frames();
    slot.replace(next, null);
    slot.setPositionMillis(sought, 3_540);
    assertThat(slot.positionMillis()).isZero();
  }
}
