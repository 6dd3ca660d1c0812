/**
 * JSON reading and writing behind one class; the rest of tgcalls4j never sees the JSON library.
 */
package org.tgcalls4j.internal.json;
