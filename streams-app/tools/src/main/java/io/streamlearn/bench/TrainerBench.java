package io.streamlearn.bench;

import io.streamlearn.train.TrainerConfig;
import io.streamlearn.train.TrainerStatus;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.data.Dataset;
import io.streamlearn.data.FashionMnist;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.InputEventDecoder;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.testkit.EmbeddedKafka;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
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
 * {@code streamlearn bench trainer}: trainer throughput end to end from a pre-filled Fashion-MNIST
 * topic (MLP 784-128-10, batch 64), next to the raw {@code KafkaConsumer} throughput on the same
 * topic in the same run, and the pieces in between (decoding, the engine alone), so the table
 * shows where the time goes.
 */
public final class TrainerBench {
  static final String EVENTS = "events";
  static final String PARTITIONS = "partitions";
  static final String DATA_DIR = "data.dir";
  static final String LAYERS = "layers";
  static final String REPEAT = "repeat";
  static final String GROUP_MEMBERS = "group.members";

  /** The bench's options. */
  public static final ConfigDef DEF = CommonKeys.batchSize(new ConfigDef()
      .define(CommonKeys.BOOTSTRAP_SERVERS, Type.STRING, "", Importance.HIGH,
          "Kafka to benchmark against; empty starts an embedded KRaft broker in this JVM.")
      .define(EVENTS, Type.INT, 600_000, Range.between(1_000, 10_000_000), Importance.HIGH,
          "LabeledEvents in the pre-filled topic (Fashion-MNIST's 60,000 training images, cycled; "
              + "600,000 take 1.9 GB of log and give each trainer run a few seconds past its JIT warm-up).")
      .define(PARTITIONS, Type.INT, 3, Range.between(1, 64), Importance.MEDIUM, "Partitions of the topic.")
      .define(DATA_DIR, Type.STRING, FashionMnist.DEFAULT_DIR, Importance.MEDIUM, "Fashion-MNIST IDX files.")
      .define(LAYERS, Type.STRING, "dense(128,relu) > dense(10,softmax)", Importance.MEDIUM, "The network."), 64)
      .define(REPEAT, Type.INT, 3, Range.between(1, 20), Importance.MEDIUM,
          "Runs of each stage, interleaved; the table shows the median run (the machine may be shared).")
      .define(TrainerConfig.PUBLISH_EVERY_BATCHES, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM,
          "The trainer publishes a version after this many batches.")
      .define(TrainerConfig.CHECKPOINT_EVERY_BATCHES, Type.INT, 1000, Range.atLeast(1), Importance.MEDIUM,
          "The trainer checkpoints after this many batches (and every 2 s, and at each version).")
      .define(GROUP_MEMBERS, Type.INT, 0, Range.between(0, 16), Importance.MEDIUM,
          "0: the stages above. N >= 1: a trainer group of N members in this JVM instead, next to a plain "
              + "trainer and a group of one in the same run, with per-member and group figures (see GroupThroughput).")
      .define(TrainerConfig.GROUP_COMBINE, Type.STRING, "", Importance.LOW,
          "With --group-members: the members' group.combine (sum or mean); empty: the trainer's default.")
      .define(TrainerConfig.GROUP_SYNC_BATCHES, Type.STRING, "", Importance.LOW,
          "With --group-members: the members' group.sync.batches; empty: the trainer's default.")
      .define(TrainerConfig.GROUP_SYNC_MS, Type.STRING, "", Importance.LOW,
          "With --group-members: the members' group.sync.ms; empty: the trainer's default.");

  private TrainerBench() {}

