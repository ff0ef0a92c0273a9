package io.streamlearn.onnx;

import static io.streamlearn.onnx.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.registry.AliasMove;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.registry.PromotionPolicy;
import io.streamlearn.registry.Registry;
import io.streamlearn.registry.RegistryCodec;
import io.streamlearn.registry.RegistryState;
import io.streamlearn.registry.http.JsonHttpServer;
import io.streamlearn.registry.http.Routes;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@code GET /api/models/{model}/versions/{version}/export?format=onnx} on the registry's HTTP server. */
class OnnxRoutesTest {
  /** A read-only registry over one state, enough for a read route. */
  private record StateRegistry(RegistryState state) implements Registry {
    @Override
    public <T> T read(Function<RegistryState, T> query) {
      return query.apply(state);
    }

    @Override
    public ModelVersion publish(ModelVersion version) {
      throw new UnsupportedOperationException();
    }

    @Override
    public AliasMove setAlias(String model, String alias, long version, String by, String reason) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void deleteAlias(String model, String alias, String by, String reason) {
      throw new UnsupportedOperationException();
    }

    @Override
    public AliasMove rollback(String model, String alias, String by, String reason) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<Long> retain(String model, int keepLast) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<AliasMove> applyPolicy(PromotionPolicy policy, String model) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }

  @Test
  void theRouteServesTheOnnxModelOfAVersionThatOnnxRuntimeRuns() throws Exception {
    ModelVersion v = Fixtures.version("dense(8,relu) > dense(3,softmax)", 6, Fixtures.scaler(6, 41), 41);
    RegistryState state = new RegistryState();
    RegistryCodec codec = new RegistryCodec();
    codec.versionRecords(v, RegistryCodec.DEFAULT_MAX_RECORD_BYTES).forEach(kv -> state.apply(kv.key(), kv.value()));
    Routes routes = OnnxRoutes.addTo(new Routes(), new StateRegistry(state));
    try (JsonHttpServer server = new JsonHttpServer(new InetSocketAddress("127.0.0.1", 0), routes, Optional.empty())) {
      server.start();
      HttpClient client = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port() + "/api/models/m/versions/";
      HttpResponse<byte[]> onnx = client.send(HttpRequest.newBuilder(URI.create(base + "3/export?format=onnx")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, onnx.statusCode());
      assertEquals("application/octet-stream", onnx.headers().firstValue("Content-Type").orElse(""));
      assertArrayEquals(OnnxExporter.export(v, false).onnx(), onnx.body());
      float[] x = Fixtures.inputs(4, 6, 42);
      assertClose(ReferenceForward.predict(v, x, 4), Ort.run(onnx.body(), x, 4, 6), 1e-5, 1e-3, "served export");

      HttpResponse<byte[]> half = client.send(HttpRequest.newBuilder(URI.create(base + "latest/export?float16=true"))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
      assertArrayEquals(OnnxExporter.export(v, true).onnx(), half.body());

      HttpResponse<String> missing = client.send(HttpRequest.newBuilder(URI.create(base + "9/export")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(404, missing.statusCode(), missing.body());
      HttpResponse<String> bad = client.send(HttpRequest.newBuilder(URI.create(base + "3/export?format=pmml")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(400, bad.statusCode(), bad.body());
      assertTrue(bad.body().contains("format must be onnx or avro"), bad.body());
    }
  }
}
