/** A loopback stand-in for Telegram's SFU, built from independent implementations only. */
package org.tgcalls4j.testsfu;
