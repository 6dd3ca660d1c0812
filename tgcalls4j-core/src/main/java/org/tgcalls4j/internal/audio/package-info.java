/**
 * In-process audio: the bounded PCM queue behind {@link org.tgcalls4j.PcmPushSource}, and the
 * bridge that lets the call read it without widening the public API.
 */
package org.tgcalls4j.internal.audio;
