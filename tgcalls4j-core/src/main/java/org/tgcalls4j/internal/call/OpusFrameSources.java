package org.tgcalls4j.internal.call;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import org.tgcalls4j.FfmpegSpawnException;
import org.tgcalls4j.InvalidParamsException;
import org.tgcalls4j.MediaSource;
import org.tgcalls4j.PcmPushSource;
import org.tgcalls4j.SharedSource;
import org.tgcalls4j.TgCallsException;
import org.tgcalls4j.internal.ffmpeg.FfmpegCommand;
import org.tgcalls4j.internal.ffmpeg.FfmpegProcess;
import org.tgcalls4j.internal.ffmpeg.ShellCommand;
import org.tgcalls4j.internal.audio.PcmAccess;
import org.tgcalls4j.internal.audio.PcmQueue;
import org.tgcalls4j.internal.ivf.IvfReader;
import org.tgcalls4j.internal.ogg.OggOpusReader;
import org.tgcalls4j.internal.ogg.OpusHead;

/**
 * Opens a {@link MediaSource} as Opus packets: directly for Ogg/Opus files, encoded in-process for
 * pushed PCM and mixes, through ffmpeg otherwise.
 */
final class OpusFrameSources {
  private static final byte[] OGG_CAPTURE = "OggS".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OPUS_HEAD = "OpusHead".getBytes(StandardCharsets.US_ASCII);

  private OpusFrameSources() {}

  /**
   * Opens the source on the calling thread, so that a missing file or an ffmpeg that cannot be
   * started is reported to the caller of {@code setStreamSources}.
   *
   * <p>A {@link MediaSource.PcmSource} is encoded in-process ({@link PcmFrameSource}); a
   * {@link MediaSource.MixSource} opens each input (a pushed queue, an Ogg/Opus file decoded
   * in-process, anything else through ffmpeg as s16le PCM) and mixes them ({@link MixFrameSource}).
   * A source with video plays its audio only here ({@link #withoutVideo}); see
   * {@link #openWithVideo}.
   *
   * @param source what to play
   * @param ffmpeg the ffmpeg binary
   * @param bitrateKbps Opus bitrate when transcoding or encoding in-process, kbit/s (a file or
   *     URL source's {@link org.tgcalls4j.EncodeOptions} may override it)
   * @param startOffsetMillis position to start at, ms (transcoded sources only)
   * @param threads creates ffmpeg's stderr pump thread
   * @return the open source; the caller closes it
   * @throws InvalidParamsException (field {@code source.path}) if a local file does not exist, is
   *     a directory, cannot be read, or is an Ogg file without an Opus header
   * @throws InvalidParamsException (field {@code source}) if a {@link PcmPushSource} is already
   *     playing elsewhere (or twice in one mix), or the source has video only
   * @throws InvalidParamsException (field {@code source}) if a {@link SharedSource} is closed or
   *     its source ended; otherwise a shared source is not opened again: the caller gets a view of
   *     it that starts at its live position
   * @throws FfmpegSpawnException if ffmpeg could not be started
   */
  static OpusFrameSource open(MediaSource source, Path ffmpeg, int bitrateKbps,
      long startOffsetMillis, ThreadFactory threads) throws TgCallsException {
    if (source instanceof SharedSource shared) {
      return SharedAccess.hub(shared).subscribe();
    }
    if (source instanceof MediaSource.PcmSource pcm) {
      return PcmFrameSource.open(pcm.source(), bitrateKbps);
    }
    if (source instanceof MediaSource.MixSource mix) {
      return openMix(mix, ffmpeg, bitrateKbps, threads);
    }
    if (carriesVideo(source) && !(source instanceof MediaSource.VideoSource)) {
      source = withoutVideo(source); // video plays only through openWithVideo
    }
    if (source instanceof MediaSource.ShellSource shell) {
      return new FfmpegSource(startShell(shell.commandLine(), MediaSource.Track.AUDIO, ffmpeg,
          bitrateKbps, threads));
    }
    if (source instanceof MediaSource.OggSource ogg) {
      SourceFiles.check(ogg);
      requireOggOpus(ogg.path());
      if (startOffsetMillis == 0) {
        return openOggFile(ogg.path());
      }
      source = MediaSource.file(ogg.path()); // a seek: ffmpeg starts it at the position
    }
    if (source instanceof MediaSource.VideoSource video) {
      source = video.input(); // only openWithVideo sends video; here its audio plays
    }
    SourceFiles.check(source);
    if (source instanceof MediaSource.FileSource file) {
      Path path = file.path();
      // sent as it is unless its options ask for another bitrate or channel count
      if (startOffsetMillis == 0 && file.options().hasDefaultAudio() && isOggOpus(path)) {
        return openOggFile(path);
      }
    }
    List<String> command = FfmpegCommand.opusOgg(ffmpeg, source, bitrateKbps, startOffsetMillis);
    FfmpegProcess process = FfmpegProcess.start(command, threads);
    return new FfmpegSource(process);
  }

