package io.streamlearn.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  @Test
  void aFieldRefusalNamesTheFieldInItsOwnHeaderAndInTheReason() {
    Headers h = DeadLetters.headers("trainer", Refusal.ofField("user.country", "missing"), "flights", 2, 41L);
    assertEquals("user.country", DeadLetters.header(h, DeadLetters.FIELD));
    assertEquals("field user.country: missing", DeadLetters.header(h, DeadLetters.REASON));
    assertEquals("trainer", DeadLetters.header(h, DeadLetters.APP));
    assertEquals("flights", DeadLetters.header(h, DeadLetters.TOPIC));
    assertEquals("2", DeadLetters.header(h, DeadLetters.PARTITION));
    assertEquals("41", DeadLetters.header(h, DeadLetters.OFFSET));
  }

  @Test
  void aWholeRecordRefusalHasNoFieldHeader() {
    Headers h = DeadLetters.headers("inference", Refusal.of("not JSON: unexpected character 'x'"), "t", 0, 0L);
    assertNull(DeadLetters.header(h, DeadLetters.FIELD));
    assertEquals("not JSON: unexpected character 'x'", DeadLetters.header(h, DeadLetters.REASON));
  }

  @Test
  void aRefusalNeedsAReasonAndAFieldPathWhenItNamesOne() {
    assertThrows(IllegalArgumentException.class, () -> Refusal.of(" "));
    assertThrows(IllegalArgumentException.class, () -> Refusal.ofField(null, "missing"));
    assertThrows(IllegalArgumentException.class, () -> new Refusal("", "missing"));
  }

  @Test
  void aLabelBeyondTheOutputLayerIsAFieldRefusalNotACrash() {
    assertNull(InputChecks.labelClassProblem("delayed", "true", 1, 1), "a binary model has 2 classes");
    assertNull(InputChecks.labelClassProblem("kind", "b", 2, 3));
    Refusal r = InputChecks.labelClassProblem("kind", "d", 3, 3);
    assertEquals("kind", r.field());
    assertEquals("field kind: label d is class 3, beyond the model's 3 classes", r.text());
  }
}
