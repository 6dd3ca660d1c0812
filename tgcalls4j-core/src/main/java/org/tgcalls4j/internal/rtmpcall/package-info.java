/**
 * RTMP "go live" control: {@link org.tgcalls4j.internal.rtmpcall.RtmpCall} keeps one publish
 * session across source changes, pauses, seeks and reconnects (Telegram RTMP mode,
 * group-call.md §10).
 */
package org.tgcalls4j.internal.rtmpcall;
