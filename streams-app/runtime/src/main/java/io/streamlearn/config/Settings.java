package io.streamlearn.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>A boolean key is a switch: {@code --read-only} alone means {@code true}, and
 * {@code --read-only=false} or {@code --read-only false} still say it outright. {@code -h} and
 * {@code --help} anywhere ask for {@link #help}; commands check {@link #asksForHelp} before they
 * collect. An environment variable {@code STREAMLEARN_...} that names no key of the app is ignored
 * with a warning naming the nearest key, since a typo there would otherwise go unnoticed.
 */
public final class Settings {
  /** Prefix of pass-through Kafka client properties in files and the merged map. */
  public static final String KAFKA_PREFIX = "kafka.";
  private static final String ENV_PREFIX = "STREAMLEARN_";
  /** Variables with the prefix that belong to the launcher script, not to an app's table. */
  private static final Set<String> LAUNCHER_VARIABLES = Set.of("STREAMLEARN_JAVA_OPTS", "STREAMLEARN_LOG_FORMAT");
  /** Largest edit distance at which a name is offered as "did you mean". */
  private static final int MAX_SUGGESTION_DISTANCE = 3;
  private static final Logger LOG = LoggerFactory.getLogger(Settings.class);

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
      boolean own = !name.equals("config") && !name.equals("kafka-property");
      if (own && !def.names().contains(name.replace('-', '.'))) {
        // before reading a value: a typo is reported as a typo, not as a missing value
        throw new ConfigException("unknown option --" + name + suggestion(def, name.replace('-', '.')));
      }
      if (value == null && isBoolean(def, name)) {
        // a switch takes an explicit true/false after it, and nothing else, so that
        // '--json list' never reads 'list' as the switch's value
        boolean explicit = i + 1 < args.size() && isBooleanText(args.get(i + 1));
        value = explicit ? args.get(++i) : "true";
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
        flags.put(name.replace('-', '.'), value);
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
      String key = envKey(e.getKey());
      if (def.names().contains(key) || key.startsWith(KAFKA_PREFIX)) {
        merged.put(key, e.getValue());
      }
    }
    unknownEnvironment(def, env).forEach(LOG::warn);
    merged.putAll(flags);
    return merged;
  }

  /** Whether the arguments ask for help: {@code -h} or {@code --help} among them. */
  public static boolean asksForHelp(List<String> args) {
    return args.contains("-h") || args.contains("--help");
  }

  /**
   * One warning for each {@code STREAMLEARN_...} variable that names no key of the table (and is
   * neither a Kafka pass-through nor the launcher's own), with the nearest key's variable.
   */
  public static List<String> unknownEnvironment(ConfigDef def, Map<String, String> env) {
    List<String> out = new ArrayList<>();
    for (String name : new TreeMap<>(env).keySet()) {
      if (!name.startsWith(ENV_PREFIX) || LAUNCHER_VARIABLES.contains(name)) {
        continue;
      }
      String key = envKey(name);
      if (def.names().contains(key) || key.startsWith(KAFKA_PREFIX)) {
        continue;
      }
      out.add("ignoring environment variable " + name + ": not an option of this command" + closest(def.names(), key)
          .map(k -> " (did you mean " + envName(k) + "?)").orElse(" (see --help)"));
    }
    return out;
  }

  /**
   * The candidate nearest to a mistyped word by edit distance, if one is near enough to be what
   * was meant. Flags, environment variables and command names all get their "did you mean" here.
   */
  public static Optional<String> closest(Collection<String> candidates, String word) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(candidate, word);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return bestDistance <= MAX_SUGGESTION_DISTANCE ? Optional.ofNullable(best) : Optional.empty();
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

  /**
   * The map without pass-through Kafka properties, keeping the keys {@code def} declares even
   * under the {@code kafka.} prefix (the demo's own {@code kafka.port}, the port of the broker it
   * runs, is no client property).
   */
  public static Map<String, String> ownKeys(ConfigDef def, Map<String, String> merged) {
    Map<String, String> out = new LinkedHashMap<>(merged);
    out.keySet().removeIf(k -> k.startsWith(KAFKA_PREFIX) && !def.names().contains(k));
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
      String flag = flag(k.name);
      // a switch needs no value: --read-only alone sets it
      String value = k.type == ConfigDef.Type.BOOLEAN ? "[=true|false]"
          : " <" + k.type.name().toLowerCase(Locale.ROOT) + ">";
      Object dflt = k.hasDefault() ? k.defaultValue : "(required)";
      sb.append(String.format("  %s%s  / %s%n      %s%n      default: %s%s%n", flag, value,
          envName(k.name), k.documentation,
          dflt == null ? "none" : dflt, k.validator == null ? "" : "; valid: " + k.validator));
    }
    sb.append("  --config <file>\n      A properties file with the same keys (batch.size=64).\n");
    sb.append("  --kafka-property <name=value>  / STREAMLEARN_KAFKA_<NAME>\n")
        .append("      Any Kafka client property, passed to every client (repeatable),\n")
        .append("      e.g. --kafka-property security.protocol=SASL_SSL\n");
    sb.append("  -h, --help\n      This text.\n");
    return sb.toString();
  }

  private static boolean isBoolean(ConfigDef def, String flagName) {
    ConfigDef.ConfigKey key = def.configKeys().get(flagName.replace('-', '.'));
    return key != null && key.type == ConfigDef.Type.BOOLEAN;
  }

  private static boolean isBooleanText(String s) {
    return s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false");
  }

  private static String envKey(String variable) {
    return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private static final Pattern INVALID_VALUE =
      Pattern.compile("Invalid value (.*) for configuration ([A-Za-z0-9._-]+)(?:: (.*))?", Pattern.DOTALL);
  private static final Pattern MISSING =
      Pattern.compile("Missing required configuration \"([A-Za-z0-9._-]+)\".*", Pattern.DOTALL);

  /**
   * A configuration error as a user of the command line reads it: Kafka's validators speak of
   * keys ({@code Invalid value x for configuration layers: ...}); this names the flag and the
   * environment variable that set it ({@code --layers (STREAMLEARN_LAYERS): invalid value 'x': ...}).
   * Messages of another form are returned as they are.
   */
  public static String explain(ConfigException e) {
    String message = String.valueOf(e.getMessage());
    Matcher invalid = INVALID_VALUE.matcher(message);
    if (invalid.matches()) {
      String key = invalid.group(2);
      String reason = invalid.group(3);
      return flag(key) + " (" + envName(key) + "): invalid value '" + invalid.group(1) + "'"
          + (reason == null || reason.isBlank() ? "" : ": " + reason);
    }
    Matcher missing = MISSING.matcher(message);
    if (missing.matches()) {
      String key = missing.group(1);
      return flag(key) + " (" + envName(key) + ") is required";
    }
    return message;
  }

  private static String flag(String key) {
    return "--" + key.replace('.', '-');
  }

  private static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
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
    return closest(def.names(), key).map(k -> " (did you mean " + flag(k) + "?)")
        .orElse(" (see --help)");
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
