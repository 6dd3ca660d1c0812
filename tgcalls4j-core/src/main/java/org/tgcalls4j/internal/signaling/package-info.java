/**
 * Telegram group-call signaling: the join payload sent with {@code phone.joinGroupCall} and the
 * SFU's answer from {@code updateGroupCallConnection}, as immutable records and their JSON codec
 * (group-call.md §2, §3).
 */
package org.tgcalls4j.internal.signaling;
