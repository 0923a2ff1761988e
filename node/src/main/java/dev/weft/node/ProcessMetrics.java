package dev.weft.node;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The metrics of the whole process, the same for every node in it: the JVM's (memory, buffer
 * pools, GC, threads, classes) from the Prometheus client, and the Netty allocators' pools. One
 * registry for the process, because the client registers its JVM collectors once per registry
 * and remembers every registry it did (a registry per node would never be let go).
 */
final class ProcessMetrics implements MultiCollector {
  private static final PrometheusRegistry REGISTRY = create();

  private ProcessMetrics() {}

  static PrometheusRegistry registry() {
    return REGISTRY;
  }

  private static PrometheusRegistry create() {
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    registry.register(new ProcessMetrics());
    return registry;
  }

  @Override
  public MetricSnapshots collect() {
    GaugeSnapshot.Builder used = GaugeSnapshot.builder().name("netty_allocator_used_bytes")
        .help("Memory held by Netty's default allocator (the one every channel uses), by kind.");
    GaugeSnapshot.Builder arenas = GaugeSnapshot.builder().name("netty_allocator_arenas")
        .help("Arenas of Netty's pooled allocator, by kind of memory.");
    ByteBufAllocatorMetric metric = metric(ByteBufAllocator.DEFAULT);
    used.dataPoint(point(metric.usedHeapMemory(), "heap"));
    used.dataPoint(point(metric.usedDirectMemory(), "direct"));
    PooledByteBufAllocatorMetric pooled = PooledByteBufAllocator.DEFAULT.metric();
    arenas.dataPoint(point(pooled.numHeapArenas(), "heap"));
    arenas.dataPoint(point(pooled.numDirectArenas(), "direct"));
    GaugeSnapshot.Builder caches = GaugeSnapshot.builder().name("netty_allocator_thread_local_caches")
        .help("Thread-local caches of Netty's pooled allocator (one per thread that allocated).")
        .dataPoint(GaugeDataPointSnapshot.builder().value(pooled.numThreadLocalCaches()).build());
    return MetricSnapshots.of(used.build(), arenas.build(), caches.build());
  }

  /** The default allocator is pooled unless configured otherwise; either way it reports usage. */
  private static ByteBufAllocatorMetric metric(ByteBufAllocator allocator) {
    return allocator instanceof ByteBufAllocatorMetricProvider provider ? provider.metric()
        : PooledByteBufAllocator.DEFAULT.metric();
  }

  private static GaugeDataPointSnapshot point(double value, String memory) {
    return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of("memory", memory)).build();
  }
}