  /**
   * Restarts the slot's current source at {@code positionMillis}: a file or URL is reopened
   * through ffmpeg with {@code -ss} before the input (an accurate input seek when transcoding);
   * a source whose video plays restarts its one ffmpeg ({@link FfmpegAvSource}) that way, so
   * both tracks start at the target on the new source's one baseline; the call keeps its pause
   * state. The old source is closed without a stream-end event. A
   * position past the end makes the source end at once, with a normal stream end.
   *
   * @param slot the call's source slot
   * @param positionMillis target within the source, ms, at least 0
   * @param ffmpeg the ffmpeg binary
   * @param bitrateKbps Opus bitrate, kbit/s
   * @param threads creates ffmpeg's stderr pump thread
   * @throws InvalidParamsException (field {@code source}) if nothing is playing, or the source is
   *     pushed PCM, a mix, a shell command or a shared source, which cannot seek
   * @throws FfmpegSpawnException if ffmpeg could not be started
   */
  static void seek(SourceSlot slot, long positionMillis, Path ffmpeg, int bitrateKbps,
      ThreadFactory threads) throws TgCallsException {
    MediaSource media = slot.media();
    if (media == null) {
      throw new InvalidParamsException("source", "nothing is playing to seek in");
    }
    if (media instanceof MediaSource.PcmSource || media instanceof MediaSource.MixSource) {
      throw new InvalidParamsException("source", "a pushed PCM source or a mix cannot seek");
    }
    if (media instanceof MediaSource.ShellSource || media instanceof MediaSource.ShellsSource) {
      throw new InvalidParamsException("source", "a shell source cannot seek: put -ss in its command");
    }
    if (media instanceof MediaSource.IvfSource) {
      throw new InvalidParamsException("source", "an IVF source cannot seek");
    }
    if (media instanceof SharedSource) {
      throw new InvalidParamsException("source", "a shared source plays live for all its calls"
          + " and cannot seek");
    }
    OpusFrameSource reopened;
    if (media instanceof MediaSource.VideoSource video) {
      if (slot.playsVideo()) {
        // the one ffmpeg again, seeking its input: audio and video start at the target together
        SourceFiles.check(media);
        reopened = FfmpegAvSource.open(media, ffmpeg, bitrateKbps, positionMillis, threads);
      } else {
        // only its audio plays (a private call, a join without video)
        reopened = open(video.input(), ffmpeg, bitrateKbps, positionMillis, threads);
      }
    } else {
      reopened = open(media, ffmpeg, bitrateKbps, positionMillis, threads);
    }
    slot.seek(media, reopened, positionMillis);
  }

  /**
   * Opens a source with its video: a {@link MediaSource.VideoSource} as one ffmpeg writing
   * Ogg/Opus and IVF/VP8 ({@link FfmpegAvSource}); a VIDEO shell command, a shells source or an
   * IVF source as a {@link SeparateAvSource} (an ffmpeg child per command, files read directly).
   * The caller must read the video too (a group call's video track): ffmpeg stalls once its video
   * output is full, and a separate source's audio ends only after its video's end was handled.
   * Any other source is opened as by {@link #open} at offset 0.
   *
   * @throws InvalidParamsException (field {@code source.path}) if a local file is missing, or an
   *     IVF or Ogg file is not VP8 IVF or Ogg/Opus
   * @throws FfmpegSpawnException if ffmpeg could not be started
   */
  static OpusFrameSource openWithVideo(MediaSource source, Path ffmpeg, int bitrateKbps,
      ThreadFactory threads) throws TgCallsException {
    if (source instanceof MediaSource.ShellSource shell && shell.track() == MediaSource.Track.VIDEO) {
      FfmpegProcess video = startShell(shell.commandLine(), shell.track(), ffmpeg, bitrateKbps,
          threads);
      return new SeparateAvSource(null, video, new BufferedInputStream(video.stdout(), 64 * 1024));
    }
    if (source instanceof MediaSource.ShellsSource shells) {
      FfmpegProcess audio = startShell(shells.audioCommandLine(), MediaSource.Track.AUDIO, ffmpeg,
          bitrateKbps, threads);
      try {
        FfmpegProcess video = startShell(shells.videoCommandLine(), MediaSource.Track.VIDEO, ffmpeg,
            bitrateKbps, threads);
        return new SeparateAvSource(new FfmpegSource(audio), video,
            new BufferedInputStream(video.stdout(), 64 * 1024));
      } catch (TgCallsException | RuntimeException e) {
        audio.close();
        throw e;
      }
    }
    if (source instanceof MediaSource.IvfSource ivf) {
      return openIvf(ivf);
    }
    if (!(source instanceof MediaSource.VideoSource)) {
      return open(source, ffmpeg, bitrateKbps, 0, threads);
    }
    SourceFiles.check(source);
    return FfmpegAvSource.open(source, ffmpeg, bitrateKbps, threads);
  }

