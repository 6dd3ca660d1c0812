/**
 * Telegram's UDP reflector relay (p2p-call.md §2.4): a sans-I/O relay port whose candidates are
 * {@link org.tgcalls4j.internal.ice.ReflectorAddress reflector addresses}.
 */
package org.tgcalls4j.internal.reflector;
