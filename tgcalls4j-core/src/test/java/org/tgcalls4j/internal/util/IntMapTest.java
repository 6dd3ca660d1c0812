package org.tgcalls4j.internal.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IntMapTest {

  @Test
  void agreesWithHashMapThroughGrowth() {
    IntMap<String> map = new IntMap<>();
    Map<Integer, String> reference = new HashMap<>();
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 2000; i++) {
      int key = i % 3 == 0 ? random.nextInt(64) - 32 : random.nextInt();
      String value = "v" + i;
      assertThat(map.put(key, value)).isEqualTo(reference.put(key, value));
    }
    assertThat(map.size()).isEqualTo(reference.size());
    reference.forEach((k, v) -> assertThat(map.get(k)).isEqualTo(v));
    assertThat(map.get(Integer.MIN_VALUE)).isEqualTo(reference.get(Integer.MIN_VALUE));
    Map<Integer, String> seen = new HashMap<>();
    map.forEach(seen::put);
    assertThat(seen).isEqualTo(reference);
  }

  @Test
  void aCopyIsIndependent() {
    IntMap<String> map = new IntMap<>();
    map.put(0, "zero");
    IntMap<String> copy = map.copy();
    copy.put(1, "one");
    map.put(0, "changed");
    assertThat(map.get(1)).isNull();
    assertThat(copy.get(0)).isEqualTo("zero");
    assertThat(copy.get(1)).isEqualTo("one");
  }
}
