package io.streamlearn.serve;

import io.streamlearn.app.RawInput;
import io.streamlearn.config.AppConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.HttpKeys;
import io.streamlearn.config.HttpSettings;
import io.streamlearn.config.RawInputKeys;
import io.streamlearn.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The inference service's configuration table. Besides the keys' own flags, {@code streamlearn
 * serve} takes {@code --model}, {@code --input-topic} and {@code --output-topic} as short forms of
 * {@code --model-name}, {@code --input-topics} and {@code --predictions-topic}.
 */
public final class InferenceConfig extends AppConfig {
  public static final String APPLICATION_ID = "application.id";
  public static final String ALIAS = CommonKeys.ALIAS;
  public static final String PROCESSING_GUARANTEE = "processing.guarantee";
  public static final String NUM_STREAM_THREADS = "num.stream.threads";
  public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
  public static final String STATE_DIR = "state.dir";
  public static final String MAX_PENDING_EVENTS = "max.pending.events";
  public static final String INPUT_TOPICS = "input.topics";
  public static final String BATCH_MAX_SIZE = "batch.max.size";
  public static final String BATCH_LINGER_MS = "batch.linger.ms";
  public static final String SHADOW_ALIAS = CommonKeys.SHADOW_ALIAS;
  public static final String SHADOW_TOPIC = CommonKeys.SHADOW_TOPIC;
  public static final String CANARY_ALIAS = "canary.alias";
  public static final String CANARY_SHARE = "canary.share";
  public static final String STATUS_INTERVAL_MS = "status.interval.ms";
  public static final String CATCH_UP_TIMEOUT_MS = "catch.up.timeout.ms";

  /**
   * Why the micro-batch defaults are what they are: measured by {@code streamlearn bench inference}
   * (docs/benchmarks.md), MLP 784-128-10 on Fashion-MNIST, one instance, exactly-once.
   */
  static final String BATCH_WHY = "Why these defaults ('streamlearn bench inference', MLP 784-128-10,"
      + " exactly-once, one stream thread; docs/benchmarks.md): a forward pass costs 1.8-2.8x less per row"
      + " 32 rows at a time, and over a backlog batches of 17-27 cost the stream thread 11.8-14.6 µs of CPU"
      + " per event against 13.5-16.3 µs one event at a time; but waiting up to 2 ms for a full batch"
      + " (batch.linger.ms=2, the default before) raised the median latency at 1,000 events/s from"
      + " 1.2-2.3 ms (one at a time) to 2.4-5.3 ms, and no setting's throughput stood out of the"
      + " run-to-run spread on a shared 2-core machine. So no event waits, and a batch is what arrived"
      + " together: 1.1 events per pass at 5,000 events/s, 17-19 from a backlog.";

  /** Short flags of {@code streamlearn serve}: {@code --model}, {@code --input-topic}, {@code --output-topic}. */
  static final Map<String, String> FLAG_ALIASES = Map.of(
      "--model", "--model-name",
      "--input-topic", "--input-topics",
      "--output-topic", "--predictions-topic");

  /** The table: shared keys plus the service's own. */
  public static final ConfigDef DEF = RawInputKeys.define(CommonKeys.alias(CommonKeys.define(new ConfigDef()),
          "The model alias to serve; the service swaps when it moves."))
      .define(HttpKeys.host())
      .define(HttpKeys.port(HttpKeys.OFF, "/metrics, /health/live, /health/ready and the predict API /v1/models/..."))
      .define(APPLICATION_ID, Type.STRING, "streamlearn-inference", new CommonKeys.NonBlank(),
          Importance.HIGH, "Kafka Streams application id; instances with the same id share the partitions.")
      .define(PROCESSING_GUARANTEE, Type.STRING, StreamsConfig.EXACTLY_ONCE_V2,
          ValidString.in(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), Importance.MEDIUM,
          "Kafka Streams processing guarantee.")
      .define(NUM_STREAM_THREADS, Type.INT, 1, Range.between(1, 64), Importance.MEDIUM,
          "Stream threads in this instance.")
      .define(COMMIT_INTERVAL_MS, Type.LONG, 100L, Range.atLeast(1), Importance.LOW,
          "How often Kafka Streams commits (and, under exactly-once, makes output visible).")
      .define(STATE_DIR, Type.STRING, System.getProperty("java.io.tmpdir") + "/streamlearn-streams",
          new CommonKeys.NonBlank(), Importance.LOW, "Directory of Kafka Streams local state.")
      .define(MAX_PENDING_EVENTS, Type.INT, 100_000, Range.atLeast(0), Importance.MEDIUM,
          "Events per task held while no model exists yet; beyond it they go to the dead-letter topic.")
      .define(INPUT_TOPICS, Type.LIST, "", Importance.HIGH,
          "Topics of events to score (--input-topic; FeatureEvent or LabeledEvent values, told apart by"
              + " their schema fingerprint; Avro JSON is read as LabeledEvent on labeled.topic, else as"
              + " FeatureEvent). Empty: features.topic and labeled.topic.")
      .define(BATCH_MAX_SIZE, Type.INT, 32, Range.between(1, 4096), Importance.MEDIUM,
          "Most events scored in one forward pass (micro-batch); 1 scores each event on arrival. With the"
              + " default batch.linger.ms=0 the batch follows the load: while the service keeps up with its"
              + " input (events under 20 ms old) or after a quiet millisecond, each event is scored alone on"
              + " arrival; behind its input, the events of one pass of the stream thread are scored together,"
              + " up to this many. " + BATCH_WHY)
      .define(BATCH_LINGER_MS, Type.LONG, 0L, Range.between(0, 60_000), Importance.MEDIUM,
          "Longest an event waits for its micro-batch to fill before it is scored anyway; 0: no event"
              + " waits for others, a batch is what arrived together (like a Kafka producer's linger.ms=0).")
      .define(CommonKeys.shadowAlias("A second alias (e.g. challenger) to score every event with too, written"
          + " to shadow.topic; empty: off."))
      .define(CommonKeys.shadowTopic())
      .define(CANARY_ALIAS, Type.STRING, "", new CommonKeys.OptionalAlias(), Importance.MEDIUM,
          "An alias (e.g. canary) that scores canary.share of the events instead of the served alias,"
              + " chosen by a hash of the record key; its predictions go to the predictions topic and name"
              + " it. Until it names a version the served alias scores its share. Empty: off.")
      .define(CANARY_SHARE, Type.DOUBLE, null, new ShareOrUnset(), Importance.MEDIUM,
          "The share of keys canary.alias scores, in [0, 1] (0.1: one key in ten); needs canary.alias.")
      .define(STATUS_INTERVAL_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
          "How often 'streamlearn serve' prints its status line; 0: never.")
      .define(CATCH_UP_TIMEOUT_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
          "When a partition moves to an instance whose registry view is behind the version the"
              + " partition last used, its events wait at most this long for the instance to catch up.");

