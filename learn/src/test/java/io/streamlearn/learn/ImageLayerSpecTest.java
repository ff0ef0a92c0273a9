package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The image and normalisation layers in the spec language: records, text round trips, parse and shape errors. */
class ImageLayerSpecTest {

  private static final String CNN =
      "input(28,28,1) > conv2d(32,3,relu) > maxpool(2) > conv2d(64,3,relu) > maxpool(2) > dense(128,relu) > dense(10,softmax)";

  @Test
  void theFashionMnistCnnParsesIntoItsRecordsAndShapes() {
    NetworkSpec spec = NetworkSpec.parse(784, CNN);
    assertEquals(List.of(new LayerSpec.Input(28, 28, 1), new LayerSpec.Conv2d(32, 3, Activation.RELU),
        new LayerSpec.MaxPool(2), new LayerSpec.Conv2d(64, 3, Activation.RELU), new LayerSpec.MaxPool(2),
        new LayerSpec.Dense(128, Activation.RELU), new LayerSpec.Dense(10, Activation.SOFTMAX)), spec.layers());
    assertEquals("[28x28x1, 26x26x32, 13x13x32, 11x11x64, 5x5x64, 128, 10]", spec.shapes().toString());
    // PyTorch's count for the same network
    assertEquals(320 + 18496 + 204928 + 1290, spec.parameterCount());
    assertEquals(CNN, spec.text());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "input(4,4,3) > conv2d(8,3,stride=2,padding=same,tanh,init=torch) > avgpool(2) > flatten > dense(2,softmax)",
      "input(4,4,3) > batchnorm > conv2d(8,2,linear) > batchnorm(momentum=0.01) > dense(5,relu) > batchnorm(epsilon=0.001)"
          + " > dense(2,softmax)",
      "input(4,4,3) > batchnorm(momentum=0.2,epsilon=0.01) > maxpool(2) > dropout(0.25) > dense(2,sigmoid)",
      "conv2d(2,3,leaky_relu) > dense(1,linear)"})
  void textRoundTrips(String text) {
    int inputs = text.startsWith("input") ? 48 : 36;
    NetworkSpec spec = NetworkSpec.parse(inputs, text);
    assertEquals(text, spec.text());
    assertEquals(spec, NetworkSpec.parse(inputs, spec.text()));
  }

  @Test
  void namesAreCaseInsensitiveAndSpacesAndParenthesesOptional() {
    NetworkSpec spec = NetworkSpec.parse(48, " INPUT( 4 , 4 , 3 ) > Conv2D(8, 3, Padding=SAME, ReLU) > Flatten() > BatchNorm()"
        + " > dense(2,softmax)");
    assertEquals("input(4,4,3) > conv2d(8,3,padding=same,relu) > flatten > batchnorm > dense(2,softmax)", spec.text());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "conv2d(32) > dense(2)|position 7|conv2d takes (filters,kernel",
      "conv2d(32,x,relu) > dense(2)|position 10|'x'",
      "conv2d(32,3,stride=0) > dense(2)|position 12|'stride=0'",
      "conv2d(32,3,padding=full) > dense(2)|position 12|unknown padding",
      "conv2d(32,3,softmax) > dense(2)|position 12|not softmax",
      "conv2d(32,3,relu,relu) > dense(2)|position 17|given twice",
      "conv2d(4,3,color=red) > dense(2)|position 11|no option 'color'",
      "maxpool(two) > dense(2)|position 8|'two'",
      "maxpool(2,2) > dense(2)|position 10|maxpool takes 1",
      "flatten(1) > dense(2)|position 8|takes no arguments",
      "batchnorm(0.1) > dense(2)|position 10|batchnorm takes",
      "batchnorm(momentum=2) > dense(2)|position 10|momentum must be in [0,1]",
      "input(6,6) > dense(2)|position 8|input takes 3",
      "pool(2) > dense(2)|position 0|unknown layer type"})
  void parseErrorsNameThePositionAndTheToken(String text, String position, String detail) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(36, text));
    assertTrue(e.getMessage().contains(position), e.getMessage());
    assertTrue(e.getMessage().contains(detail), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "input(3,3,1) > conv2d(4,5) > dense(2)|9|layer 1 conv2d(4,5,linear): kernel 5x5 is larger than its input 3x3x1",
      "input(3,3,1) > maxpool(4) > dense(2)|9|layer 1 maxpool(4): window 4x4 is larger than its input 3x3x1",
      "conv2d(4,3) > dense(2)|10|layer 0 conv2d(4,3,linear): needs an image and the 10 inputs are not a square",
      "dense(16) > conv2d(4,3) > dense(2)|16|layer 1 conv2d(4,3,linear): needs an image, got a vector of 16 values",
      "input(3,3,2) > dense(2)|9|layer 0 input(3,3,2): holds 18 values per example, the network has 9 inputs",
      "dense(4) > input(2,2,1) > dense(2)|9|layer 1 input(2,2,1): input(h,w,c) may only be the first layer",
      "input(4,4,1) > conv2d(2,3) > maxpool(2) > maxpool(2) > dense(2)|16|layer 3 maxpool(2): window 2x2 is larger than its input 1x1x2"})
  void shapeErrorsNameTheLayer(String text, int inputs, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(inputs, text));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void samePaddingKeepsTheSizeAtStrideOneAndRoundsUpAtStrideTwo() {
    NetworkSpec spec = NetworkSpec.parse(75, "input(5,5,3) > conv2d(4,3,padding=same) > conv2d(2,2,stride=2,padding=same)"
        + " > dense(1)");
    assertEquals("[5x5x3, 5x5x4, 3x3x2, 1]", spec.shapes().toString());
    assertEquals(1, Padding.SAME.padBefore(5, 3, 1));
    assertEquals(0, Padding.SAME.padBefore(5, 2, 2));
  }

  @Test
  void recordsValidateTheirFields() {
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.Input(0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.Conv2d(1, 0, Activation.RELU));
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.Conv2d(1, 3, Activation.SOFTMAX));
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.Conv2d(1, 3, 0, Padding.VALID, Activation.RELU,
        WeightInit.AUTO));
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.MaxPool(0));
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.AvgPool(-1));
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.BatchNorm(1.5, 1e-5));
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.BatchNorm(0.1, 0.0));
  }

  @Test
  void withInitReachesConvolutionsToo() {
    NetworkSpec spec = NetworkSpec.parse(16, "input(4,4,1) > conv2d(2,3,relu) > dense(2,softmax)").withInit(WeightInit.TORCH);
    assertEquals("input(4,4,1) > conv2d(2,3,relu,init=torch) > dense(2,softmax,init=torch)", spec.text());
  }
}
