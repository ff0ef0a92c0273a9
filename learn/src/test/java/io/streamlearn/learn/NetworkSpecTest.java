package io.streamlearn.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetworkSpecTest {

  @Test
  void parsesTheDocumentedExample() {
    NetworkSpec spec = NetworkSpec.parse(784, "dense(128,relu) > dropout(0.2) > dense(10,softmax)");
    assertEquals(List.of(new LayerSpec.Dense(128, Activation.RELU), new LayerSpec.Dropout(0.2),
        new LayerSpec.Dense(10, Activation.SOFTMAX)), spec.layers());
    assertEquals(10, spec.outputs());
    assertEquals(784L * 128 + 128 + 128 * 10 + 10, spec.parameterCount());
  }

  @Test
  void textRoundTrips() {
    NetworkSpec spec = NetworkSpec.parse(5, " Dense( 8 , LEAKY_RELU )>dropout(0.5)> dense(4,tanh) > dense(3, sigmoid) > dense(2)");
    assertEquals("dense(8,leaky_relu) > dropout(0.5) > dense(4,tanh) > dense(3,sigmoid) > dense(2,linear)", spec.text());
    assertEquals(spec, NetworkSpec.parse(5, spec.text()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "dense(0,relu)", "dense(10,rellu)", "dense(10,relu) dense(3)", "conv(3)",
    "dropout(1.5) > dense(2)", "dense(10,relu) > dropout(0.1)", "dense(x)", "dense(10,relu", "dense(3,relu,1)"})
  void rejectsBadTextNamingThePosition(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(4, text));
    assertTrue(e.getMessage().contains("position") || e.getMessage().contains("last layer"), e.getMessage());
  }

  @Test
  void errorNamesTokenAndPosition() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NetworkSpec.parse(4, "dense(16,relu) > dense(10,softmx)"));
    assertTrue(e.getMessage().contains("position 26"), e.getMessage());
    assertTrue(e.getMessage().contains("'softmx'"), e.getMessage());
  }

  @Test
  void validatesRecords() {
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.Dense(0, Activation.RELU));
    assertThrows(IllegalArgumentException.class, () -> new LayerSpec.Dropout(1.0));
    assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(0, List.of(new LayerSpec.Dense(1, Activation.LINEAR))));
    assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(3, List.of()));
  }
}
