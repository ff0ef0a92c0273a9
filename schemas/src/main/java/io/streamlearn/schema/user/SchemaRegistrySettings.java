package io.streamlearn.schema.user;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where the schema registry is and how to log in, read from the client properties a Confluent
 * serializer takes, so a team's existing settings work unchanged.
 *
 * <ul>
 *   <li>{@value #URL}: one URL or several comma-separated; they are tried in turn.
 *   <li>{@value #CREDENTIALS_SOURCE}: {@code USER_INFO} takes {@code user:password} from
 *       {@value #USER_INFO} (or the older {@value #REGISTRY_USER_INFO}); {@code URL} takes it
 *       from the URL ({@code https://user:password@host}). When the key is absent, a user info
 *       property wins if set, else the URL's. {@code SASL_INHERIT} and bearer tokens are refused.
 *   <li>{@value #CONNECT_TIMEOUT} and {@value #READ_TIMEOUT} in milliseconds (also with the
 *       {@code schema.registry.} prefix); defaults 10 s and 30 s.
 * </ul>
 *
 * @param urls the registry base URLs, without credentials or a trailing slash
 * @param userInfo {@code user:password} for HTTP basic authentication, or null for none
 * @param connectTimeout how long to wait for a connection to one URL
 * @param requestTimeout how long to wait for one response
 */
public record SchemaRegistrySettings(List<URI> urls, String userInfo, Duration connectTimeout,
                                     Duration requestTimeout) {
  /** The registry URL(s), comma-separated. */
  public static final String URL = "schema.registry.url";
  /** Where the basic-auth credentials come from: USER_INFO or URL. */
  public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  /** {@code user:password} when the source is USER_INFO. */
  public static final String USER_INFO = "basic.auth.user.info";
  /** The older name of {@link #USER_INFO}. */
  public static final String REGISTRY_USER_INFO = "schema.registry.basic.auth.user.info";
  /** Connect timeout in milliseconds. */
  public static final String CONNECT_TIMEOUT = "http.connect.timeout.ms";
  /** Response timeout in milliseconds. */
  public static final String READ_TIMEOUT = "http.read.timeout.ms";

  private static final String PREFIX = "schema.registry.";

  /** Checks every field; copies the URL list. */
  public SchemaRegistrySettings {
    Objects.requireNonNull(urls, "urls");
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("urls is empty: set " + URL);
    }
    urls = List.copyOf(urls);
    for (URI url : urls) {
      if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
        throw new IllegalArgumentException("urls: " + url + " is not an http(s) URL");
      }
      if (url.getRawUserInfo() != null) {
        throw new IllegalArgumentException("urls: " + redact(url) + " still carries credentials; pass them as userInfo");
      }
    }
    if (userInfo != null && !userInfo.contains(":")) {
      throw new IllegalArgumentException("userInfo must be user:password, got a value without ':'");
    }
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(requestTimeout, "requestTimeout");
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }

  /**
   * Reads the settings from client properties (keys above; values are read with {@code toString}).
   *
   * @throws IllegalArgumentException naming the key whose value is missing or invalid
   */
  public static SchemaRegistrySettings fromProperties(Map<String, ?> props) {
    String urlList = text(props, URL);
    if (urlList == null) {
      throw new IllegalArgumentException(URL + " is not set: give the schema registry's URL (--schema-registry-url)");
    }
    String source = text(props, CREDENTIALS_SOURCE);
    if (source == null) {
      source = text(props, PREFIX + CREDENTIALS_SOURCE);
    }
    String propertyUserInfo = text(props, USER_INFO);
    if (propertyUserInfo == null) {
      propertyUserInfo = text(props, REGISTRY_USER_INFO);
    }
    List<URI> urls = new ArrayList<>();
    String urlUserInfo = null;
    for (String part : urlList.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      URI uri;
      try {
        uri = new URI(part.strip());
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException(URL + ": not a URL: " + e.getMessage(), e);
      }
      if (uri.getRawUserInfo() != null) {
        urlUserInfo = decode(uri.getRawUserInfo());
      }
      urls.add(withoutUserInfo(uri));
    }
    String mode = source == null ? (propertyUserInfo != null ? "USER_INFO" : "URL") : source.toUpperCase(Locale.ROOT);
    String userInfo = switch (mode) {
      case "USER_INFO" -> {
        if (propertyUserInfo == null) {
          throw new IllegalArgumentException(CREDENTIALS_SOURCE + "=USER_INFO but neither " + USER_INFO + " nor "
              + REGISTRY_USER_INFO + " is set (user:password)");
        }
        yield propertyUserInfo;
      }
      case "URL" -> urlUserInfo;
      default -> throw new IllegalArgumentException(CREDENTIALS_SOURCE + "=" + source
          + " is not supported: use USER_INFO (with " + USER_INFO + "=user:password) or URL");
    };
    if (userInfo != null && !userInfo.contains(":")) {
      throw new IllegalArgumentException((mode.equals("URL") ? URL : USER_INFO) + " credentials must be user:password");
    }
    return new SchemaRegistrySettings(urls, userInfo,
        millis(props, CONNECT_TIMEOUT, Duration.ofSeconds(10)), millis(props, READ_TIMEOUT, Duration.ofSeconds(30)));
  }

  private static String text(Map<String, ?> props, String key) {
    Object v = props.get(key);
    return v == null || v.toString().isBlank() ? null : v.toString().strip();
  }

  private static Duration millis(Map<String, ?> props, String key, Duration fallback) {
    String v = text(props, key);
    String used = key;
    if (v == null) {
      used = PREFIX + key;
      v = text(props, used);
    }
    if (v == null) {
      return fallback;
    }
    try {
      long ms = Long.parseLong(v);
      if (ms <= 0) {
        throw new IllegalArgumentException(used + " must be a positive number of milliseconds, got " + v);
      }
      return Duration.ofMillis(ms);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(used + " must be a number of milliseconds, got '" + v + "'", e);
    }
  }

  private static String decode(String raw) {
    return java.net.URLDecoder.decode(raw.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static URI withoutUserInfo(URI uri) {
    String s = uri.toString();
    if (uri.getRawUserInfo() != null) {
      s = s.replace(uri.getRawUserInfo() + "@", "");
    }
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    return URI.create(s);
  }

  private static String redact(URI url) {
    return url.toString().replace(url.getRawUserInfo() + "@", "***@");
  }

  @Override
  public String toString() {
    // Never print the password.
    return "SchemaRegistrySettings[urls=" + urls + ", userInfo=" + (userInfo == null ? "none"
        : userInfo.substring(0, userInfo.indexOf(':')) + ":***") + ", connectTimeout=" + connectTimeout
        + ", requestTimeout=" + requestTimeout + "]";
  }
}
