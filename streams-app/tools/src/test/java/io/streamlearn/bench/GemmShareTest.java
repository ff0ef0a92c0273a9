package io.streamlearn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamlearn.learn.NetworkSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class GemmShareTest {

  private static List<GemmShare.Product> cnnPass(int rows) {
    // 28x28x1 -> conv 3 -> 26x26x32 -> pool -> 13x13x32 -> conv 3 -> 11x11x64 -> pool -> 5x5x64 = 1600
    return List.of(new GemmShare.Product(rows * 26 * 26, 32, 9), new GemmShare.Product(rows * 11 * 11, 64, 288),
        new GemmShare.Product(rows, 128, 1600), new GemmShare.Product(rows, 10, 128));
  }

  @Test
  void theCnnsProductsAreItsIm2colConvolutionsAndDenseLayersAtTheBatchSize() {
    NetworkSpec cnn = NetworkSpec.parse(784, OnnxBench.CNN_SPEC);
    assertEquals(cnnPass(64), GemmShare.products(cnn, 64, 64));
  }

  @Test
  void aCallOfMoreRowsThanAPassMakesEachPasssProductsInTurn() {
    NetworkSpec cnn = NetworkSpec.parse(784, OnnxBench.CNN_SPEC);
    List<GemmShare.Product> expected = new java.util.ArrayList<>(cnnPass(30));
    expected.addAll(cnnPass(30));
    expected.addAll(cnnPass(4));
    assertEquals(expected, GemmShare.products(cnn, 64, 30));
  }

  @Test
  void theMlpsProductsAreItsTwoDenseLayersAndCountTwoFlopsPerMultiplyAdd() {
    NetworkSpec mlp = NetworkSpec.parse(784, OnnxBench.MLP_SPEC);
    assertEquals(List.of(new GemmShare.Product(1, 128, 784), new GemmShare.Product(1, 10, 128)),
        GemmShare.products(mlp, 1, 256));
    assertEquals(2.0 * (784 * 128 + 128 * 10), new GemmShare(mlp, 1, 256).flops(), 0);
  }
}
