package io.streamlearn.schema.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamlearn.schema.user.SchemaRegistryException.Kind;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class SchemaRegistryClientTest {
  private static final String USER_INFO_HEADER = "Basic " + Base64.getEncoder()
      .encodeToString("svc-flights:s3cr:et".getBytes(StandardCharsets.UTF_8));

  private static SchemaRegistryClient client(String urls, Map<String, String> more) {
    Map<String, String> props = new HashMap<>(more);
    props.put(SchemaRegistrySettings.URL, urls);
    return SchemaRegistryClient.fromProperties(props);
  }

  @Test
  void aSchemaByIdIsTheRecordedSchemaAndIsCached() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      SchemaRegistryClient client = client(registry.url(), Map.of());
      Schema seven = client.schemaById(7);
      assertEquals(Fixtures.schema("flight-v1.avsc"), seven);
      assertEquals(seven, client.schemaById(7));
      assertEquals(Fixtures.schema("flight-v2.avsc"), client.schemaById(8), "schemaType AVRO is read too");
      assertEquals(1, registry.calls("GET /schemas/ids/7"));
    }
  }

  @Test
  void userInfoCredentialsTravelAsABasicAuthorizationHeader() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      registry.requireAuthorization(USER_INFO_HEADER);
      for (Map<String, String> creds : List.of(
          Map.of(SchemaRegistrySettings.CREDENTIALS_SOURCE, "USER_INFO", SchemaRegistrySettings.USER_INFO, "svc-flights:s3cr:et"),
          Map.of(SchemaRegistrySettings.REGISTRY_USER_INFO, "svc-flights:s3cr:et"))) {
        assertEquals(Fixtures.schema("flight-v1.avsc"), client(registry.url(), creds).schemaById(7), creds.toString());
      }
      String withUrlCredentials = registry.url().replace("http://", "http://svc-flights:s3cr%3Aet@");
      assertEquals(Fixtures.schema("flight-v1.avsc"), client(withUrlCredentials,
          Map.of(SchemaRegistrySettings.CREDENTIALS_SOURCE, "URL")).schemaById(7));
      assertTrue(registry.authorizations.stream().allMatch(USER_INFO_HEADER::equals), registry.authorizations.toString());
    }
  }

  @Test
  void missingOrWrongCredentialsAreUnauthorizedAndSayWhatToSet() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      registry.requireAuthorization(USER_INFO_HEADER);
      SchemaRegistryException none = assertThrows(SchemaRegistryException.class,
          () -> client(registry.url(), Map.of()).schemaById(7));
      assertEquals(Kind.UNAUTHORIZED, none.kind());
      assertFalse(none.retriable());
      assertTrue(none.getMessage().contains("refused a request without credentials")
          && none.getMessage().contains("basic.auth.credentials.source=USER_INFO"), none.getMessage());
      SchemaRegistryException wrong = assertThrows(SchemaRegistryException.class, () -> client(registry.url(),
          Map.of(SchemaRegistrySettings.USER_INFO, "svc-flights:wrong")).schemaById(7));
      assertTrue(wrong.getMessage().contains("credentials of user svc-flights") && !wrong.getMessage().contains("wrong"),
          "names the user, never the password: " + wrong.getMessage());
    }
  }

  @Test
  void forbiddenIsItsOwnKindWithTheRegistrysMessage() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      registry.answerEverything(403, Fixtures.text("registry/error-40301.json"));
      SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
          () -> client(registry.url(), Map.of(SchemaRegistrySettings.USER_INFO, "reader:pw")).schemaById(7));
      assertEquals(Kind.FORBIDDEN, e.kind());
      assertTrue(e.getMessage().contains("forbids user reader") && e.getMessage().contains("40301"), e.getMessage());
    }
  }

  @Test
  void anUnknownIdIsNotFoundNamingTheIdAndTheUrl() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas()) {
      SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
          () -> client(registry.url(), Map.of()).schemaById(99));
      assertEquals(Kind.NOT_FOUND, e.kind());
      assertEquals("schema id 99 not found in the registry at " + registry.url()
          + " (HTTP 404, error 40403: Schema 99 not found)", e.getMessage());
    }
  }

  @Test
  void whenOneUrlIsDownOrFailingTheNextIsTried() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (RecordedSchemaRegistry failing = new RecordedSchemaRegistry();
         RecordedSchemaRegistry working = RecordedSchemaRegistry.withFlightSchemas()) {
      failing.answerEverything(503, "<html>Service Unavailable</html>");
      String urls = "http://127.0.0.1:" + closedPort + ", " + failing.url() + "/," + working.url();
      assertEquals(Fixtures.schema("flight-v1.avsc"), client(urls, Map.of()).schemaById(7));
      assertEquals(1, failing.totalCalls());
    }
  }

  @Test
  void whenEveryUrlFailsTheMessageListsEachFailure() throws Exception {
    try (RecordedSchemaRegistry a = new RecordedSchemaRegistry(); RecordedSchemaRegistry b = new RecordedSchemaRegistry()) {
      a.answerEverything(500, Fixtures.text("registry/error-50001.json"));
      b.answerEverything(502, "Bad Gateway");
      SchemaRegistryException e = assertThrows(SchemaRegistryException.class,
          () -> client(a.url() + "," + b.url(), Map.of()).schemaById(7));
      assertEquals(Kind.SERVER_ERROR, e.kind());
      assertTrue(e.getMessage().contains(a.url() + ": HTTP 500, error 50001: Error in the backend data store")
          && e.getMessage().contains(b.url() + ": HTTP 502: Bad Gateway"), e.getMessage());
    }
  }

  @Test
  void aRegistryThatDoesNotAnswerInTimeIsUnreachable() throws Exception {
    try (RecordedSchemaRegistry registry = RecordedSchemaRegistry.withFlightSchemas().hang()) {
      SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client(registry.url(),
          Map.of(SchemaRegistrySettings.READ_TIMEOUT, "200")).schemaById(7));
      assertEquals(Kind.UNREACHABLE, e.kind());
      assertTrue(e.retriable());
      assertTrue(e.getMessage().contains("did not answer") && e.getMessage().contains("HttpTimeoutException"),
          e.getMessage());
    }
  }

  @Test
  void answersThatAreNotASchemaAreInvalidResponses() throws Exception {
    try (RecordedSchemaRegistry registry = new RecordedSchemaRegistry()) {
      registry.answer("GET /schemas/ids/1", 200, "not json")
          .answer("GET /schemas/ids/2", 200, "{\"id\": 2}")
          .answer("GET /schemas/ids/3", 200, "{\"schema\": \"{\\\"type\\\": \\\"recrod\\\"}\"}");
      SchemaRegistryClient client = client(registry.url(), Map.of());
      for (int id = 1; id <= 3; id++) {
        int n = id;
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.schemaById(n));
        assertEquals(Kind.INVALID_RESPONSE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("schema id " + n), e.getMessage());
      }
    }
  }

  @Test
  void registerPostsTheSchemaUnderTheSubjectAndReturnsItsId() throws Exception {
    try (RecordedSchemaRegistry registry = new RecordedSchemaRegistry()) {
      registry.answer("POST /subjects/flights-value/versions", 200, "{\"id\":21}");
      SchemaRegistryClient client = client(registry.url(), Map.of());
      Schema v1 = Fixtures.schema("flight-v1.avsc");
      assertEquals(21, client.register("flights-value", v1));
      String sent = new ObjectMapper().readTree(registry.requestBodies.get(0)).get("schema").asText();
      assertEquals(v1, new Schema.Parser().parse(sent));
      assertEquals(v1, client.schemaById(21), "a registered schema is cached by its id");
      assertEquals(1, registry.totalCalls());
    }
  }

  @Test
  void aRegistrationTheRegistryRefusesSaysWhy() throws IOException {
    try (RecordedSchemaRegistry registry = new RecordedSchemaRegistry()) {
      registry.answer("POST /subjects/flights-value/versions", 409,
          "{\"error_code\":409,\"message\":\"Schema being registered is incompatible with an earlier schema\"}");
      SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client(registry.url(), Map.of())
          .register("flights-value", Fixtures.schema("flight-v1.avsc")));
      assertTrue(e.getMessage().contains("HTTP 409") && e.getMessage().contains("incompatible"), e.getMessage());
    }
  }
}
