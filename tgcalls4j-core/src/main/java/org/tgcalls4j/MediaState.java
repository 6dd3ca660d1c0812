package org.tgcalls4j;

/**
 * What a call sends after a spontaneous media change, as reported to
 * {@link StreamListener#onUpgrade}. The application mirrors it in the participant flags it sets
 * with {@code phone.editGroupCallParticipant} (for example {@code video_stopped}).
 *
 * @param muted whether the audio track sends silence ({@link GroupCall#mute})
 * @param paused whether the call is paused ({@link Call#pause})
 * @param videoStopped whether the video track stopped sending frames (the source's video leg
 *     ended while its audio goes on); false for a call without video
 */
public record MediaState(boolean muted, boolean paused, boolean videoStopped) {}
