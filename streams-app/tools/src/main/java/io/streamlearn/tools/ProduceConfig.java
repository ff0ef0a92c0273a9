package io.streamlearn.tools;

import io.streamlearn.config.AppConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;

/** The configuration table of {@code streamlearn produce}. */
public final class ProduceConfig extends AppConfig {
  public static final String SOURCE = "source";
  public static final String FILE = "file";
  public static final String LABELS_FILE = "labels.file";
  public static final String GENERATOR = "generator";
  public static final String COUNT = "count";
  public static final String RATE = "rate";
  public static final String UNLABELED_SHARE = "unlabeled.share";
  public static final String LABEL_COLUMN = "label.column";
  public static final String CSV_HEADER = "csv.header";
  public static final String ID_PREFIX = "id.prefix";
  public static final String SEED = "seed";
  public static final String TOPIC = "topic";
  public static final String KEY_FIELD = "key.field";

  /** The table: shared keys plus the producer's own. */
  public static final ConfigDef DEF = CommonKeys.define(new ConfigDef())
      .define(SOURCE, Type.STRING, "generator",
          ValidString.in("generator", "csv", "jsonl", "events-jsonl", "idx"),
          Importance.HIGH, "Where records come from: a generated stream, a CSV file (numbers, one "
              + "event a line), jsonl: your own JSON objects, one a line, sent as they are (no "
              + "wrapping) to --topic; events-jsonl: lines {\"features\": [...], \"label\": 3} "
              + "(id and eventTime optional; no label: a FeatureEvent) sent as LabeledEvents, or "
              + "IDX files (MNIST-style images).")
      .define(FILE, Type.STRING, "", Importance.HIGH,
          "The CSV, JSON-lines or IDX images file ('-' reads CSV or JSON lines from standard input).")
      .define(TOPIC, Type.STRING, "", Importance.HIGH,
          "For jsonl: the topic the raw JSON records go to (created when missing).")
      .define(KEY_FIELD, Type.STRING, "", Importance.MEDIUM,
          "For jsonl: the record key from this field (a dotted path such as user.id; a string as it "
              + "is, a number as its JSON text). Default: the id prefix and the line number.")
      .define(LABELS_FILE, Type.STRING, "", Importance.MEDIUM,
          "For IDX: the labels file (idx1-ubyte); without it the images are sent as FeatureEvents.")
      .define(GENERATOR, Type.STRING, "blobs", ValidString.in("blobs", "hyperplane", "sea"),
          Importance.MEDIUM, "For the generator source: drifting Gaussian blobs, rotating hyperplane or SEA.")
      .define(COUNT, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
          "Events to send; 0: the whole file, or endless for the generator.")
      .define(RATE, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
          "Events per second; 0: as fast as the broker takes them.")
      .define(UNLABELED_SHARE, Type.DOUBLE, 0.0, Range.between(0.0, 1.0), Importance.MEDIUM,
          "Share of labeled examples sent without their label, as FeatureEvents to the features topic.")
      .define(LABEL_COLUMN, Type.STRING, "last", new LabelColumn(), Importance.MEDIUM,
          "For CSV: the label's column ('last', 'first', a 0-based index, or 'none' for "
              + "FeatureEvents). An integer label is a class index, a decimal one a regression target.")
      .define(CSV_HEADER, Type.BOOLEAN, false, Importance.LOW, "For CSV: skip the first line.")
      .define(ID_PREFIX, Type.STRING, "p-", Importance.LOW,
          "Prefix of generated event ids (id = prefix + line or example number).")
      .define(SEED, Type.LONG, 42L, Importance.LOW, "Seed of the generator and of the unlabeled share.");

  /** Parses and validates; throws {@link ConfigException} naming the key. */
  public ProduceConfig(Map<String, String> merged) {
    super(DEF, merged);
    String source = getString(SOURCE);
    if (!source.equals("generator") && getString(FILE).isBlank()) {
      throw new ConfigException(FILE, "", "--source " + source + " needs --file");
    }
    if (source.equals("jsonl") && getString(TOPIC).isBlank()) {
      // Since raw JSON became jsonl, an old command line lands here: say where the old meaning went.
      throw new ConfigException(TOPIC, "", "--source jsonl sends your JSON objects as they are and "
          + "needs --topic; for lines {\"features\": [...], \"label\": 3} sent as LabeledEvents "
          + "use --source events-jsonl");
    }
    if (!source.equals("jsonl") && !(getString(TOPIC).isBlank() && getString(KEY_FIELD).isBlank())) {
      throw new ConfigException(source.equals("jsonl") ? KEY_FIELD : TOPIC, getString(TOPIC),
          "--topic and --key-field go with --source jsonl, found --source " + source);
    }
  }

  /** The settings the command runs with, read once. */
  public ProduceSettings settings() {
    return new ProduceSettings(kafkaSettings(), topicSettings(), getString(SOURCE), getString(FILE),
        getString(LABELS_FILE), getString(GENERATOR), getLong(COUNT), getInt(RATE), getDouble(UNLABELED_SHARE),
        getString(LABEL_COLUMN), getBoolean(CSV_HEADER), getString(ID_PREFIX), getLong(SEED),
        getString(TOPIC), getString(KEY_FIELD));
  }

  /** From command-line arguments and the environment. */
  public static ProduceConfig fromArgs(List<String> args, Map<String, String> env) {
    return new ProduceConfig(Settings.collect(DEF, args, env));
  }

  /** {@code last}, {@code first}, {@code none} or a column index. */
  static final class LabelColumn implements ConfigDef.Validator {
    @Override
    public void ensureValid(String name, Object value) {
      String s = String.valueOf(value);
      if (!s.equals("last") && !s.equals("first") && !s.equals("none") && !s.matches("\\d{1,6}")) {
        throw new ConfigException(name, value, "must be last, first, none or a column index");
      }
    }

    @Override
    public String toString() {
      return "last, first, none or a 0-based column index";
    }
  }
}
