package io.streamlearn.schema;

import java.util.ArrayList;
import java.util.List;

final class InputEventDecoderTestSupport {
  private InputEventDecoderTestSupport() {}

  static List<Float> boxed(float[] x) {
    List<Float> out = new ArrayList<>(x.length);
    for (float v : x) {
      out.add(v);
    }
    return out;
  }
}
