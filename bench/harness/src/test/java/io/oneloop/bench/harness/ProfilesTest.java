package io.oneloop.bench.harness;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The start and memory profiles read what the JVM writes: its counters, its class log, its memory summary. */
class ProfilesTest {

  @Test
  void countersAreReadByNameAndTextCountersLeftOut() {
    String snap = """
        java.cls.loadedClasses=6021
        java.cls.sharedLoadedClasses=1480
        sun.ci.lastMethod="io/netty/Foo bar"
        sun.ci.totalCompiles=3534
        sun.cls.time=918902075
        """;
    Map<String, Long> c = PerfData.parse(snap, List.of("java.cls.loadedClasses", "sun.ci.totalCompiles",
        "sun.ci.lastMethod", "sun.cls.time"));
    assertEquals(6021L, c.get("java.cls.loadedClasses"));
    assertEquals(3534L, c.get("sun.ci.totalCompiles"));
    assertEquals(918902075L, c.get("sun.cls.time"));
    assertFalse(c.containsKey("sun.ci.lastMethod"));
    assertFalse(c.containsKey("java.cls.sharedLoadedClasses"), "not asked for");
  }

  @Test
  void classesAreCountedByLibraryUpToTheFirstHealthAnswer() {
    List<String> log = List.of(
        "[0.010s][info][class,load] java.lang.Object source: shared objects file",
        "[0.200s] io.netty.channel.Channel source: jar:file:/x.jar!/",
        "[0.300s][info][class,load] io.vertx.core.Vertx source: jar:file:/x.jar!/",
        "[0.310s][info][class,load] io.vertx.ext.web.Router source: jar:file:/x.jar!/",
        "[0.320s][info][class,load] io.vertx.spi.cluster.hazelcast.HazelcastClusterManager source: jar:file:/x.jar!/",
        "[0.330s][info][class,load] io.oneloop.Main source: jar:file:/x.jar!/",
        "[0.340s][info][class,load] org.example.Other source: jar:file:/x.jar!/",
        "[0.345s] io.oneloop.bench.BenchPublisher source: file:/bench-task.jar",
        "[0.350s][info][class,load] io.oneloop.bridge.Hub$$Lambda$1/0x0000000800c01 source: io.oneloop.bridge.Hub",
        // after /health answered: not part of the start
        "[2.500s][info][class,load] com.fasterxml.jackson.core.JsonFactory source: jar:file:/x.jar!/",
        "[0.360s][info][gc] not a class line",
        "[0.370s] io.vertx.core.Context$Thing");
    Map<String, Integer> g = StartProfile.groups(log, 2.0);
    assertEquals(1, g.get("JDK"));
    assertEquals(1, g.get("Netty"));
    assertEquals(1, g.get("Vert.x core"));
    assertEquals(1, g.get("Vert.x Web"));
    assertEquals(1, g.get("Hazelcast"));
    assertEquals(2, g.get("oneloop"));
    assertEquals(1, g.get("other"));
    assertEquals(1, g.get("bench task"));
    assertFalse(g.containsKey("Jackson"));
  }

  @Test
  void residentMemoryIsSplitIntoHeapOtherAnonymousAndFiles() {
    long[] heap = ConnMemory.parseHeapRange("""
         garbage-first heap   total 389120K, used 14997K [0x00000000e0000000, 0x0000000100000000)
          region size 1024K, 14 young (14336K), 0 survivors (0K)
        """);
    assertEquals(0xe0000000L, heap[0]);
    assertEquals(0x100000000L, heap[1]);
    // a JVM on one CPU runs Serial: the heap is its two generations
    long[] serial = ConnMemory.parseHeapRange("""
         def new generation   total 116160K, used 90674K [0x00000000e0000000, 0x00000000e7e00000, 0x00000000eaaa0000)
          eden space 103296K,  87% used [0x00000000e0000000, 0x00000000e588c8e0, 0x00000000e64e0000)
         tenured generation   total 258048K, used 0K [0x00000000eaaa0000, 0x00000000fa6a0000, 0x0000000100000000)
        """);
    assertEquals(0xe0000000L, serial[0]);
    assertEquals(0x100000000L, serial[1]);
    List<String> smaps = List.of(
        "e0000000-f7a00000 rw-p 00000000 00:00 0 ",
        "Size:             376832 kB",
        "Rss:               20480 kB",
        "f7a00000-ffe00000 ---p 00000000 00:00 0 ",
        "Rss:                   0 kB",
        "7f0000000000-7f0000100000 rw-p 00000000 00:00 0 ",
        "Rss:                 512 kB",
        "7f0000200000-7f0000300000 r-xp 00000000 08:01 1234                       /usr/lib/jvm/lib/libjvm.so",
        "Rss:                 900 kB",
        "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]",
        "Rss:                  16 kB");
    long[] r = ConnMemory.parseSmaps(smaps, heap);
    assertEquals(20480, r[0]);
    assertEquals(528, r[1]);
    assertEquals(900, r[2]);
  }

  @Test
  void nativeMemoryCategoriesPerSocket() {
    String before = """
        Native Memory Tracking:

        Total: reserved=1700000KB, committed=100000KB
        -                 Java Heap (reserved=524288KB, committed=32768KB)
                                    (mmap: reserved=524288KB, committed=32768KB)
        -                     Class (reserved=1000KB, committed=900KB)
        -                     Other (reserved=2000KB, committed=2000KB)
                                    (malloc=2000KB #10)
        """;
    String after = """
        Total: reserved=1800000KB, committed=180000KB
        -                 Java Heap (reserved=524288KB, committed=102768KB)
        -                     Class (reserved=1000KB, committed=900KB)
        -                     Other (reserved=12000KB, committed=12000KB)
        """;
    Map<String, Long> b = ConnMemory.parseNativeMemory(before);
    assertEquals(32768L, b.get("Java Heap"));
    assertEquals(100000L, b.get("Total"));
    assertEquals(4, b.size(), b.toString());
    JsonObject per = ConnMemory.perConn(b, ConnMemory.parseNativeMemory(after), 1000);
    assertEquals(70.0, per.getDouble("Java Heap"));
    assertEquals(10.0, per.getDouble("Other"));
    assertEquals(0.0, per.getDouble("Class"));
    assertEquals(80.0, per.getDouble("Total"));
    // largest first, the total last
    assertEquals(List.of("Java Heap", "Other", "Class", "Total"), List.copyOf(per.fieldNames()));
  }
}
