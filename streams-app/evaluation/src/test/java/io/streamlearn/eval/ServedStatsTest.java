package io.streamlearn.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamlearn.schema.Evaluation;
import io.streamlearn.schema.LabelSource;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServedStatsTest {
  private static Evaluation classified(int predicted, int label, float confidence, boolean leaked) {
    float rest = (1 - confidence) / 2;
    List<Float> scores = predicted == 0 ? List.of(confidence, rest, rest)
        : predicted == 1 ? List.of(rest, confidence, rest) : List.of(rest, rest, confidence);
    return Evaluation.newBuilder().setId("e").setModel("m").setModelVersion(1).setAlias("live")
        .setPredictedClass(predicted).setScores(scores).setLabel(label).setLabelSource(LabelSource.PREDICTION)
        .setCorrect(predicted == label).setLoss(1.0).setLeaked(leaked).setEventTime(0)
        .setEvaluatedAt(Instant.EPOCH).build();
  }

  @Test
  void theStoreFormatRoundTripsEverySum() {
    ServedStats s = new ServedStats();
    s.add(classified(0, 0, 0.9f, false));
    s.add(classified(2, 1, 0.5f, false));
    s.add(classified(1, 1, 0.7f, true));
    ServedStats back = ServedStats.decode(s.encode());
    assertEquals(s.metrics(), back.metrics());
    assertEquals(1, back.leaked);
    assertArrayEquals(s.classSupport, back.classSupport);
    assertArrayEquals(s.binCount, back.binCount);
  }

  @Test
  void mergingTwoIsAddingTheirEvaluationsToOne() {
    ServedStats a = new ServedStats();
    ServedStats b = new ServedStats();
    ServedStats both = new ServedStats();
    List<Evaluation> first = List.of(classified(0, 0, 0.9f, false), classified(1, 0, 0.6f, false));
    List<Evaluation> second = List.of(classified(2, 2, 0.4f, false), classified(2, 2, 0.8f, true));
    first.forEach(a::add);
    second.forEach(b::add);
    first.forEach(both::add);
    second.forEach(both::add);
    a.merge(b);
    assertEquals(both.metrics(), a.metrics());
  }

  @Test
  void anUnknownStoreFormatIsRefused() {
    byte[] bytes = new ServedStats().encode();
    bytes[0] = 9;
    assertThrows(IllegalArgumentException.class, () -> ServedStats.decode(bytes));
  }
}