  /**
   * @return whether {@code source} has a video track, which a group call sends when its join
   *     declared video ({@link #openWithVideo}) and otherwise leaves out ({@link #withoutVideo})
   */
  static boolean carriesVideo(MediaSource source) {
    return source instanceof MediaSource.VideoSource || source instanceof MediaSource.ShellsSource
        || source instanceof MediaSource.IvfSource
        || source instanceof MediaSource.ShellSource shell && shell.track() == MediaSource.Track.VIDEO;
  }

  /**
   * The audio part of a source with video, for a call that cannot send its video.
   *
   * @return the source without its video: a {@code withVideo} source's input, a shells source's
   *     audio command, an IVF source's Ogg file; any other source as it is
   * @throws InvalidParamsException (field {@code source}) if the source has video only (a VIDEO
   *     shell command, an IVF file without audio)
   */
  static MediaSource withoutVideo(MediaSource source) throws InvalidParamsException {
    if (source instanceof MediaSource.VideoSource video) {
      return video.input();
    }
    if (source instanceof MediaSource.ShellsSource shells) {
      return MediaSource.shell(shells.audioCommandLine(), MediaSource.Track.AUDIO);
    }
    if (source instanceof MediaSource.IvfSource ivf && ivf.audio() != null) {
      return MediaSource.ogg(ivf.audio());
    }
    if (carriesVideo(source)) {
      throw new InvalidParamsException("source", "a video-only source plays only in a group call"
          + " whose join declares video: set it before joinJson(); this call sends audio only");
    }
    return source;
  }

  private static FfmpegProcess startShell(String commandLine, MediaSource.Track track, Path ffmpeg,
      int bitrateKbps, ThreadFactory threads) throws FfmpegSpawnException {
    return FfmpegProcess.start(ShellCommand.complete(ShellCommand.split(commandLine), track,
        ffmpeg.toString(), bitrateKbps), threads);
  }

  /** An IVF file, with its Ogg/Opus file if any, both checked before anything plays. */
  private static OpusFrameSource openIvf(MediaSource.IvfSource ivf) throws InvalidParamsException {
    SourceFiles.check(ivf);
    try (IvfReader probe = new IvfReader(Files.newInputStream(ivf.video()))) {
      probe.header();
    } catch (IOException e) {
      throw new InvalidParamsException("source.path", "not a VP8 IVF file: " + ivf.video() + ": "
          + e.getMessage(), e);
    }
    OpusFrameSource audio = null;
    if (ivf.audio() != null) {
      requireOggOpus(ivf.audio());
      audio = openOggFile(ivf.audio());
    }
    try {
      return new SeparateAvSource(audio, null,
          new BufferedInputStream(Files.newInputStream(ivf.video()), 64 * 1024));
    } catch (IOException e) {
      if (audio != null) {
        audio.close();
      }
      throw new InvalidParamsException("source.path", "cannot open " + ivf.video() + ": "
          + e.getMessage(), e);
    }
  }

  /** @throws InvalidParamsException (field {@code source.path}) unless the file is Ogg/Opus */
  private static void requireOggOpus(Path path) throws InvalidParamsException {
    if (!isOggOpus(path)) {
      throw new InvalidParamsException("source.path", "not an Ogg/Opus file (its first Ogg page"
          + " holds no OpusHead): " + path);
    }
  }

