package org.tgcalls4j.internal.rtmpcall;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tgcalls4j.internal.ffmpeg.FlvEncoding;
import org.tgcalls4j.internal.flv.FlvTag;

@Timeout(60)
class HoldStreamTest {
  @Test
  void encodesALoopOfKeyframesAndSilenceWithItsOwnSequenceHeaders() throws Exception {
    HoldStream hold = HoldStream.generate(Path.of("ffmpeg"),
        new FlvEncoding(320, 240, 25, 400, 64, 48000), Thread::new);

    assertThat(hold.sequenceHeaders()).hasSize(2)
        .anyMatch(FlvTag::isAvcSequenceHeader).anyMatch(FlvTag::isAacSequenceHeader);
    List<FlvTag> video = hold.loopTags().stream().filter(t -> t.type() == FlvTag.VIDEO).toList();
    List<FlvTag> audio = hold.loopTags().stream().filter(t -> t.type() == FlvTag.AUDIO).toList();
    // 1.6 s at 5 fps, every frame a keyframe so the loop can start and stop anywhere.
    assertThat(video).hasSize(8).allMatch(FlvTag::isKeyframe);
    // 1.6 s at 48 kHz is 75 AAC frames of 1024 samples (ffmpeg may add one for its priming delay).
    assertThat(audio.size()).isBetween(74, 76);
    assertThat(hold.loopTags()).allMatch(t -> t.timestampMillis() < HoldStream.LOOP_MILLIS)
        .noneMatch(FlvTag::isSequenceHeader);
  }
}
