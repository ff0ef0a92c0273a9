package io.streamlearn.bench;

import io.streamlearn.learn.LayerSpec;
import io.streamlearn.learn.NativeSetup;
import io.streamlearn.learn.NetworkSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The matrix products alone of one engine forward pass, timed on the BLAS the engine calls, to
 * split an engine call into "gemm" and "everything else" (im2col, pooling, activations, copies
 * between Java and native memory, per-layer bookkeeping) without instrumenting the engine.
 *
 * <p>The products are the ones {@code Model.predict} makes, one per dense or conv2d layer, with the
 * same shapes and the same {@code cblas_sgemm} entry point on direct buffers: a dense layer is
 * {@code rows x in} times {@code in x units}; a convolution is its im2col product,
 * {@code rows * outH * outW x k*k*C} times {@code k*k*C x filters}; a call of more rows than the
 * engine computes per pass makes each pass's products in turn, as the engine does. Operand values are random (a
 * product's time does not depend on them), so this is a floor for the engine's call, not a copy of it.
 */
final class GemmShare {
  private static final int ROW_MAJOR = 101;
  private static final int NO_TRANS = 111;

  /** One {@code m x k} times {@code k x n} product. */
  record Product(int m, int n, int k) {
    /** Validates the sides. */
    Product {
      if (m < 1 || n < 1 || k < 1) {
        throw new IllegalArgumentException("product sides must be >= 1, got m=" + m + " n=" + n + " k=" + k);
      }
    }
  }

  private final List<Product> products;
  private final FloatBuffer[] a;
  private final FloatBuffer[] b;
  private final FloatBuffer[] c;

  /**
   * @param rows        rows per call
   * @param rowsPerPass rows the engine computes per forward pass ({@code Model.rowsPerPass()}): a
   *                    call of more rows makes the products of each pass in turn
   */
  GemmShare(NetworkSpec spec, int rows, int rowsPerPass) {
    // the engine picks and loads its BLAS first, so the products below run on the same library
    NativeSetup.blasInUse();
    this.products = products(spec, rows, rowsPerPass);
    int count = products.size();
    this.a = new FloatBuffer[count];
    this.b = new FloatBuffer[count];
    this.c = new FloatBuffer[count];
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < count; i++) {
      Product p = products.get(i);
      a[i] = filled(p.m() * p.k(), random);
      b[i] = filled(p.k() * p.n(), random);
      c[i] = filled(p.m() * p.n(), random);
    }
  }

  /**
   * The products of one call of {@code spec} over {@code rows} rows: those of each pass of at most
   * {@code rowsPerPass} rows in turn, each pass's in layer order.
   */
  static List<Product> products(NetworkSpec spec, int rows, int rowsPerPass) {
    if (rows < 1 || rowsPerPass < 1) {
      throw new IllegalArgumentException("rows and rowsPerPass must be >= 1, got " + rows + " and " + rowsPerPass);
    }
    List<Product> result = new ArrayList<>();
    for (int start = 0; start < rows; start += rowsPerPass) {
      result.addAll(pass(spec, Math.min(rowsPerPass, rows - start)));
    }
    return List.copyOf(result);
  }

  /** The products of one forward pass of {@code spec} over {@code rows} rows, in layer order. */
  private static List<Product> pass(NetworkSpec spec, int rows) {
    List<NetworkSpec.Shape> shapes = spec.shapes();
    List<Product> result = new ArrayList<>();
    for (int i = 0; i < spec.layers().size(); i++) {
      LayerSpec layer = spec.layers().get(i);
      NetworkSpec.Shape in = i == 0 ? NetworkSpec.Shape.vector(spec.inputs()) : shapes.get(i - 1);
      NetworkSpec.Shape out = shapes.get(i);
      if (layer instanceof LayerSpec.Dense dense) {
        result.add(new Product(rows, dense.units(), in.size()));
      } else if (layer instanceof LayerSpec.Conv2d conv) {
        // a conv on the raw input without input(h,w,c) reads a square one-channel image
        int channels = in.image() ? in.channels() : 1;
        result.add(new Product(rows * out.height() * out.width(), conv.filters(),
            conv.kernel() * conv.kernel() * channels));
      }
    }
    return List.copyOf(result);
  }

  /** The products this pass makes. */
  List<Product> products() {
    return products;
  }

  /** Floating-point operations of the products of one pass, {@code 2 m n k} each. */
  double flops() {
    double sum = 0;
    for (Product p : products) {
      sum += 2.0 * p.m() * p.n() * p.k();
    }
    return sum;
  }

  /** Runs every product of one pass once. */
  void runOnce() {
    for (int i = 0; i < products.size(); i++) {
      Product p = products.get(i);
      openblas_nolapack.cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, p.m(), p.n(), p.k(), 1f, a[i], p.k(), b[i], p.n(),
          0f, c[i], p.n());
    }
  }

  /** Median microseconds of one pass's products, over {@code calls} timed passes after {@code warmUp}. */
  double medianMicros(int warmUp, int calls) {
    for (int i = 0; i < warmUp; i++) {
      runOnce();
    }
    long[] times = new long[calls];
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      runOnce();
      times[i] = System.nanoTime() - start;
    }
    Arrays.sort(times);
    return times[calls / 2] / 1e3;
  }

  private static FloatBuffer filled(int size, SplittableRandom random) {
    FloatBuffer buffer = ByteBuffer.allocateDirect(size * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    for (int i = 0; i < size; i++) {
      buffer.put(i, (float) random.nextDouble(-1, 1));
    }
    return buffer;
  }
}