  /** Parses and validates; throws {@link org.apache.kafka.common.config.ConfigException} naming the key. */
  public InferenceConfig(Map<String, String> merged) {
    super(DEF, merged);
    RawInput.from(this, false); // the raw-input keys go together: fail now, naming the flag
    canary(); // so do the canary's
  }

  /**
   * The canary split, or {@code null} when off.
   *
   * @throws ConfigException naming the flag: a share without an alias or an alias without a share,
   *     or a canary alias that is the served or the shadow alias
   */
  public CanarySplit canary() {
    String alias = getString(CANARY_ALIAS).trim();
    Double share = getDouble(CANARY_SHARE);
    if (alias.isEmpty() && share == null) {
      return null;
    }
    if (alias.isEmpty()) {
      throw new ConfigException(CANARY_ALIAS, "", "--canary-share " + share + " needs --canary-alias, the alias"
          + " that scores that share of the events");
    }
    if (share == null) {
      throw new ConfigException(CANARY_SHARE, "", "--canary-alias " + alias + " needs --canary-share, the share"
          + " of events it scores, in [0, 1] (e.g. 0.1)");
    }
    if (alias.equals(getString(ALIAS).trim())) {
      throw new ConfigException(CANARY_ALIAS, alias, "is the served alias (--alias); a canary is another alias");
    }
    if (alias.equals(shadowAlias())) {
      throw new ConfigException(CANARY_ALIAS, alias, "is the shadow alias (--shadow-alias), which scores every"
          + " event into its own topic; a canary scores a share of them instead of the served alias");
    }
    return new CanarySplit(alias, share);
  }

  /** Unset (null), or a share in [0, 1]. */
  static final class ShareOrUnset implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      if (value != null && !((Double) value >= 0 && (Double) value <= 1)) {
        throw new ConfigException(name, value, "must be in [0, 1]");
      }
    }

    @Override
    public String toString() {
      return "unset, or in [0, 1]";
    }
  }

  /** From command-line arguments and the environment. */
  public static InferenceConfig fromArgs(List<String> args, Map<String, String> env) {
    List<String> expanded = new ArrayList<>(args.size());
    for (String arg : args) {
      int eq = arg.indexOf('=');
      String flag = eq < 0 ? arg : arg.substring(0, eq);
      String full = FLAG_ALIASES.get(flag);
      expanded.add(full == null ? arg : full + (eq < 0 ? "" : arg.substring(eq)));
    }
    return new InferenceConfig(Settings.collect(DEF, expanded, env));
  }

  /** Where {@code serve} listens for HTTP (off unless {@code --http-port} is set). */
  public HttpSettings http() {
    return HttpSettings.of(this);
  }

  /** The settings the service runs with, read once. */
  public InferenceSettings settings() {
    return new InferenceSettings(kafkaSettings(), topicSettings(), getString(CommonKeys.MODEL_NAME),
        getString(ALIAS), shadowAlias(), getString(SHADOW_TOPIC), inputTopics(), getString(APPLICATION_ID),
        getString(PROCESSING_GUARANTEE), getInt(NUM_STREAM_THREADS), getLong(COMMIT_INTERVAL_MS),
        getString(STATE_DIR), getInt(MAX_PENDING_EVENTS), getInt(BATCH_MAX_SIZE), getLong(BATCH_LINGER_MS),
        getLong(CATCH_UP_TIMEOUT_MS), getLong(STATUS_INTERVAL_MS), RawInput.from(this, false), canary());
  }

  /** The topics to score: {@code input.topics}, or the features and labeled topics. */
  public List<String> inputTopics() {
    List<String> explicit = getList(INPUT_TOPICS).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    return explicit.isEmpty()
        ? List.of(getString(CommonKeys.FEATURES_TOPIC), getString(CommonKeys.LABELED_TOPIC)) : explicit;
  }

  /** The shadow alias, or {@code null} when shadow scoring is off. */
  public String shadowAlias() {
    String s = getString(SHADOW_ALIAS).trim();
    return s.isEmpty() ? null : s;
  }
}
