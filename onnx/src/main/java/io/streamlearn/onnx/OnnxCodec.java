package io.streamlearn.onnx;

import io.streamlearn.tensor.Float16;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes and decodes {@link Onnx.Model} as an ONNX file (a serialized ModelProto). Tensors are
 * written as little-endian {@code raw_data}, as ONNX's own tools write them; on read,
 * {@code float_data}, {@code int32_data} (float16 bits), {@code int64_data},
 * {@code double_data} and {@code raw_data} are all accepted. Tensors stored outside the file
 * (external data) are refused with their name.
 */
final class OnnxCodec {
  private OnnxCodec() {}

  /** The bytes of an ONNX file. */
  static byte[] encode(Onnx.Model model) {
    ProtoWriter w = new ProtoWriter().varint(1, model.irVersion());
    w.string(2, model.producerName()).string(3, model.producerVersion());
    w.varint(5, model.modelVersion());
    if (!model.docString().isEmpty()) {
      w.string(6, model.docString());
    }
    w.message(7, graph(model.graph()));
    model.opsets().forEach((domain, version) -> w.message(8, new ProtoWriter().string(1, domain).varint(2, version)));
    model.metadata().forEach((k, v) -> w.message(14, new ProtoWriter().string(1, k).string(2, v)));
    return w.toByteArray();
  }

  private static ProtoWriter graph(Onnx.Graph g) {
    ProtoWriter w = new ProtoWriter();
    for (Onnx.Node n : g.nodes()) {
      w.message(1, node(n));
    }
    w.string(2, g.name());
    for (Onnx.Tensor t : g.initializers()) {
      w.message(5, tensor(t));
    }
    for (Onnx.ValueInfo v : g.inputs()) {
      w.message(11, valueInfo(v));
    }
    for (Onnx.ValueInfo v : g.outputs()) {
      w.message(12, valueInfo(v));
    }
    return w;
  }

  private static ProtoWriter node(Onnx.Node n) {
    ProtoWriter w = new ProtoWriter();
    n.inputs().forEach(i -> w.string(1, i));
    n.outputs().forEach(o -> w.string(2, o));
    w.string(3, n.name()).string(4, n.opType());
    for (Onnx.Attribute a : n.attributes()) {
      w.message(5, attribute(a));
    }
    if (!n.domain().isEmpty()) {
      w.string(7, n.domain());
    }
    return w;
  }

  private static ProtoWriter attribute(Onnx.Attribute a) {
    ProtoWriter w = new ProtoWriter().string(1, a.name());
    switch (a.type()) {
      case FLOAT -> w.float32(2, a.f());
      case INT -> w.varint(3, a.i());
      case STRING -> w.string(4, a.s());
      case TENSOR -> w.message(5, tensor(a.t()));
      case FLOATS -> {
        for (float f : a.floats()) {
          w.float32(7, f);
        }
      }
      case INTS -> {
        for (long i : a.ints()) {
          w.varint(8, i);
        }
      }
      default -> throw new IllegalArgumentException("cannot write attribute " + a.name() + " of type " + a.type());
    }
    return w.varint(20, a.type().code);
  }

