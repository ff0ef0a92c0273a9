package io.streamlearn.bench;

import io.streamlearn.app.Artifacts;
import io.streamlearn.app.KafkaSupport;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.data.Dataset;
import io.streamlearn.data.FashionMnist;
import io.streamlearn.learn.Model;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.train.TrainerConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code streamlearn bench group-efficiency}: what a trainer group costs in accuracy (issue #17's
 * statistical efficiency). Fashion-MNIST's training images, once each in file order, as
 * {@code LabeledEvent}s keyed by id on a topic of 4 partitions (the default partitioner spreads the
 * ids); on that one stream, for each network, a plain single trainer and groups of 1, 2 and 4
 * members in this JVM, each with a model of its own, the groups with each {@code group.combine}
 * (a group of one folds alike with both, so it runs once). Each run ends when a version's lineage
 * covers the whole stream. Per run: the prequential accuracy over the whole stream (every member's
 * test-then-train accuracy with a window as long as the stream, weighted by its examples), the final
 * version's hold-out accuracy (the trainer's own, on its latest held-out events) and its accuracy on
 * the 10,000 test images, and the examples trained a second.
 */
public final class GroupEfficiencyBench {
  static final String DATA_DIR = "data.dir";
  static final String PARTITIONS = "partitions";
  static final String MEMBERS = "members";
  static final String COMBINES = "combines";
  static final String MLP = "mlp.layers";
  static final String CNN = "cnn.layers";
  static final String SEEDS = "seeds";
  /** The and {@code bench engine}'s CNN. */
  static final String THE_CNN = "input(28,28,1) > conv2d(32,3,relu) > maxpool(2) > conv2d(64,3,relu) > maxpool(2)"
      + " > dense(128,relu) > dense(10,softmax)";

  /** The bench's options. */
  public static final ConfigDef DEF = CommonKeys.batchSize(new ConfigDef()
      .define(CommonKeys.BOOTSTRAP_SERVERS, Type.STRING, "", Importance.HIGH,
          "Kafka to benchmark against; empty starts an embedded KRaft broker in this JVM.")
      .define(DATA_DIR, Type.STRING, FashionMnist.DEFAULT_DIR, Importance.MEDIUM, "Fashion-MNIST IDX files.")
      .define(PARTITIONS, Type.INT, 4, Range.between(1, 64), Importance.MEDIUM, "Partitions of the stream's topic.")
      .define(MEMBERS, Type.LIST, "1,2,4", Importance.MEDIUM, "Group sizes to run (a plain trainer always runs too).")
      .define(COMBINES, Type.LIST, "sum,mean", Importance.MEDIUM, "group.combine values to run for groups of 2 or more.")
      .define(MLP, Type.STRING, "dense(128,relu) > dense(10,softmax)", Importance.MEDIUM,
          "The MLP; empty skips it.")
      .define(CNN, Type.STRING, THE_CNN, Importance.MEDIUM, "The CNN; empty skips it.")
      .define(SEEDS, Type.LIST, "42", Importance.MEDIUM,
          "Weight-initialisation seeds; every configuration runs once per seed (a group's runs also vary with"
              + " thread timing), and with more than one seed a table of means follows.")
      .define(TrainerConfig.HOLDOUT_FRACTION, Type.DOUBLE, 0.1, Range.between(0.0, 0.5), Importance.MEDIUM,
          "Share of the events held out.")
      .define(TrainerConfig.GROUP_SYNC_BATCHES, Type.STRING, "", Importance.LOW,
          "The members' group.sync.batches (K); empty: the trainer's default.")
      .define(TrainerConfig.GROUP_SYNC_MS, Type.STRING, "", Importance.LOW,
          "The members' group.sync.ms (T); empty: the trainer's default."), 64);

  private GroupEfficiencyBench() {}

  /**
   * One run's figures.
   *
   * @param network "MLP" or "CNN"
   * @param members 0 for the plain trainer
   * @param combine the group's combine, "-" for the plain trainer and a group of one
   */
  private record Row(String network, int members, String combine, long seed, GroupRun.Result result,
                     double testAccuracy, long rounds) {
    String configuration() {
      return members == 0 ? "single (no group)" : members + " member" + (members > 1 ? "s" : "");
    }

    double holdoutAccuracy() {
      return result.last().map(v -> v.metrics().getOrDefault("holdoutAccuracy", Double.NaN)).orElse(Double.NaN);
    }
  }

