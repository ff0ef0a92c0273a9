package io.streamlearn.bench;

import io.streamlearn.app.RawInput;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.RawInputKeys;
import io.streamlearn.config.Settings;
import io.streamlearn.data.Flights;
import io.streamlearn.features.FeaturePipeline;
import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.InputRecord;
import io.streamlearn.features.LabelSpec;
import io.streamlearn.learn.Learner;
import io.streamlearn.learn.Loss;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.learn.OptimizerConfig;
import io.streamlearn.learn.TrainingConfig;
import io.streamlearn.tensor.SparseRows;
import io.streamlearn.testkit.EmbeddedKafka;
import io.streamlearn.train.TrainerConfig;
import io.streamlearn.train.TrainerStatus;
import java.io.PrintStream;
import java.nio.file.Path;
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
 * {@code streamlearn bench raw-trainer}: the trainer end to end over the users' own JSON records,
 * from a topic pre-filled with the Flights records (vega-datasets' 20,000, cycled, ids made unique, each lap a year of weeks later),
 * next to the raw {@code KafkaConsumer} on the same topic in the same run and the decode + pipeline
 * step alone, so the table shows where the time goes.
 */
public final class RawTrainerBench {
  static final String EVENTS = "events";
  static final String PARTITIONS = "partitions";
  /** Not "data": STREAMLEARN_DATA is where bin/fetch-data keeps the data sets, a directory. */
  static final String DATA = "flights.file";
  static final String LAYERS = "layers";
  static final String SPEC = RawInputKeys.FEATURE_SPEC;

  /** The bench's options. */
  public static final ConfigDef DEF = CommonKeys.batchSize(new ConfigDef()
      .define(CommonKeys.BOOTSTRAP_SERVERS, Type.STRING, "", Importance.HIGH,
          "Kafka to benchmark against; empty starts an embedded KRaft broker in this JVM.")
      .define(EVENTS, Type.INT, 600_000, Range.between(1_000, 10_000_000), Importance.HIGH,
          "Flights JSON records in the pre-filled topic (the 20,000 of flights-20k.json, cycled).")
      .define(PARTITIONS, Type.INT, 3, Range.between(1, 64), Importance.MEDIUM, "Partitions of the topic.")
      .define(DATA, Type.STRING, Flights.defaultPath(System.getenv()).toString(), Importance.MEDIUM,
          "flights-20k.json (./streamlearn fetch-data puts it there).")
      .define(LAYERS, Type.STRING, "dense(16,relu) > dense(1,sigmoid)", Importance.MEDIUM, "The network.")
      .define(SPEC, Type.STRING, Flights.SPEC, Importance.MEDIUM, "The feature spec (default: the one the"
          + " Flights quality figures use, with its 65,536 hashed time keys)."), 64)
      .define(TrainerConfig.PUBLISH_EVERY_BATCHES, Type.INT, 100, Range.atLeast(1), Importance.MEDIUM,
          "The trainer publishes a version after this many batches (and at most one a second).");

  private RawTrainerBench() {}

  /** Runs the bench with {@code streamlearn bench raw-trainer} arguments and prints the table. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out) throws Exception {
    AbstractConfig config = new AbstractConfig(DEF, Settings.ownKeys(Settings.collect(DEF, args, env)), false);
    List<byte[]> flights = Flights.records(Path.of(config.getString(DATA)));
    int events = config.getInt(EVENTS);
    String bootstrap = config.getString(CommonKeys.BOOTSTRAP_SERVERS);
    EmbeddedKafka embedded = bootstrap.isBlank() ? EmbeddedKafka.start() : null;
    try {
      String servers = embedded == null ? bootstrap : embedded.bootstrapServers();
      String topic = "bench-flights-" + Long.toString(System.currentTimeMillis(), 36);
      long produceStart = System.nanoTime();
      fill(servers, topic, config.getInt(PARTITIONS), flights, events);
      double produceSeconds = seconds(produceStart);
      consume(servers, topic, events); // warm-up
      List<StageRow> rows = new ArrayList<>();
      rows.add(consume(servers, topic, events));
      rows.add(pipelineAlone(flights, events, config.getInt(CommonKeys.BATCH_SIZE), config.getString(SPEC)));
      rows.add(engineAlone(flights, events, config));
      rows.add(trainer(servers, topic, events, config, "adwin"));
      // Flights drifts (and cycling it adds a jump every 20,000 records): each drift publishes a
      // version 20 batches later, past the one-a-second limit. The same without the drift rule:
      rows.add(trainer(servers, topic, events, config, "none"));
      out.printf(Locale.ROOT, "Raw trainer bench: %,d Flights JSON records on %d partitions, spec '%s', label %s,"
              + " %s, batch %d; topic filled in %.1f s%n%n", events, config.getInt(PARTITIONS), config.getString(SPEC),
          Flights.LABEL, config.getString(LAYERS), config.getInt(CommonKeys.BATCH_SIZE), produceSeconds);
      StageRow.print(out, rows);
      return 0;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private static void fill(String servers, String topic, int partitions, List<byte[]> flights, int events) {
    io.streamlearn.app.KafkaSupport.ensureTopics(new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        servers)), (short) -1, List.of(io.streamlearn.app.KafkaSupport.eventTopic(topic, partitions)));
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.LINGER_MS_CONFIG, 20,
        ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20, ProducerConfig.ACKS_CONFIG, "1"),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < events; i++) {
        // the key is the id (the trainer's default): unique across cycles, so the hold-out share holds;
        // each lap's dates move on a year of weeks, so no lap repeats a day the model has seen
        producer.send(new ProducerRecord<>(topic, "fl-" + i,
            Flights.onLap(flights.get(i % flights.size()), i / flights.size())));
      }
      producer.flush();
    }
  }

  private static StageRow consume(String servers, String topic, int events) {
    ConsumerRun run = ConsumerRun.read(servers, topic, events, value -> value.length);
    return new StageRow("raw KafkaConsumer (bytes)", run.count(), seconds(run.firstNanos()), run.perRecord() + " bytes/record");
  }

  /** Decode and learnAndFeaturize alone, in memory: the trainer's per-record work without Kafka or the engine. */
  private static StageRow pipelineAlone(List<byte[]> flights, int events, int batch, String specText) {
    FeatureSpec spec = FeatureSpec.parse(specText);
    LabelSpec label = LabelSpec.parse(Flights.LABEL);
    RawInput input = RawInput.json(spec, label, null);
    List<String> paths = new ArrayList<>(spec.paths());
    paths.add(label.path());
    var decoder = input.decoder(paths, Map.of());
    FeaturePipeline pipeline = new FeaturePipeline(spec, label, 2);
    SparseRows rows = new SparseRows(pipeline.layout(), batch);
    long start = System.nanoTime();
    for (int i = 0; i < events; i++) {
      if (rows.rows() == batch) {
        rows.clear();
      }
      InputRecord r = decoder.decode(flights.get(i % flights.size()));
      pipeline.learnAndFeaturize(r, rows);
    }
    return new StageRow("decode + learnAndFeaturize alone (in memory)", events, seconds(start), "no Kafka, no engine");
  }

  /** The engine alone on rows featurized beforehand: Learner.fit over sparse batches, in memory. */
  private static StageRow engineAlone(List<byte[]> flights, int events, AbstractConfig config) {
    int batch = config.getInt(CommonKeys.BATCH_SIZE);
    FeatureSpec spec = FeatureSpec.parse(config.getString(SPEC));
    LabelSpec label = LabelSpec.parse(Flights.LABEL);
    List<String> paths = new ArrayList<>(spec.paths());
    paths.add(label.path());
    var decoder = RawInput.json(spec, label, null).decoder(paths, Map.of());
    FeaturePipeline pipeline = new FeaturePipeline(spec, label, 2);
    int distinct = Math.min(events, flights.size());
    List<SparseRows> batches = new ArrayList<>();
    List<float[]> targets = new ArrayList<>();
    for (int i = 0; i < distinct; i += batch) {
      int n = Math.min(batch, distinct - i);
      SparseRows rows = new SparseRows(pipeline.layout(), n);
      float[] y = new float[n];
      for (int r = 0; r < n; r++) {
        y[r] = (float) pipeline.learnAndFeaturize(decoder.decode(flights.get(i + r)), rows).target();
      }
      batches.add(rows);
      targets.add(y);
    }
    NetworkSpec network = NetworkSpec.parse(pipeline.layout().totalWidth(), config.getString(LAYERS));
    Learner learner = new Learner(new TrainingConfig(network, Loss.BINARY_CROSS_ENTROPY, OptimizerConfig.adam(0.001),
        batch, 42, pipeline.layout()));
    float[] predictions = new float[batch * network.outputs()];
    long trained = 0;
    long start = System.nanoTime();
    for (int b = 0; trained < events; b = (b + 1) % batches.size()) {
      learner.fit(batches.get(b), targets.get(b), 0, predictions);
      trained += batches.get(b).rows();
    }
    return new StageRow("engine alone (Learner.fit on sparse rows, in memory)", trained, seconds(start),
        "no Kafka, no decoding");
  }

  private static StageRow trainer(String servers, String topic, int events, AbstractConfig bench, String drift)
      throws InterruptedException {
    String suffix = Long.toString(System.nanoTime(), 36);
    Map<String, String> t = new HashMap<>();
    t.put(CommonKeys.BOOTSTRAP_SERVERS, servers);
    t.put(CommonKeys.MODEL_NAME, "bench-raw-" + suffix);
    t.put(CommonKeys.LABELED_TOPIC, topic);
    for (String key : List.of(CommonKeys.MODELS_TOPIC, CommonKeys.METRICS_TOPIC, CommonKeys.DEAD_LETTER_TOPIC,
        TrainerConfig.CHECKPOINT_TOPIC)) {
      t.put(key, "bench-" + key.replace(".topic", "") + "-" + suffix);
    }
    t.put(RawInputKeys.INPUT_FORMAT, "json");
    t.put(RawInputKeys.FEATURE_SPEC, bench.getString(SPEC));
    t.put(RawInputKeys.LABEL_FIELD, Flights.LABEL);
    t.put(TrainerConfig.LAYERS, bench.getString(LAYERS));
    t.put(TrainerConfig.LOSS, "binary_cross_entropy");
    t.put(TrainerConfig.DRIFT_DETECTOR, drift);
    t.put(TrainerConfig.BATCH_SIZE, String.valueOf(bench.getInt(CommonKeys.BATCH_SIZE)));
    t.put(TrainerConfig.PUBLISH_EVERY_BATCHES, String.valueOf(bench.getInt(TrainerConfig.PUBLISH_EVERY_BATCHES)));
    TrainerRun run = TrainerRun.drain(new TrainerConfig(t), events, "bench-raw-trainer");
    TrainerStatus s = run.status();
    return new StageRow("trainer end to end (raw JSON, general path), drift detector " + drift, s.eventsConsumed(),
        run.seconds(),
        String.format(Locale.ROOT, "%d trained, %d held out, %d dead letters, %d versions, prequential accuracy"
                + " %.3f; startup %.1f s not counted", s.examplesTrained(), s.heldOut(), s.deadLetters(),
            s.publishedVersions(), s.prequentialAccuracy(), run.startupSeconds()));
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
