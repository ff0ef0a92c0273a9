package io.streamlearn.bench;

import io.streamlearn.cli.Main;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.testkit.RandomModels;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.registry.KafkaRegistry;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.serve.InferenceConfig;
import io.streamlearn.serve.InferenceService;
import io.streamlearn.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code streamlearn bench registry}: on an embedded broker, how long publishing takes (one record,
 * and a 1 MB version in chunks), how long a registry takes to rebuild from the topic, and how long
 * a running inference service takes to serve the version an alias was moved to (promote returned
 * to swapped), for small and chunked versions. Prints a Markdown table.
 */
public final class RegistryBench {
  private static final int FEATURES = 8;
  private static final String SMALL = "dense(16,relu) > dense(4,softmax)";
  private static final String LARGE = "dense(512,relu) > dense(512,relu) > dense(4,softmax)";

  static final String MOVES = "moves";

  /** The bench's options. */
  public static final ConfigDef DEF = new ConfigDef()
      .define(MOVES, Type.INT, 40, Range.atLeast(1), Importance.HIGH,
          "Alias moves timed, alternating small and chunked versions.");

  private RegistryBench() {}

  /** Runs the bench with {@code streamlearn bench registry} arguments and prints the table. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    int moves = new AbstractConfig(DEF, Settings.ownKeys(Settings.collect(DEF, args, env)), false).getInt(MOVES);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      return measure(kafka, moves, out);
    }
  }

  private static int measure(EmbeddedKafka kafka, int moves, PrintStream out) throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put(CommonKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    settings.put(CommonKeys.MODEL_NAME, "bench");
    settings.put(InferenceConfig.STATE_DIR, Files.createTempDirectory("bench-streams-").toString());
    settings.put(InferenceConfig.APPLICATION_ID, "bench-registry");
    InferenceConfig config = new InferenceConfig(settings);
    Map<String, Object> client = KafkaSupport.clientProperties(kafka.bootstrapServers(), Map.of());
    String topic = config.getString(CommonKeys.MODELS_TOPIC);
    KafkaSupport.ensureTopics(client, (short) -1, List.of(KafkaSupport.registryTopic(topic)));
    Map<String, List<Double>> timings = new java.util.LinkedHashMap<>();
    List<Long> small = new ArrayList<>();
    List<Long> large = new ArrayList<>();
    long largeBytes;
    try (KafkaRegistry registry = KafkaRegistry.open(client, topic);
         InferenceService inference = new InferenceService(config)) {
      long v = 1;
      registry.publish(RandomModels.random("bench", v, FEATURES, SMALL, v, Map.of())); // warm-up, not timed
      small.add(v);
      for (int i = 0; i < 5; i++) {
        ModelVersion m = RandomModels.random("bench", ++v, FEATURES, SMALL, v, Map.of());
        timings.computeIfAbsent("publish, small version (1 record)", k -> new ArrayList<>()).add(time(() -> registry.publish(m)));
        small.add(v);
      }
      ModelVersion last = null;
      for (int i = 0; i < 5; i++) {
        ModelVersion m = RandomModels.random("bench", ++v, FEATURES, LARGE, v, Map.of());
        timings.computeIfAbsent("publish, 1.07 MB version (2 chunks)", k -> new ArrayList<>()).add(time(() -> registry.publish(m)));
        large.add(v);
        last = m;
      }
      largeBytes = last.tensorBytes();
      for (int i = 0; i < 3; i++) {
        timings.computeIfAbsent("rebuild registry from topic (11 versions)", k -> new ArrayList<>())
            .add(time(() -> KafkaRegistry.open(client, topic).close()));
      }
      inference.start();
      await(() -> inference.state() == KafkaStreams.State.RUNNING, "inference running");
      for (int i = 0; i < moves; i++) {
        boolean toLarge = i % 2 == 1;
        List<Long> pool = toLarge ? large : small;
        long target = pool.get(i / 2 % pool.size());
        long started = System.nanoTime();
        registry.promote("bench", target, "bench", "move " + i);
        double returned = (System.nanoTime() - started) / 1e6;
        await(() -> inference.served().current() != null
            && inference.served().current().version().version() == target, "serving version " + target);
        double followed = (System.nanoTime() - started) / 1e6;
        timings.computeIfAbsent("promote (write + read back)", k -> new ArrayList<>()).add(returned);
        timings.computeIfAbsent(toLarge ? "promote -> served, 1.07 MB chunked version"
            : "promote -> served, small version", k -> new ArrayList<>()).add(followed);
      }
    }
    out.printf(Locale.ROOT, "registry bench: embedded broker, %d alias moves, large version %d bytes; load %s%n%n",
        moves, largeBytes, load());
    out.println("| operation | n | p50 ms | p95 ms | max ms |");
    out.println("| --- | ---: | ---: | ---: | ---: |");
    timings.forEach((name, values) -> {
      List<Double> sorted = values.stream().sorted().toList();
      out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |%n", name, sorted.size(), pct(sorted, 0.5),
          pct(sorted, 0.95), sorted.get(sorted.size() - 1));
    });
    return Main.OK;
  }

  private static double pct(List<Double> sorted, double q) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
  }

  private static double time(Runnable r) {
    long started = System.nanoTime();
    r.run();
    return (System.nanoTime() - started) / 1e6;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("bench timed out waiting for " + what);
      }
      Thread.sleep(1);
    }
  }

  private static String load() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
