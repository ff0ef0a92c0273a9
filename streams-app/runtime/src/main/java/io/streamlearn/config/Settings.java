package io.streamlearn.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Collects the raw settings of one app from its sources and checks them against its {@link
 * ConfigDef}.
 *
 * <p>A flag {@code --batch-size 64} (or {@code --batch-size=64}) sets key {@code batch.size}; the
 * environment variable {@code STREAMLEARN_BATCH_SIZE} sets it too, and so does the line
 * {@code batch.size=64} in the file named by {@code --config}. Flags win over the environment,
 * which wins over the file. {@code --kafka-property name=value} (repeatable), environment
 * variables {@code STREAMLEARN_KAFKA_...} and file keys {@code kafka.name} pass any Kafka client
 * property through to every client the app creates.
 */
public final class Settings {
  /** Prefix of pass-through Kafka client properties in files and the merged map. */
  public static final String KAFKA_PREFIX = "kafka.";
  private static final String ENV_PREFIX = "STREAMLEARN_";

  private Settings() {}

  /**
   * Merges flags, environment and file into the raw map a config class parses.
   *
   * @param def the app's config table
   * @param args command-line arguments after the subcommand
   * @param env the environment (usually {@link System#getenv()})
   * @throws ConfigException naming the key for an unknown flag, a flag without value or an
   *     unreadable config file
   */
  public static Map<String, String> collect(ConfigDef def, List<String> args, Map<String, String> env) {
    Map<String, String> flags = new LinkedHashMap<>();
    String configFile = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (!arg.startsWith("--")) {
        throw new ConfigException("unexpected argument '" + arg + "' (options start with --)");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (value == null) {
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
          throw new ConfigException("option --" + name + " needs a value");
        }
        value = args.get(++i);
      }
      if (name.equals("config")) {
        configFile = value;
      } else if (name.equals("kafka-property")) {
        int sep = value.indexOf('=');
        if (sep <= 0) {
          throw new ConfigException("--kafka-property takes name=value, found '" + value + "'");
        }
        flags.put(KAFKA_PREFIX + value.substring(0, sep), value.substring(sep + 1));
      } else {
        String key = name.replace('-', '.');
        if (!def.names().contains(key)) {
          throw new ConfigException("unknown option --" + name + suggestion(def, key));
        }
        flags.put(key, value);
      }
    }
    Map<String, String> merged = new LinkedHashMap<>();
    if (configFile != null) {
      merged.putAll(readFile(def, Path.of(configFile)));
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX)) {
        continue;
      }
      String key = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
      if (def.names().contains(key) || key.startsWith(KAFKA_PREFIX)) {
        merged.put(key, e.getValue());
      }
    }
    merged.putAll(flags);
    return merged;
  }

  /** The pass-through Kafka client properties in a merged map, prefix removed. */
  public static Map<String, Object> kafkaProperties(Map<String, ?> merged) {
    Map<String, Object> out = new TreeMap<>();
    merged.forEach((k, v) -> {
      if (k.startsWith(KAFKA_PREFIX)) {
        out.put(k.substring(KAFKA_PREFIX.length()), v);
      }
    });
    return out;
  }

  /** The map without pass-through Kafka properties, for {@link ConfigDef#parse}. */
  public static Map<String, String> ownKeys(Map<String, String> merged) {
    Map<String, String> out = new LinkedHashMap<>(merged);
    out.keySet().removeIf(k -> k.startsWith(KAFKA_PREFIX));
    return out;
  }

  /** {@code --help} text: each option with its type, default and meaning. */
  public static String help(String usage, ConfigDef def) {
    StringBuilder sb = new StringBuilder(usage).append("\n\nOptions (flag / environment variable):\n");
    List<ConfigDef.ConfigKey> keys = new ArrayList<>(def.configKeys().values());
    for (ConfigDef.ConfigKey k : keys) {
      String flag = "--" + k.name.replace('.', '-');
      String envName = ENV_PREFIX + k.name.toUpperCase(Locale.ROOT).replace('.', '_');
      Object dflt = k.hasDefault() ? k.defaultValue : "(required)";
      sb.append(String.format("  %s <%s>  / %s%n      %s%n      default: %s%s%n", flag,
          k.type.name().toLowerCase(Locale.ROOT), envName, k.documentation,
          dflt == null ? "none" : dflt, k.validator == null ? "" : "; valid: " + k.validator));
    }
    sb.append("  --config <file>\n      A properties file with the same keys (batch.size=64).\n");
    sb.append("  --kafka-property <name=value>  / STREAMLEARN_KAFKA_<NAME>\n")
        .append("      Any Kafka client property, passed to every client (repeatable),\n")
        .append("      e.g. --kafka-property security.protocol=SASL_SSL\n");
    return sb.toString();
  }

  private static Map<String, String> readFile(ConfigDef def, Path file) {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      props.load(reader);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : props.stringPropertyNames()) {
      if (!def.names().contains(key) && !key.startsWith(KAFKA_PREFIX)) {
        throw new ConfigException("unknown key '" + key + "' in " + file + suggestion(def, key));
      }
      out.put(key, props.getProperty(key));
    }
    return out;
  }

  private static String suggestion(ConfigDef def, String key) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : def.names()) {
      int d = distance(name, key);
      if (d < bestDistance) {
        bestDistance = d;
        best = name;
      }
    }
    return best != null && bestDistance <= 3 ? " (did you mean --" + best.replace('.', '-') + "?)"
        : " (see --help)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