  private static ProtoWriter tensor(Onnx.Tensor t) {
    ProtoWriter w = new ProtoWriter();
    for (long d : t.dims()) {
      w.varint(1, d);
    }
    w.varint(2, t.dataType()).string(8, t.name());
    ByteBuffer raw;
    switch (t.dataType()) {
      case Onnx.FLOAT -> {
        float[] f = t.floats();
        raw = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : f) {
          raw.putFloat(v);
        }
      }
      case Onnx.FLOAT16 -> {
        float[] f = t.floats();
        raw = ByteBuffer.allocate(2 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : f) {
          raw.putShort(Float16.fromFloat(v));
        }
      }
      case Onnx.INT64 -> {
        long[] l = t.longs();
        raw = ByteBuffer.allocate(8 * l.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : l) {
          raw.putLong(v);
        }
      }
      default -> throw new IllegalArgumentException("cannot write tensor " + t.name() + " of data type " + t.dataType());
    }
    return w.bytes(9, raw.array());
  }

  private static ProtoWriter valueInfo(Onnx.ValueInfo v) {
    ProtoWriter shape = new ProtoWriter();
    for (Object d : v.dims()) {
      ProtoWriter dim = new ProtoWriter();
      if (d instanceof Long n) {
        dim.varint(1, n);
      } else {
        dim.string(2, d.toString());
      }
      shape.message(1, dim);
    }
    ProtoWriter tensorType = new ProtoWriter().varint(1, v.elemType()).message(2, shape);
    return new ProtoWriter().string(1, v.name()).message(2, new ProtoWriter().message(1, tensorType));
  }

  /**
   * The model in an ONNX file.
   *
   * @throws IllegalArgumentException when the bytes are not a ModelProto this codec can read
   */
  static Onnx.Model decode(byte[] bytes) {
    ProtoReader r = new ProtoReader(bytes);
    long ir = 0;
    long modelVersion = 0;
    String producer = "";
    String producerVersion = "";
    String doc = "";
    Onnx.Graph graph = null;
    Map<String, Long> opsets = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> ir = r.varint();
        case 2 -> producer = r.string();
        case 3 -> producerVersion = r.string();
        case 5 -> modelVersion = r.varint();
        case 6 -> doc = r.string();
        case 7 -> graph = graph(r.message());
        case 8 -> {
          ProtoReader o = r.message();
          String domain = "";
          long version = 0;
          while (o.next()) {
            switch (o.field()) {
              case 1 -> domain = o.string();
              case 2 -> version = o.varint();
              default -> o.skip();
            }
          }
          opsets.put(domain, version);
        }
        case 14 -> {
          String[] kv = entry(r.message());
          metadata.put(kv[0], kv[1]);
        }
        default -> r.skip();
      }
    }
    if (graph == null) {
      throw new IllegalArgumentException("not an ONNX model: no graph (ModelProto field 7)");
    }
    return new Onnx.Model(ir, opsets, producer, producerVersion, modelVersion, doc, graph, metadata);
  }

  private static String[] entry(ProtoReader e) {
    String key = "";
    String value = "";
    while (e.next()) {
      switch (e.field()) {
        case 1 -> key = e.string();
        case 2 -> value = e.string();
        default -> e.skip();
      }
    }
    return new String[] {key, value};
  }

  private static Onnx.Graph graph(ProtoReader r) {
    String name = "";
    List<Onnx.Node> nodes = new ArrayList<>();
    List<Onnx.Tensor> inits = new ArrayList<>();
    List<Onnx.ValueInfo> inputs = new ArrayList<>();
    List<Onnx.ValueInfo> outputs = new ArrayList<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> nodes.add(node(r.message()));
        case 2 -> name = r.string();
        case 5 -> inits.add(tensor(r.message()));
        case 11 -> inputs.add(valueInfo(r.message()));
        case 12 -> outputs.add(valueInfo(r.message()));
        case 15 -> throw new IllegalArgumentException("sparse initializers are not supported");
        default -> r.skip();
      }
    }
    return new Onnx.Graph(name, nodes, inits, inputs, outputs);
  }

  private static Onnx.Node node(ProtoReader r) {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    List<Onnx.Attribute> attributes = new ArrayList<>();
    String name = "";
    String op = "";
    String domain = "";
    while (r.next()) {
      switch (r.field()) {
        case 1 -> inputs.add(r.string());
        case 2 -> outputs.add(r.string());
        case 3 -> name = r.string();
        case 4 -> op = r.string();
        case 5 -> attributes.add(attribute(r.message()));
        case 7 -> domain = r.string();
        default -> r.skip();
      }
    }
    return new Onnx.Node(name, op, domain, inputs, outputs, attributes);
  }

  private static Onnx.Attribute attribute(ProtoReader r) {
    String name = "";
    int type = 0;
    float f = 0f;
    long i = 0;
    String s = "";
    Onnx.Tensor t = null;
    List<Float> floats = new ArrayList<>();
    List<Long> ints = new ArrayList<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> name = r.string();
        case 2 -> f = r.float32();
        case 3 -> i = r.varint();
        case 4 -> s = r.string();
        case 5 -> t = tensor(r.message());
        case 7 -> {
          for (float v : r.floats()) {
            floats.add(v);
          }
        }
        case 8 -> {
          for (long v : r.varints()) {
            ints.add(v);
          }
        }
        case 20 -> type = (int) r.varint();
        default -> r.skip();
      }
    }
    float[] fs = new float[floats.size()];
    for (int k = 0; k < fs.length; k++) {
      fs[k] = floats.get(k);
    }
    return new Onnx.Attribute(name, Onnx.AttributeType.of(type), f, i, s, fs,
        ints.stream().mapToLong(Long::longValue).toArray(), t);
  }

  private static Onnx.Tensor tensor(ProtoReader r) {
    List<Long> dims = new ArrayList<>();
    int type = 0;
    String name = "";
    byte[] raw = null;
    FloatList floats = new FloatList();
    List<Long> longs = new ArrayList<>();
    boolean external = false;
    while (r.next()) {
      switch (r.field()) {
        case 1 -> {
          for (long d : r.varints()) {
            dims.add(d);
          }
        }
        case 2 -> type = (int) r.varint();
        case 4 -> floats.add(r.floats());
        case 5, 7 -> {
          for (long v : r.varints()) {
            longs.add(v);
          }
        }
        case 8 -> name = r.string();
        case 9 -> raw = r.bytes();
        case 10 -> {
          for (double d : r.doubles()) {
            floats.add(new float[] {(float) d});
          }
        }
        case 14 -> external = r.varint() == 1;
        default -> r.skip();
      }
    }
    if (external) {
      throw new IllegalArgumentException("tensor " + name + " is stored in an external file, which is not supported"
          + " (save the model with its weights inside the .onnx file)");
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    long[] noLongs = new long[0];
    float[] noFloats = new float[0];
    switch (type) {
      case Onnx.FLOAT, Onnx.DOUBLE, Onnx.FLOAT16 -> {
        float[] values;
        if (raw != null) {
          values = rawFloats(name, type, raw);
        } else if (type == Onnx.FLOAT16) {
          // float16 outside raw_data travels as the bit patterns in int32_data
          values = new float[longs.size()];
          for (int k = 0; k < values.length; k++) {
            values[k] = Float16.toFloat((short) longs.get(k).longValue());
          }
        } else {
          values = floats.toArray();
        }
        return new Onnx.Tensor(name, shape, type == Onnx.FLOAT16 ? Onnx.FLOAT16 : Onnx.FLOAT, values, noLongs);
      }
      case Onnx.INT64, Onnx.INT32 -> {
        long[] values;
        if (raw != null) {
          ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
          int width = type == Onnx.INT64 ? 8 : 4;
          values = new long[raw.length / width];
          for (int k = 0; k < values.length; k++) {
            values[k] = width == 8 ? b.getLong() : b.getInt();
          }
        } else {
          values = longs.stream().mapToLong(Long::longValue).toArray();
        }
        return new Onnx.Tensor(name, shape, Onnx.INT64, noFloats, values);
      }
      default -> throw new IllegalArgumentException("tensor " + name + " has data type " + type
          + ", supported are FLOAT (1), FLOAT16 (10), DOUBLE (11), INT32 (6) and INT64 (7)");
    }
  }

  private static float[] rawFloats(String name, int type, byte[] raw) {
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    int width = type == Onnx.FLOAT ? 4 : type == Onnx.FLOAT16 ? 2 : 8;
    if (raw.length % width != 0) {
      throw new IllegalArgumentException("tensor " + name + ": " + raw.length + " raw bytes is not a whole number of "
          + width + "-byte values");
    }
    float[] values = new float[raw.length / width];
    for (int k = 0; k < values.length; k++) {
      values[k] = switch (width) {
        case 4 -> b.getFloat();
        case 2 -> Float16.toFloat(b.getShort());
        default -> (float) b.getDouble();
      };
    }
    return values;
  }

  private static Onnx.ValueInfo valueInfo(ProtoReader r) {
    String name = "";
    int elem = 0;
    List<Object> dims = new ArrayList<>();
    while (r.next()) {
      switch (r.field()) {
        case 1 -> name = r.string();
        case 2 -> {
          ProtoReader type = r.message();
          while (type.next()) {
            if (type.field() != 1) {
              type.skip();
              continue;
            }
            ProtoReader tensorType = type.message();
            while (tensorType.next()) {
              switch (tensorType.field()) {
                case 1 -> elem = (int) tensorType.varint();
                case 2 -> {
                  ProtoReader shape = tensorType.message();
                  while (shape.next()) {
                    if (shape.field() != 1) {
                      shape.skip();
                      continue;
                    }
                    ProtoReader dim = shape.message();
                    Object d = "?";
                    while (dim.next()) {
                      switch (dim.field()) {
                        case 1 -> d = dim.varint();
                        case 2 -> d = dim.string();
                        default -> dim.skip();
                      }
                    }
                    dims.add(d);
                  }
                }
                default -> tensorType.skip();
              }
            }
          }
        }
        default -> r.skip();
      }
    }
    return new Onnx.ValueInfo(name, elem, dims);
  }

  /** A growable float array. */
  private static final class FloatList {
    private float[] values = new float[16];
    private int size;

    void add(float[] more) {
      if (size + more.length > values.length) {
        values = java.util.Arrays.copyOf(values, Math.max(values.length * 2, size + more.length));
      }
      System.arraycopy(more, 0, values, size, more.length);
      size += more.length;
    }

    float[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }
}
