package io.streamlearn.schema.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaRegistrySettingsTest {
  @Test
  void severalUrlsAreSplitTrimmedAndLoseTheirTrailingSlash() {
    SchemaRegistrySettings s = SchemaRegistrySettings.fromProperties(Map.of(
        SchemaRegistrySettings.URL, " http://a:8081/, https://b.example.com:8081 ,"));
    assertEquals(List.of(URI.create("http://a:8081"), URI.create("https://b.example.com:8081")), s.urls());
    assertNull(s.userInfo());
    assertEquals(Duration.ofSeconds(10), s.connectTimeout());
    assertEquals(Duration.ofSeconds(30), s.requestTimeout());
  }

  @Test
  void credentialsComeFromUserInfoOrFromTheUrl() {
    assertEquals("u:p", SchemaRegistrySettings.fromProperties(Map.of(SchemaRegistrySettings.URL, "http://a",
        SchemaRegistrySettings.CREDENTIALS_SOURCE, "USER_INFO", SchemaRegistrySettings.USER_INFO, "u:p")).userInfo());
    assertEquals("u:p", SchemaRegistrySettings.fromProperties(Map.of(SchemaRegistrySettings.URL, "http://a",
        SchemaRegistrySettings.REGISTRY_USER_INFO, "u:p")).userInfo());
    SchemaRegistrySettings fromUrl = SchemaRegistrySettings.fromProperties(Map.of(
        SchemaRegistrySettings.URL, "https://u:p%40ss@a:8081", SchemaRegistrySettings.CREDENTIALS_SOURCE, "url"));
    assertEquals("u:p@ss", fromUrl.userInfo());
    assertEquals(List.of(URI.create("https://a:8081")), fromUrl.urls());
  }

  @Test
  void timeoutsAreReadInMillisecondsWithOrWithoutThePrefix() {
    SchemaRegistrySettings s = SchemaRegistrySettings.fromProperties(Map.of(SchemaRegistrySettings.URL, "http://a",
        "schema.registry.http.connect.timeout.ms", "1500", SchemaRegistrySettings.READ_TIMEOUT, 2500));
    assertEquals(Duration.ofMillis(1500), s.connectTimeout());
    assertEquals(Duration.ofMillis(2500), s.requestTimeout());
  }

  @Test
  void badSettingsAreRefusedNamingTheKey() {
    assertMessage(Map.of(), "schema.registry.url is not set");
    assertMessage(Map.of(SchemaRegistrySettings.URL, "ftp://a"), "not an http(s) URL");
    assertMessage(Map.of(SchemaRegistrySettings.URL, "http://a", SchemaRegistrySettings.CREDENTIALS_SOURCE, "USER_INFO"),
        "basic.auth.user.info");
    assertMessage(Map.of(SchemaRegistrySettings.URL, "http://a", SchemaRegistrySettings.CREDENTIALS_SOURCE, "SASL_INHERIT"),
        "basic.auth.credentials.source=SASL_INHERIT is not supported");
    assertMessage(Map.of(SchemaRegistrySettings.URL, "http://a", SchemaRegistrySettings.USER_INFO, "nocolon"),
        "user:password");
    assertMessage(Map.of(SchemaRegistrySettings.URL, "http://a", SchemaRegistrySettings.READ_TIMEOUT, "soon"),
        "http.read.timeout.ms must be a number");
    assertMessage(Map.of(SchemaRegistrySettings.URL, "http://a", SchemaRegistrySettings.CONNECT_TIMEOUT, "0"),
        "http.connect.timeout.ms must be a positive");
  }

  @Test
  void thePasswordNeverShowsInToString() {
    String text = SchemaRegistrySettings.fromProperties(Map.of(SchemaRegistrySettings.URL, "http://a",
        SchemaRegistrySettings.USER_INFO, "alice:hunter2")).toString();
    assertTrue(text.contains("alice:***"), text);
    assertFalse(text.contains("hunter2"), text);
  }

  private static void assertMessage(Map<String, ?> props, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SchemaRegistrySettings.fromProperties(props));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