  /** Runs the bench with {@code streamlearn bench trainer} arguments and prints the table. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    Map<String, String> merged = Settings.collect(DEF, args, env);
    AbstractConfig config = new AbstractConfig(DEF, Settings.ownKeys(merged), false);
    Dataset data = FashionMnist.load(Path.of(config.getString(DATA_DIR)), true);
    int events = config.getInt(EVENTS);
    String bootstrap = config.getString(CommonKeys.BOOTSTRAP_SERVERS);
    EmbeddedKafka embedded = bootstrap.isBlank() ? EmbeddedKafka.start() : null;
    try {
      String servers = embedded == null ? bootstrap : embedded.bootstrapServers();
      String suffix = Long.toString(System.currentTimeMillis(), 36);
      String topic = "bench-labeled-" + suffix;
      long produceStart = System.nanoTime();
      fill(servers, topic, config.getInt(PARTITIONS), data, events, embedded);
      double produceSeconds = seconds(produceStart);
      consume(servers, topic, events, false); // warm-up: JIT, page cache, broker connections
      int repeat = config.getInt(REPEAT);
      if (config.getInt(GROUP_MEMBERS) > 0) {
        out.printf(Locale.ROOT, "Trainer group bench: %,d Fashion-MNIST LabeledEvents (%d features) on %d partitions,"
                + " %s, batch %d; topic filled in %.1f s; %d interleaved runs of each configuration, the median shown%n%n",
            events, data.cols(), config.getInt(PARTITIONS), config.getString(LAYERS),
            config.getInt(TrainerConfig.BATCH_SIZE), produceSeconds, repeat);
        GroupThroughput.run(servers, topic, suffix, config, Settings.kafkaProperties(merged), out);
        return 0;
      }
      List<List<StageRow>> runs = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
          new ArrayList<>());
      int publishEvery = config.getInt(TrainerConfig.PUBLISH_EVERY_BATCHES);
      for (int i = 0; i < repeat; i++) {
        runs.get(0).add(consume(servers, topic, events, false));
        runs.get(1).add(consume(servers, topic, events, true));
        runs.get(2).add(engine(data, events, config));
        runs.get(3).add(trainer(servers, topic, suffix + "-" + i, events, config, publishEvery));
        // the same with 10x fewer versions (and so transactions): what the commits cost
        runs.get(4).add(trainer(servers, topic, suffix + "-r" + i, events, config, publishEvery * 10));
      }
      List<StageRow> rows = runs.stream().map(TrainerBench::median).toList();
      print(out, rows, events, data.cols(), produceSeconds, config);
      return 0;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private static void fill(String servers, String topic, int partitions, Dataset data, int events,
                           EmbeddedKafka embedded) throws Exception {
    Map<String, Object> admin = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    io.streamlearn.app.KafkaSupport.ensureTopics(new HashMap<>(admin), (short) -1,
        List.of(io.streamlearn.app.KafkaSupport.eventTopic(topic, partitions)));
    AvroSerde<LabeledEvent> serde = AvroSerde.of(LabeledEvent.class);
    int cols = data.cols();
    float[] x = data.features();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.LINGER_MS_CONFIG, 20,
        ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20, ProducerConfig.ACKS_CONFIG, "1"),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < events; i++) {
        int row = i % data.rows();
        List<Float> features = FloatLists.boxed(x, row * cols, cols);
        String id = "fm-" + i;
        producer.send(new ProducerRecord<>(topic, id, serde.serialize(topic,
            new LabeledEvent(id, Instant.ofEpochMilli(1_700_000_000_000L + i), features, data.labels()[row]))));
      }
      producer.flush();
    }
  }

  private static StageRow consume(String servers, String topic, int events, boolean decode) {
    // The trainer's own consumer settings, and the clock started at the first record as for the trainer.
    InputEventDecoder decoder = InputEventDecoder.forLabeled();
    ConsumerRun run = ConsumerRun.read(servers, topic, events,
        value -> decode ? decoder.decode(topic, value).features().length : value.length);
    return new StageRow(decode ? "raw KafkaConsumer + decode to float[]" : "raw KafkaConsumer (bytes)", run.count(),
        seconds(run.firstNanos()), run.perRecord() + (decode ? " features/record" : " bytes/record"));
  }

  private static StageRow engine(Dataset data, int events, AbstractConfig config) {
    int batchSize = config.getInt(TrainerConfig.BATCH_SIZE);
    NetworkSpec spec = NetworkSpec.parse(data.cols(), config.getString(LAYERS));
    Learner learner = new Learner(new TrainingConfig(spec, Loss.SOFTMAX_CROSS_ENTROPY,
        OptimizerConfig.adam(0.001), batchSize, 42));
    float[] x = new float[batchSize * data.cols()];
    int[] y = new int[batchSize];
    float[] predictions = new float[batchSize * spec.outputs()];
    int trained = (int) (events * 0.9); // what the trainer trains on with its default 10% hold-out
    long start = System.nanoTime();
    for (int done = 0; done < trained; done += batchSize) {
      int rows = Math.min(batchSize, trained - done);
      for (int r = 0; r < rows; r++) {
        int row = (done + r) % data.rows();
        System.arraycopy(data.features(), row * data.cols(), x, r * data.cols(), data.cols());
        y[r] = data.labels()[row];
      }
      learner.fit(x, y, rows, predictions);
    }
    return new StageRow("engine alone (Learner.fit, in memory)", trained, seconds(start), "no Kafka");
  }

  /**
   * A trainer's settings over {@code topic} for model {@code bench-<suffix>}, every topic it writes
   * its own ({@code bench-<what>-<suffix>}, the group's sync topic included), the bench's network,
   * batch size and checkpoint rule, and a version every {@code publishEvery} batches.
   */
  static Map<String, String> trainerSettings(String servers, String topic, String suffix, AbstractConfig bench,
                                             int publishEvery) {
    Map<String, String> t = new HashMap<>();
    t.put(CommonKeys.BOOTSTRAP_SERVERS, servers);
    t.put(CommonKeys.MODEL_NAME, "bench-" + suffix);
    t.put(CommonKeys.LABELED_TOPIC, topic);
    for (String key : List.of(CommonKeys.MODELS_TOPIC, CommonKeys.METRICS_TOPIC, CommonKeys.DEAD_LETTER_TOPIC,
        TrainerConfig.CHECKPOINT_TOPIC, TrainerConfig.GROUP_SYNC_TOPIC)) {
      t.put(key, "bench-" + key.replace(".topic", "") + "-" + suffix);
    }
    t.put(TrainerConfig.FEATURES, "784");
    t.put(TrainerConfig.LAYERS, bench.getString(LAYERS));
    t.put(TrainerConfig.BATCH_SIZE, String.valueOf(bench.getInt(TrainerConfig.BATCH_SIZE)));
    t.put(TrainerConfig.PUBLISH_EVERY_BATCHES, String.valueOf(publishEvery));
    t.put(TrainerConfig.CHECKPOINT_EVERY_BATCHES, String.valueOf(bench.getInt(TrainerConfig.CHECKPOINT_EVERY_BATCHES)));
    return t;
  }

