package io.streamlearn.cli;

import io.streamlearn.config.AppConfig;
import io.streamlearn.config.CommonKeys;
import io.streamlearn.config.Settings;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Options of {@code streamlearn models ...}. */
public final class ModelsConfig extends AppConfig {
  public static final String VERSION = "version";
  public static final String ALIAS = CommonKeys.ALIAS;
  public static final String FROM = "from";
  public static final String TO = "to";
  public static final String BY = "by";
  public static final String REASON = "reason";
  public static final String OUTPUT = "output";
  public static final String FLOAT16 = "float16";
  public static final String JSON = "json";
  public static final String FORMAT = "format";
  public static final String ONNX = "onnx";
  /** The export formats: the version record, or an ONNX model of its inference graph. */
  static final List<String> FORMATS = List.of("avro", "onnx");

  /** The table: shared keys plus the command's own. */
  public static final ConfigDef DEF = CommonKeys.alias(CommonKeys.define(new ConfigDef()),
          "Alias to promote, roll back or resolve.")
      .define(VERSION, Type.LONG, 0L, Range.atLeast(0), Importance.HIGH,
          "Version number (show, promote, export); 0 means the one --alias points at, else the latest.")
      .define(FROM, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM, "diff: the first version (0: the alias's previous).")
      .define(TO, Type.STRING, "", Importance.MEDIUM,
          "diff: the second version (empty: the latest); export: the file to write, as --output.")
      .define(BY, Type.STRING, System.getProperty("user.name", "cli"), new CommonKeys.NonBlank(),
          Importance.MEDIUM, "Who promotes or rolls back, recorded in the alias history.")
      .define(REASON, Type.STRING, "", Importance.MEDIUM, "Why, recorded in the alias history.")
      .define(OUTPUT, Type.STRING, "", Importance.MEDIUM,
          "export: the file to write (--format avro: the version record, Avro single-object encoding).")
      .define(FORMAT, Type.STRING, "avro", ConfigDef.ValidString.in(FORMATS.toArray(new String[0])),
          Importance.MEDIUM, "export: avro (an optimized version record) or onnx (an ONNX model of the inference"
          + " graph, opset 17, input 'features', output 'scores').")
      .define(ONNX, Type.STRING, "", Importance.MEDIUM,
          "import: the ONNX file to publish as a new version of --model-name.")
      .define(FLOAT16, Type.BOOLEAN, false, Importance.MEDIUM, "export: store the weights as float16.")
      .define(JSON, Type.BOOLEAN, false, Importance.LOW, "list, show, diff: print JSON instead of text.");

  /** Parses and validates; throws {@link org.apache.kafka.common.config.ConfigException} naming the key. */
  public ModelsConfig(Map<String, String> merged) {
    super(DEF, merged);
  }

  /** The settings of one invocation, read once. */
  ModelsSettings settings() {
    return new ModelsSettings(kafkaSettings(), getString(CommonKeys.MODELS_TOPIC), getString(CommonKeys.MODEL_NAME),
        getString(ALIAS), getLong(VERSION), getLong(FROM), getString(TO), getString(BY), getString(REASON),
        getString(OUTPUT), getBoolean(FLOAT16), getBoolean(JSON), getString(FORMAT), getString(ONNX));
  }

  /** From command-line arguments and the environment. */
  public static ModelsConfig fromArgs(List<String> args, Map<String, String> env) {
    return new ModelsConfig(Settings.collect(DEF, args, env));
  }
}
