/**
 * ffmpeg child processes: argument lists for the transcodes tgcalls4j needs (Ogg/Opus for group
 * calls, FLV H.264/AAC for RTMP) and a process wrapper that pumps stderr, reports crashes and
 * never leaves an orphan.
 */
package org.tgcalls4j.internal.ffmpeg;