  private static StageRow trainer(String servers, String topic, String suffix, int events, AbstractConfig bench,
                             int publishEvery) throws InterruptedException {
    Map<String, String> t = trainerSettings(servers, topic, suffix, bench, publishEvery);
    TrainerRun run = TrainerRun.drain(new TrainerConfig(t), events, "bench-trainer");
    TrainerStatus s = run.status();
    return new StageRow("trainer end to end, a version every " + publishEvery + " batches (at most one a second)",
        s.eventsConsumed(), run.seconds(), String.format(Locale.ROOT,
            "%d trained, %d held out, %d versions, startup %.1f s not counted", s.examplesTrained(), s.heldOut(),
            s.publishedVersions(), run.startupSeconds()));
  }

  private static void print(PrintStream out, List<StageRow> rows, int events, int features, double produceSeconds,
                            AbstractConfig config) {
    out.printf(Locale.ROOT, "Trainer bench: %,d Fashion-MNIST LabeledEvents (%d features) on %d partitions, %s,"
            + " batch %d; topic filled in %.1f s; median of %d interleaved runs per stage%n%n", events, features,
        config.getInt(PARTITIONS), config.getString(LAYERS), config.getInt(TrainerConfig.BATCH_SIZE), produceSeconds,
        config.getInt(REPEAT));
    StageRow.print(out, rows);
  }

  private static StageRow median(List<StageRow> runs) {
    List<StageRow> sorted = runs.stream().sorted(java.util.Comparator.comparingDouble(StageRow::seconds)).toList();
    return sorted.get(sorted.size() / 2);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
