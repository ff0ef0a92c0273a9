package io.streamlearn.registry.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;

/** A mount handler serving files from a classpath folder (for a dashboard's page and scripts). */
public final class StaticFiles implements Routes.Handler {
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html", "js", "text/javascript", "css", "text/css", "json", "application/json",
      "svg", "image/svg+xml", "png", "image/png", "ico", "image/x-icon", "txt", "text/plain");

  private final String classpathFolder;
  private final String index;

  /**
   * Serves {@code classpathFolder/<rest of path>}; an empty rest serves {@code index}.
   *
   * @param classpathFolder e.g. {@code /io/streamlearn/dashboard/}
   */
  public StaticFiles(String classpathFolder, String index) {
    this.classpathFolder = classpathFolder.endsWith("/") ? classpathFolder : classpathFolder + "/";
    this.index = index;
  }

  @Override
  public HttpResponse handle(HttpRequest request) throws IOException {
    String rest = request.param("path");
    if (rest.isEmpty() || rest.endsWith("/")) {
      rest = rest + index;
    }
    if (rest.contains("..") || rest.startsWith("/")) {
      throw new HttpError(404, "no such file: " + rest);
    }
    try (InputStream in = StaticFiles.class.getResourceAsStream(classpathFolder + rest)) {
      if (in == null) {
        throw new HttpError(404, "no such file: " + rest);
      }
      String ext = rest.substring(rest.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
      return HttpResponse.bytes(in.readAllBytes(), TYPES.getOrDefault(ext, "application/octet-stream"));
    }
  }
}