  private static OpusFrameSource openMix(MediaSource.MixSource mix, Path ffmpeg, int bitrateKbps,
      ThreadFactory threads) throws TgCallsException {
    for (MediaSource.MixInput in : mix.inputs()) {
      SourceFiles.check(in.source());
    }
    List<MixFrameSource.Input> inputs = new ArrayList<>();
    double[] gains = new double[mix.inputs().size()];
    try {
      for (MediaSource.MixInput in : mix.inputs()) {
        gains[inputs.size()] = in.gain();
        inputs.add(openMixInput(in.source(), ffmpeg, threads));
      }
      return new MixFrameSource(inputs, gains, bitrateKbps);
    } catch (TgCallsException | RuntimeException e) {
      for (MixFrameSource.Input opened : inputs) {
        opened.close();
      }
      throw e;
    }
  }

  private static MixFrameSource.Input openMixInput(MediaSource source, Path ffmpeg,
      ThreadFactory threads) throws TgCallsException {
    if (source instanceof MediaSource.PcmSource pcm) {
      PcmQueue queue = PcmFrameSource.attach(pcm.source());
      return new MixFrameSource.QueueInput(queue, !PcmAccess.silenceWhenEmpty(pcm.source()));
    }
    if (source instanceof MediaSource.OggSource explicit) {
      requireOggOpus(explicit.path());
      source = MediaSource.file(explicit.path());
    }
    if (source instanceof MediaSource.FileSource file && isOggOpus(file.path())) {
      OggFileSource ogg = (OggFileSource) openOggFile(file.path());
      return new MixFrameSource.OggInput(ogg.reader, ogg.head);
    }
    FfmpegProcess process = FfmpegProcess.start(FfmpegCommand.pcmS16le(ffmpeg, source), threads);
    return MixFrameSource.FfmpegInput.start(process, threads);
  }

  /** @return whether the file starts with an Ogg page whose first packet is an OpusHead */
  static boolean isOggOpus(Path path) {
    byte[] head = new byte[36];
    try (InputStream in = Files.newInputStream(path)) {
      if (in.readNBytes(head, 0, head.length) != head.length) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    // RFC 3533 §6: 27-byte page header, then the segment table (one entry for OpusHead's page).
    return Arrays.equals(head, 0, 4, OGG_CAPTURE, 0, 4)
        && Arrays.equals(head, 28, 36, OPUS_HEAD, 0, 8);
  }

  private static OpusFrameSource openOggFile(Path path) throws InvalidParamsException {
    InputStream in;
    try {
      // 8 KB: the reader takes a page (usually a few KB) at a time; 64 KB per call was waste
      in = new BufferedInputStream(Files.newInputStream(path), 8 * 1024);
    } catch (NoSuchFileException e) {
      throw new InvalidParamsException("source.path", "no such file: " + path, e);
    } catch (IOException e) {
      throw new InvalidParamsException("source.path", "cannot open " + path + ": " + e.getMessage(), e);
    }
    OggOpusReader reader = new OggOpusReader(in);
    OpusHead head;
    try {
      head = reader.head();
    } catch (IOException e) {
      closeQuietly(reader);
      throw new InvalidParamsException("source.path", "not an Ogg/Opus file: " + e.getMessage(), e);
    }
    return new OggFileSource(reader, head);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // nothing useful to do when closing a file we are abandoning
    }
  }

  /** An Ogg/Opus file read without transcoding. */
  private static final class OggFileSource implements OpusFrameSource {
    private final OggOpusReader reader;
    private final OpusHead head;

    OggFileSource(OggOpusReader reader, OpusHead head) {
      this.reader = reader;
      this.head = head;
    }

    /** Reads a file or memory: never waits on another process. */
    @Override
    public boolean readsWithoutWaiting() {
      return true;
    }

    @Override
    public byte[] nextFrame() throws IOException {
      return reader.nextPacket();
    }

    @Override
    public TgCallsException endError() {
      return null;
    }

    @Override
    public void close() {
      closeQuietly(reader);
    }
  }

  /** ffmpeg writing Ogg/Opus to its stdout. */
  private static final class FfmpegSource implements OpusFrameSource {
    private final FfmpegProcess process;
    private final OggOpusReader reader;
    private boolean headRead;

    FfmpegSource(FfmpegProcess process) {
      this.process = process;
      this.reader = new OggOpusReader(new BufferedInputStream(process.stdout(), 16 * 1024));
    }

    @Override
    public byte[] nextFrame() throws IOException {
      if (!headRead) {
        reader.head();
        headRead = true;
      }
      return reader.nextPacket();
    }

    @Override
    public TgCallsException endError() {
      return process.crashError();
    }

    @Override
    public boolean hasOutput() {
      return process.outputReady();
    }

    @Override
    public void close() {
      process.close();
    }
  }
}
