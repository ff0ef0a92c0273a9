package io.streamlearn.dashboard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Predictions per wall-clock second and their mean and p99 latency, over the last {@link
 * #SECONDS_KEPT} seconds: the dashboard's throughput chart. Each second keeps at most a few
 * thousand latency samples, so a fast stream costs constant memory. Not thread-safe: the {@link
 * DashboardState} that holds it guards it.
 */
final class Throughput {
  static final int SECONDS_KEPT = 300;

  private final TreeMap<Long, SecondBucket> seconds = new TreeMap<>();

  /** Counts a prediction made at {@code nowMillis} with its latency. */
  void add(long nowMillis, long latencyMicros) {
    seconds.computeIfAbsent(nowMillis / 1000, k -> new SecondBucket()).add(latencyMicros);
    while (seconds.size() > SECONDS_KEPT) {
      seconds.pollFirstEntry();
    }
  }

  /** The seconds before the one {@code nowMillis} is in, oldest first. */
  List<Map<String, Object>> completeSeconds(long nowMillis) {
    List<Map<String, Object>> out = new ArrayList<>();
    long current = nowMillis / 1000;
    seconds.forEach((second, b) -> {
      if (second < current) { // a second still filling would show as a dip
        out.add(b.toMap(second));
      }
    });
    return out;
  }

  /** Predictions and their latencies in one wall-clock second. */
  private static final class SecondBucket {
    private static final int MAX_SAMPLES = 4000;
    long count;
    double latencySum;
    final long[] samples = new long[MAX_SAMPLES];
    int sampled;

    void add(long latencyMicros) {
      count++;
      latencySum += latencyMicros;
      if (sampled < MAX_SAMPLES) {
        samples[sampled++] = latencyMicros;
      }
    }

    Map<String, Object> toMap(long second) {
      long[] sorted = Arrays.copyOf(samples, sampled);
      Arrays.sort(sorted);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("t", second * 1000);
      m.put("predictions", count);
      m.put("meanLatencyMs", count == 0 ? 0.0 : latencySum / count / 1000.0);
      m.put("p99LatencyMs", sampled == 0 ? 0.0 : sorted[Math.min(sampled - 1, (int) (sampled * 0.99))] / 1000.0);
      return m;
    }
  }
}