  /**
   * Runs the bench with {@code streamlearn bench group-efficiency} arguments and prints the table;
   * {@code --kafka-property} values go to every trainer.
   */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    Map<String, String> merged = Settings.collect(DEF, args, env);
    AbstractConfig config = new AbstractConfig(DEF, Settings.ownKeys(merged), false);
    Map<String, Object> kafka = Settings.kafkaProperties(merged);
    Path dir = Path.of(config.getString(DATA_DIR));
    Dataset train = FashionMnist.load(dir, true);
    Dataset test = FashionMnist.load(dir, false);
    String bootstrap = config.getString(CommonKeys.BOOTSTRAP_SERVERS);
    EmbeddedKafka embedded = bootstrap.isBlank() ? EmbeddedKafka.start() : null;
    try {
      String servers = embedded == null ? bootstrap : embedded.bootstrapServers();
      String suffix = Long.toString(System.currentTimeMillis(), 36);
      String topic = "bench-fm-stream-" + suffix;
      long fillStart = System.nanoTime();
      fill(servers, topic, config.getInt(PARTITIONS), train);
      double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
      List<Integer> sizes = config.getList(MEMBERS).stream().map(Integer::parseInt).toList();
      List<String> combines = config.getList(COMBINES);
      List<Row> rows = new ArrayList<>();
      Map<String, String> networks = new java.util.LinkedHashMap<>();
      if (!config.getString(MLP).isBlank()) {
        networks.put("MLP", config.getString(MLP));
      }
      if (!config.getString(CNN).isBlank()) {
        networks.put("CNN", config.getString(CNN));
      }
      int run = 0;
      // not reported: the first trainer in a JVM runs while the JIT still compiles its paths
      measure("MLP", 0, "-", 42, servers, topic, suffix + "-warmup", config.getString(MLP).isBlank()
          ? "dense(128,relu) > dense(10,softmax)" : config.getString(MLP), config, test, kafka);
      for (Map.Entry<String, String> net : networks.entrySet()) {
        for (String seedText : config.getList(SEEDS)) {
          long seed = Long.parseLong(seedText.strip());
          rows.add(measure(net.getKey(), 0, "-", seed, servers, topic, suffix + "-" + run++, net.getValue(), config,
              test, kafka));
          for (int n : sizes) {
            for (String combine : n == 1 ? List.of("-") : combines) {
              rows.add(measure(net.getKey(), n, combine, seed, servers, topic, suffix + "-" + run++, net.getValue(),
                  config, test, kafka));
            }
          }
        }
      }
      print(out, rows, train, config, networks, fillSeconds);
      return 0;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private static Row measure(String network, int members, String combine, long seed, String servers, String topic,
                             String suffix, String layers, AbstractConfig bench, Dataset test, Map<String, Object> kafka)
      throws InterruptedException {
    Map<String, String> t = new HashMap<>();
    t.put(CommonKeys.BOOTSTRAP_SERVERS, servers);
    t.put(CommonKeys.MODEL_NAME, "fm-" + network.toLowerCase(Locale.ROOT) + "-" + members + "-" + suffix);
    t.put(CommonKeys.LABELED_TOPIC, topic);
    for (String key : List.of(CommonKeys.MODELS_TOPIC, CommonKeys.METRICS_TOPIC, CommonKeys.DEAD_LETTER_TOPIC,
        TrainerConfig.CHECKPOINT_TOPIC, TrainerConfig.GROUP_SYNC_TOPIC)) {
      t.put(key, "bench-" + key.replace(".topic", "") + "-" + suffix);
    }
    t.put(TrainerConfig.FEATURES, String.valueOf(test.cols()));
    t.put(TrainerConfig.LAYERS, layers);
    t.put(TrainerConfig.SEED, String.valueOf(seed));
    t.put(TrainerConfig.BATCH_SIZE, String.valueOf(bench.getInt(TrainerConfig.BATCH_SIZE)));
    t.put(TrainerConfig.HOLDOUT_FRACTION, String.valueOf(bench.getDouble(TrainerConfig.HOLDOUT_FRACTION)));
    // every candidate through the gate: the final version holds the final weights, whatever they score
    t.put(TrainerConfig.GATE_MARGIN, "1");
    kafka.forEach((k, v) -> t.put(Settings.KAFKA_PREFIX + k, String.valueOf(v)));
    // a version at most a second after the stream's tail was trained on (the default waits 10 s)
    t.put(TrainerConfig.PUBLISH_EVERY_MS, "1000");
    // a window as long as the stream: each member's windowed accuracy is then over all it trained on
    t.put(TrainerConfig.PREQUENTIAL_WINDOW, "100000");
    if (!"-".equals(combine)) {
      t.put(TrainerConfig.GROUP_COMBINE, combine);
    }
    for (String key : List.of(TrainerConfig.GROUP_SYNC_BATCHES, TrainerConfig.GROUP_SYNC_MS)) {
      if (!bench.getString(key).isBlank()) {
        t.put(key, bench.getString(key).strip());
      }
    }
    List<String> ids = IntStream.range(0, members).mapToObj(m -> "m" + m).toList();
    GroupRun.Result r = GroupRun.run(t, ids, Duration.ofMinutes(10));
    long rounds = members == 0 ? 0 : SyncTally.read(servers, t.get(TrainerConfig.GROUP_SYNC_TOPIC), r.model()).lastRound();
    double testAccuracy = r.last().map(v -> accuracy(v, test)).orElse(Double.NaN);
    return new Row(network, members, combine, seed, r, testAccuracy, rounds);
  }

  /** The version's accuracy on {@code data}. */
  static double accuracy(ModelVersion v, Dataset data) {
    Model model = Artifacts.toModel(v);
    int outs = model.outputs();
    int chunk = 256;
    float[] out = new float[chunk * outs];
    long hits = 0;
    for (int from = 0; from < data.rows(); from += chunk) {
      int rows = Math.min(chunk, data.rows() - from);
      float[] x = Arrays.copyOfRange(data.features(), from * data.cols(), (from + rows) * data.cols());
      model.predict(x, rows, out);
      for (int r = 0; r < rows; r++) {
        int best = 0;
        for (int k = 1; k < outs; k++) {
          if (out[r * outs + k] > out[r * outs + best]) {
            best = k;
          }
        }
        if (best == data.labels()[from + r]) {
          hits++;
        }
      }
    }
    return (double) hits / data.rows();
  }

  private static void fill(String servers, String topic, int partitions, Dataset data) throws Exception {
    Map<String, Object> admin = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    KafkaSupport.ensureTopics(new HashMap<>(admin), (short) -1, List.of(KafkaSupport.eventTopic(topic, partitions)));
    AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
    int cols = data.cols();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.LINGER_MS_CONFIG, 20,
        ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20, ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < data.rows(); i++) {
        String id = "fm-" + i;
        producer.send(new ProducerRecord<>(topic, id, serde.serialize(topic, new LabeledEvent(id,
            Instant.ofEpochMilli(1_700_000_000_000L + i), FloatLists.boxed(data.features(), i * cols, cols),
            data.labels()[i]))));
      }
      producer.flush();
    }
  }

  private static void print(PrintStream out, List<Row> rows, Dataset train, AbstractConfig config,
                            Map<String, String> networks, double fillSeconds) {
    out.printf(Locale.ROOT, "Trainer group efficiency: Fashion-MNIST's %,d training images once each, in file order,"
            + " keyed fm-<n> on %d partitions (filled in %.1f s); hold-out fraction %.2f, batch %d, Adam, gate margin 1"
            + " (every candidate published), publish.every.ms 1000, the trainer's defaults otherwise;"
            + " group.sync.batches %s, group.sync.ms %s%n",
        train.rows(), config.getInt(PARTITIONS), fillSeconds, config.getDouble(TrainerConfig.HOLDOUT_FRACTION),
        config.getInt(TrainerConfig.BATCH_SIZE), orDefault(config.getString(TrainerConfig.GROUP_SYNC_BATCHES)),
        orDefault(config.getString(TrainerConfig.GROUP_SYNC_MS)));
    networks.forEach((k, v) -> out.printf(Locale.ROOT, "%s: %s%n", k, v));
    out.println();
    out.println("| network | trainers | combine | seed | prequential accuracy | vs single | final version"
        + " | hold-out accuracy | test accuracy (10k) | vs single | trained | trained/s | versions | rounds"
        + " | lineage overlaps | commits refused | seconds to covering version |");
    out.println("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    Map<String, Row> single = new HashMap<>();
    for (Row r : rows) {
      if (r.members() == 0) {
        single.put(r.network() + "/" + r.seed(), r);
      }
      Row ref = single.get(r.network() + "/" + r.seed());
      GroupRun.Result g = r.result();
      out.printf(Locale.ROOT, "| %s | %s | %s | %d | %.4f | %+.4f | %s | %.4f | %.4f | %+.4f | %,d | %,.0f | %d | %s | %d"
              + " | %d | %.1f%s |%n",
          r.network(), r.configuration(), r.combine(), r.seed(), g.prequentialAccuracy(),
          g.prequentialAccuracy() - ref.result().prequentialAccuracy(),
          g.last().map(v -> "v" + v.version()).orElse("-"), r.holdoutAccuracy(),
          r.testAccuracy(), r.testAccuracy() - ref.testAccuracy(), g.trained(), g.trained() / g.consumedSeconds(),
          g.versions().size(), r.members() == 0 ? "-" : String.valueOf(r.rounds()), g.overlaps(),
          g.members().stream().mapToLong(GroupRun.Member::refusedCommits).sum(), g.coveredSeconds(),
          g.coveredRunning() ? "" : " (at stop)");
    }
    if (config.getList(SEEDS).size() > 1) {
      out.println();
      printMeans(out, rows);
    }
    out.println();
    out.println("prequential accuracy: each member's test-then-train accuracy over everything it trained on"
        + " (prequential.window 100000), weighted by its examples. hold-out accuracy: the final version's own"
        + " metric (the publishing member's latest held-out events). test accuracy: the final version on the 10,000"
        + " test images. trained/s: examples trained by all members over first to last consumed record. rounds:"
        + " the last round number on the sync topic. seconds to covering version: from the first record consumed to"
        + " the creation of the first version whose lineage (with its predecessors') covers the stream; '(at stop)':"
        + " none did within " + GroupRun.TAIL.toSeconds() + " s of the members consuming it all, and this is the"
        + " version they published as they were stopped (the publisher last).");
  }

  /** Each configuration's means over the seeds, and their differences from the plain trainer's. */
  private static void printMeans(PrintStream out, List<Row> rows) {
    out.println("| network | trainers | combine | runs | prequential accuracy, mean | vs single | hold-out accuracy, mean"
        + " | test accuracy, mean | vs single | test accuracy, min-max | trained/s, mean |");
    out.println("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |");
    Map<String, List<Row>> byConfiguration = new java.util.LinkedHashMap<>();
    for (Row r : rows) {
      byConfiguration.computeIfAbsent(r.network() + "|" + r.configuration() + "|" + r.combine(), k -> new ArrayList<>())
          .add(r);
    }
    Map<String, double[]> single = new HashMap<>();
    for (List<Row> rs : byConfiguration.values()) {
      Row first = rs.get(0);
      double prequential = rs.stream().mapToDouble(r -> r.result().prequentialAccuracy()).average().orElse(Double.NaN);
      double test = rs.stream().mapToDouble(Row::testAccuracy).average().orElse(Double.NaN);
      if (first.members() == 0) {
        single.put(first.network(), new double[] {prequential, test});
      }
      double[] ref = single.get(first.network());
      out.printf(Locale.ROOT, "| %s | %s | %s | %d | %.4f | %+.4f | %.4f | %.4f | %+.4f | %.4f-%.4f | %,.0f |%n",
          first.network(), first.configuration(), first.combine(), rs.size(), prequential, prequential - ref[0],
          rs.stream().mapToDouble(Row::holdoutAccuracy).average().orElse(Double.NaN), test, test - ref[1],
          rs.stream().mapToDouble(Row::testAccuracy).min().orElse(Double.NaN),
          rs.stream().mapToDouble(Row::testAccuracy).max().orElse(Double.NaN),
          rs.stream().mapToDouble(r -> r.result().trained() / r.result().consumedSeconds()).average().orElse(Double.NaN));
    }
  }

  private static String orDefault(String value) {
    return value.isBlank() ? "default" : value;
  }
}
