package io.streamlearn.onnx;

import static io.streamlearn.onnx.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamlearn.features.FeaturePipeline;
import io.streamlearn.features.FeatureSpec;
import io.streamlearn.features.FrozenPipeline;
import io.streamlearn.learn.Model;
import io.streamlearn.learn.NetworkSpec;
import io.streamlearn.registry.ModelVersion;
import io.streamlearn.tensor.FeatureLayout;
import io.streamlearn.tensor.FeatureLayout.SparseField;
import io.streamlearn.tensor.Preprocessing;
import io.streamlearn.tensor.SparseRows;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A network that starts with {@code embedding(dim)} exports as a Slice and MatMul per sparse field
 * and a Concat: ONNX Runtime on the one-hot rows gives the engine's outputs on the same
 * {@link SparseRows}, float32 within 1e-5 relative and float16 weights within 1e-2.
 */
class OnnxEmbeddingExportTest {
  private static final double FP32 = 1e-5;
  private static final double FP16 = 1e-2;
  private static final int ROWS = 48;

  private static ModelVersion version(String architecture, FeatureLayout layout, int dim, Preprocessing p, long seed) {
    return Fixtures.embeddingVersion(architecture, layout, dim, p, seed);
  }

  /** Rows with every dense column set and each field holding none, one or two entries of varied value. */
  private static SparseRows rows(FeatureLayout layout, long seed) {
    Random r = new Random(seed);
    SparseRows rows = new SparseRows(layout, ROWS);
    for (int i = 0; i < ROWS; i++) {
      rows.addRow();
      for (int c = 0; c < layout.denseWidth(); c++) {
        rows.setDense(c, (float) r.nextGaussian());
      }
      for (int f = 0; f < layout.sparseFields().size(); f++) {
        int size = layout.sparseFields().get(f).size();
        int entries = i % 3;
        int first = r.nextInt(size);
        for (int e = 0; e < entries; e++) {
          // distinct slots; a value other than 1 stands for a hashed count or a signed hash
          rows.addSparse(f, (first + e) % size, e == 0 ? 1f : (float) r.nextGaussian());
        }
      }
    }
    return rows;
  }

  private static void assertOrtMatchesEngine(ModelVersion v, FeatureLayout layout, boolean float16, double tolerance)
      throws Exception {
    SparseRows x = rows(layout, 11);
    Model model = Model.of(NetworkSpec.parse(layout.totalWidth(), v.architecture()), v.tensors(), v.preprocessing(),
        layout);
    float[] expected = new float[ROWS * model.outputs()];
    model.predict(x, expected);
    byte[] onnx = OnnxExporter.export(v, float16, layout).onnx();
    assertClose(expected, Ort.run(onnx, x.toDense(), ROWS, layout.totalWidth()), tolerance, 1e-3,
        v.architecture() + (float16 ? " fp16" : ""));
  }

  @Test
  void anEmbeddingOverDenseColumnsAndTwoFieldsGivesTheEnginesProbabilitiesInOnnxRuntime() throws Exception {
    FeatureLayout layout = new FeatureLayout(3, List.of(new SparseField("origin", 7), new SparseField("route", 16)));
    ModelVersion v = version("embedding(4) > dense(12,relu) > dense(3,softmax)", layout, 4, Preprocessing.identity(),
        5);
    assertOrtMatchesEngine(v, layout, false, FP32);
    assertOrtMatchesEngine(v, layout, true, FP16);
  }

  @Test
  void theScalerOfAnEmbeddingModelScalesOnlyTheDenseColumnsAsTheEngineDoes() throws Exception {
    FeatureLayout layout = new FeatureLayout(4, List.of(new SparseField("carrier", 5), new SparseField("hour", 24)));
    ModelVersion v = version("embedding(3) > dropout(0.1) > dense(8,tanh) > dense(2)", layout, 3,
        Fixtures.scaler(4, 6), 6);
    OnnxExporter.Export export = OnnxExporter.export(v, false, layout);
    assertEquals(List.of("scalerNodes"), export.optimizations());
    assertOrtMatchesEngine(v, layout, false, FP32);
    assertOrtMatchesEngine(v, layout, true, FP16);
  }

  @Test
  void anEmbeddingModelWithNoDenseColumnsExportsTheFieldVectorsAlone() throws Exception {
    FeatureLayout layout = new FeatureLayout(0, List.of(new SparseField("a", 9), new SparseField("b", 4),
        new SparseField("c", 6)));
    ModelVersion v = version("embedding(5) > dense(10,relu) > dense(4,softmax)", layout, 5, Preprocessing.identity(),
        7);
    Onnx.Model model = OnnxCodec.decode(OnnxExporter.export(v, false, layout).onnx());
    assertEquals(3, model.graph().nodes().stream().filter(n -> n.opType().equals("MatMul")).count());
    assertEquals(3, model.graph().nodes().stream().filter(n -> n.opType().equals("Slice")).count(),
        "one Slice per field and none for the absent dense columns");
    assertOrtMatchesEngine(v, layout, false, FP32);
    assertOrtMatchesEngine(v, layout, true, FP16);
  }

  @Test
  void aSingleFieldWithNoDenseColumnsNeedsNoConcat() throws Exception {
    FeatureLayout layout = new FeatureLayout(0, List.of(new SparseField("token", 30)));
    ModelVersion v = version("embedding(6) > dense(2,softmax)", layout, 6, Preprocessing.identity(), 8);
    Onnx.Model model = OnnxCodec.decode(OnnxExporter.export(v, false, layout).onnx());
    assertTrue(model.graph().nodes().stream().noneMatch(n -> n.opType().equals("Concat")));
    assertOrtMatchesEngine(v, layout, false, FP32);
  }

  @Test
  void theLayoutComesFromTheVersionsFeaturePipelineWhenNoneIsGiven() throws Exception {
    FrozenPipeline pipeline = new FeaturePipeline(FeatureSpec.parse("distance:numeric, origin:category(3),"
        + " dest:hash(32)"), null, 0).freeze();
    FeatureLayout layout = pipeline.layout();
    assertTrue(layout.hasSparse(), layout.toString());
    ModelVersion v = version("embedding(4) > dense(6,relu) > dense(2,softmax)", layout, 4, Preprocessing.identity(),
        10).withFeaturePipeline(pipeline.toJson(), List.of());
    SparseRows x = rows(layout, 12);
    Model model = Model.of(NetworkSpec.parse(layout.totalWidth(), v.architecture()), v.tensors(), v.preprocessing(),
        layout);
    float[] expected = new float[ROWS * model.outputs()];
    model.predict(x, expected);
    OnnxExporter.Export export = OnnxExporter.export(v, false);
    assertEquals(java.util.Optional.of(pipeline.toJson()), export.sidecar());
    assertClose(expected, Ort.run(export.onnx(), x.toDense(), ROWS, layout.totalWidth()), FP32, 1e-3, "from pipeline");
  }

  @Test
  void anEmbeddingVersionWithoutALayoutIsRefusedNamingTheOverloadThatTakesOne() {
    FeatureLayout layout = new FeatureLayout(2, List.of(new SparseField("origin", 5)));
    ModelVersion v = version("embedding(2) > dense(2)", layout, 2, Preprocessing.identity(), 9);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.export(v, false));
    assertTrue(e.getMessage().contains("no feature pipeline"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> OnnxExporter.export(v, false,
        new FeatureLayout(3, List.of(new SparseField("origin", 5)))));
    assertTrue(e.getMessage().contains("7 wide"), e.getMessage());
  }
}
