package io.streamlearn.onnx;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The subset of {@code onnx.proto} that an inference graph of dense, convolutional and pooling
 * layers needs, as plain values; {@link OnnxCodec} reads and writes them. Field numbers are
 * those of onnx/onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto, TypeProto.Tensor, TensorShapeProto, OperatorSetIdProto, StringStringEntryProto).
 */
final class Onnx {
  /** TensorProto.DataType FLOAT. */
  static final int FLOAT = 1;
  /** TensorProto.DataType INT32. */
  static final int INT32 = 6;
  /** TensorProto.DataType INT64. */
  static final int INT64 = 7;
  /** TensorProto.DataType FLOAT16. */
  static final int FLOAT16 = 10;
  /** TensorProto.DataType DOUBLE. */
  static final int DOUBLE = 11;

  private Onnx() {}

  /**
   * A constant tensor (an initializer or an attribute value): floats for FLOAT, FLOAT16 and
   * DOUBLE (widened or narrowed to float on read), longs for INT64 and INT32.
   *
   * @param name the value name
   * @param dims the shape; empty for a scalar
   * @param dataType a TensorProto.DataType
   * @param floats the values of a floating-point tensor (empty otherwise)
   * @param longs the values of an integer tensor (empty otherwise)
   */
  record Tensor(String name, long[] dims, int dataType, float[] floats, long[] longs) {
    Tensor {
      Objects.requireNonNull(name, "name");
      dims = dims.clone();
      floats = floats.clone();
      longs = longs.clone();
      long size = 1;
      for (long d : dims) {
        if (d < 0) {
          throw new IllegalArgumentException("tensor " + name + " has a negative dimension " + Arrays.toString(dims));
        }
        size *= d;
      }
      long held = dataType == INT64 || dataType == INT32 ? longs.length : floats.length;
      if (held != size) {
        throw new IllegalArgumentException("tensor " + name + " of shape " + Arrays.toString(dims) + " needs " + size
            + " values, holds " + held);
      }
    }

    static Tensor floats(String name, long[] dims, float[] values) {
      return new Tensor(name, dims, FLOAT, values, new long[0]);
    }

    static Tensor float16(String name, long[] dims, float[] values) {
      return new Tensor(name, dims, FLOAT16, values, new long[0]);
    }

    static Tensor longs(String name, long... values) {
      return new Tensor(name, new long[] {values.length}, INT64, new float[0], values);
    }

    int[] intDims() {
      int[] out = new int[dims.length];
      for (int i = 0; i < dims.length; i++) {
        out[i] = Math.toIntExact(dims[i]);
      }
      return out;
    }

    @Override
    public long[] dims() {
      return dims.clone();
    }

    @Override
    public float[] floats() {
      return floats.clone();
    }

    @Override
    public long[] longs() {
      return longs.clone();
    }
  }

  /** AttributeProto.AttributeType values this codec reads and writes. */
  enum AttributeType {
    FLOAT(1), INT(2), STRING(3), TENSOR(4), FLOATS(6), INTS(7);

    final int code;

    AttributeType(int code) {
      this.code = code;
    }

    static AttributeType of(int code) {
      for (AttributeType t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      return null;
    }
  }

  /**
   * A node attribute; only the field its type names is meaningful.
   *
   * @param type null for a type this codec does not read (a graph, a sparse tensor): the
   *     importer refuses a node that needs such an attribute
   */
  record Attribute(String name, AttributeType type, float f, long i, String s, float[] floats, long[] ints,
                   Tensor t) {
    Attribute {
      Objects.requireNonNull(name, "name");
      floats = floats.clone();
      ints = ints.clone();
    }

    static Attribute ofInt(String name, long value) {
      return new Attribute(name, AttributeType.INT, 0f, value, "", new float[0], new long[0], null);
    }

    static Attribute ofFloat(String name, float value) {
      return new Attribute(name, AttributeType.FLOAT, value, 0, "", new float[0], new long[0], null);
    }

    static Attribute ofInts(String name, long... values) {
      return new Attribute(name, AttributeType.INTS, 0f, 0, "", new float[0], values, null);
    }

    static Attribute ofTensor(String name, Tensor value) {
      return new Attribute(name, AttributeType.TENSOR, 0f, 0, "", new float[0], new long[0], value);
    }

    @Override
    public long[] ints() {
      return ints.clone();
    }

    @Override
    public float[] floats() {
      return floats.clone();
    }
  }

  /** A node of the graph: an operator applied to named inputs, giving named outputs. */
  record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
              List<Attribute> attributes) {
    Node {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(opType, "opType");
      Objects.requireNonNull(domain, "domain");
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
      attributes = List.copyOf(attributes);
    }

    Node(String name, String opType, List<String> inputs, List<String> outputs, Attribute... attributes) {
      this(name, opType, "", inputs, outputs, List.of(attributes));
    }

    /** The attribute of that name, or null. */
    Attribute attribute(String attributeName) {
      for (Attribute a : attributes) {
        if (a.name().equals(attributeName)) {
          return a;
        }
      }
      return null;
    }

    /** An int attribute, or {@code dflt} when absent. */
    long intAttribute(String attributeName, long dflt) {
      Attribute a = attribute(attributeName);
      return a == null ? dflt : a.i();
    }

    /** A float attribute, or {@code dflt} when absent. */
    float floatAttribute(String attributeName, float dflt) {
      Attribute a = attribute(attributeName);
      return a == null ? dflt : a.f();
    }

    /** An ints attribute, or null when absent. */
    long[] intsAttribute(String attributeName) {
      Attribute a = attribute(attributeName);
      return a == null ? null : a.ints();
    }
  }

  /**
   * A graph input or output: a tensor of an element type and a shape whose dimensions are
   * numbers or named symbols (e.g. {@code N} for the batch).
   *
   * @param dims each a {@link Long} or a {@link String}
   */
  record ValueInfo(String name, int elemType, List<Object> dims) {
    ValueInfo {
      Objects.requireNonNull(name, "name");
      dims = List.copyOf(dims);
    }
  }

  /** The computation: nodes in topological order, constant initializers, inputs and outputs. */
  record Graph(String name, List<Node> nodes, List<Tensor> initializers, List<ValueInfo> inputs,
               List<ValueInfo> outputs) {
    Graph {
      Objects.requireNonNull(name, "name");
      nodes = List.copyOf(nodes);
      initializers = List.copyOf(initializers);
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
    }
  }

  /**
   * A model file.
   *
   * @param opsets operator set versions by domain ({@code ""} is the default ONNX domain)
   * @param metadata the model's metadata_props, in order
   */
  record Model(long irVersion, Map<String, Long> opsets, String producerName, String producerVersion,
               long modelVersion, String docString, Graph graph, Map<String, String> metadata) {
    Model {
      opsets = new LinkedHashMap<>(opsets);
      Objects.requireNonNull(producerName, "producerName");
      Objects.requireNonNull(producerVersion, "producerVersion");
      Objects.requireNonNull(docString, "docString");
      Objects.requireNonNull(graph, "graph");
      metadata = new LinkedHashMap<>(metadata);
    }

    @Override
    public Map<String, Long> opsets() {
      return new LinkedHashMap<>(opsets);
    }

    @Override
    public Map<String, String> metadata() {
      return new LinkedHashMap<>(metadata);
    }
  }
}
