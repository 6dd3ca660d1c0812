package org.tgcalls4j.internal.util;

import java.util.function.BiConsumer;

/**
 * A map from {@code int} keys (SSRCs) to objects that looks up without boxing: open addressing with
 * linear probing over parallel arrays. {@link #get} never allocates; {@link #put} allocates only
 * when the table grows. A packet path keyed by SSRC can use it where a {@code Map<Integer, V>}
 * would box a new {@code Integer} for nearly every lookup.
 *
 * <p>Not thread-safe. For readers on another thread, publish a {@link #copy()} through a volatile
 * field and never modify a published instance (copy on write).
 *
 * @param <V> value type; null values are not stored
 */
public final class IntMap<V> {
  private static final int MIN_CAPACITY = 8;

  private int[] keys;
  private Object[] values;
  private int size;

  /** Makes an empty map. */
  public IntMap() {
    this(MIN_CAPACITY);
  }

  private IntMap(int capacity) {
    keys = new int[capacity];
    values = new Object[capacity];
  }

  /**
   * @param key any int
   * @return the value stored for {@code key}, or null
   */
  @SuppressWarnings("unchecked")
  public V get(int key) {
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
      Object value = values[i];
      if (value == null) {
        return null;
      }
      if (keys[i] == key) {
        return (V) value;
      }
    }
  }

  /**
   * Stores {@code value} for {@code key}, replacing any previous value.
   *
   * @param key any int
   * @param value the value, not null
   * @return the previous value, or null
   * @throws NullPointerException if value is null
   */
  @SuppressWarnings("unchecked")
  public V put(int key, V value) {
    if (value == null) {
      throw new NullPointerException("value");
    }
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    for (; values[i] != null; i = (i + 1) & mask) {
      if (keys[i] == key) {
        V previous = (V) values[i];
        values[i] = value;
        return previous;
      }
    }
    keys[i] = key;
    values[i] = value;
    if (++size * 2 > keys.length) {
      grow();
    }
    return null;
  }

  /** @return the number of keys stored */
  public int size() {
    return size;
  }

  /** @param action called with every key and its value, in no particular order */
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<Integer, V> action) {
    for (int i = 0; i < keys.length; i++) {
      if (values[i] != null) {
        action.accept(keys[i], (V) values[i]);
      }
    }
  }

  /** @return a new map with the same entries, sharing the values */
  public IntMap<V> copy() {
    IntMap<V> copy = new IntMap<>(keys.length);
    copy.keys = keys.clone();
    copy.values = values.clone();
    copy.size = size;
    return copy;
  }

  private void grow() {
    int[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new Object[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldValues[j] != null) {
        int i = mix(oldKeys[j]) & mask;
        while (values[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        values[i] = oldValues[j];
      }
    }
  }

  /** SSRCs are random, but small test values are not: spread them (Murmur3 finalizer step). */
  private static int mix(int key) {
    int h = key * 0x9E37_79B9;
    return h ^ (h >>> 16);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(Integer.toUnsignedString(k))
        .append('=').append(v));
    return b.append('}').toString();
  }
}
