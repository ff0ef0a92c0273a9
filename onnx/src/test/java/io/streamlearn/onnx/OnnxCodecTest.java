package io.streamlearn.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The protobuf subset reads back what it writes, and reads the other encodings writers use. */
class OnnxCodecTest {
  @Test
  void aModelWithEveryAttributeKindAndTensorTypeReadsBackAsWritten() {
    Onnx.Graph g = new Onnx.Graph("g", List.of(
        new Onnx.Node("n", "Conv", List.of("x", "w"), List.of("y"), Onnx.Attribute.ofInt("group", -1),
            Onnx.Attribute.ofFloat("alpha", 0.25f), Onnx.Attribute.ofInts("pads", 0, 1, -2, 300),
            Onnx.Attribute.ofTensor("value", Onnx.Tensor.longs("v", 7, -8)))),
        List.of(Onnx.Tensor.floats("w", new long[] {2, 1}, new float[] {1.5f, -2f}),
            Onnx.Tensor.float16("h", new long[] {3}, new float[] {0.5f, -1f, 65504f}),
            Onnx.Tensor.longs("s", Long.MAX_VALUE, -1)),
        List.of(new Onnx.ValueInfo("x", Onnx.FLOAT, List.of("N", 2L))),
        List.of(new Onnx.ValueInfo("y", Onnx.FLOAT, List.of("N", 1L))));
    Onnx.Model m = new Onnx.Model(8, Map.of("", 17L, "ai.onnx.ml", 3L), "p", "1.0", 42, "doc", g,
        Map.of("k", "välue"));
    Onnx.Model back = OnnxCodec.decode(OnnxCodec.encode(m));
    assertEquals(8, back.irVersion());
    assertEquals(Map.of("", 17L, "ai.onnx.ml", 3L), back.opsets());
    assertEquals(42, back.modelVersion());
    assertEquals("doc", back.docString());
    assertEquals(Map.of("k", "välue"), back.metadata());
    Onnx.Node n = back.graph().nodes().get(0);
    assertEquals(-1, n.intAttribute("group", 0));
    assertEquals(0.25f, n.floatAttribute("alpha", 0));
    assertArrayEquals(new long[] {0, 1, -2, 300}, n.intsAttribute("pads"));
    assertArrayEquals(new long[] {7, -8}, n.attribute("value").t().longs());
    assertNull(n.attribute("absent"));
    List<Onnx.Tensor> inits = back.graph().initializers();
    assertArrayEquals(new float[] {1.5f, -2f}, inits.get(0).floats());
    assertArrayEquals(new long[] {2, 1}, inits.get(0).dims());
    assertEquals(Onnx.FLOAT16, inits.get(1).dataType());
    assertArrayEquals(new float[] {0.5f, -1f, 65504f}, inits.get(1).floats());
    assertArrayEquals(new long[] {Long.MAX_VALUE, -1}, inits.get(2).longs());
    assertEquals(List.of("N", 2L), back.graph().inputs().get(0).dims());
  }

  @Test
  void floatDataAndFloat16BitsInInt32DataAreReadAsWellAsRawData() {
    // TensorProto{dims: 2, data_type: FLOAT, float_data: packed [1.0, 2.0], name: "a"}
    ProtoWriter a = new ProtoWriter().varint(1, 2).varint(2, Onnx.FLOAT).packedFloats(4, new float[] {1f, 2f})
        .string(8, "a");
    // TensorProto{dims: 1, data_type: FLOAT16, int32_data: [0x3C00] (1.0), name: "b"}
    ProtoWriter b = new ProtoWriter().varint(1, 1).varint(2, Onnx.FLOAT16).varint(5, 0x3C00).string(8, "b");
    ProtoWriter graph = new ProtoWriter().string(2, "g").message(5, a).message(5, b);
    byte[] model = new ProtoWriter().varint(1, 8).message(7, graph).toByteArray();
    List<Onnx.Tensor> t = OnnxCodec.decode(model).graph().initializers();
    assertArrayEquals(new float[] {1f, 2f}, t.get(0).floats());
    assertArrayEquals(new float[] {1f}, t.get(1).floats());
  }

  @Test
  void externalDataAndTruncatedFilesAreRefusedWithTheReason() {
    ProtoWriter ext = new ProtoWriter().varint(1, 1).varint(2, Onnx.FLOAT).string(8, "big").varint(14, 1);
    byte[] model = new ProtoWriter().varint(1, 8).message(7, new ProtoWriter().message(5, ext)).toByteArray();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxCodec.decode(model));
    assertTrue(e.getMessage().contains("big") && e.getMessage().contains("external"), e.getMessage());
    byte[] truncated = java.util.Arrays.copyOf(model, model.length - 3);
    e = assertThrows(IllegalArgumentException.class, () -> OnnxCodec.decode(truncated));
    assertTrue(e.getMessage().contains("past the end"), e.getMessage());
  }
}
