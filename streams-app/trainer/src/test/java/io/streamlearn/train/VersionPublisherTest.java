package io.streamlearn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamlearn.registry.Lineage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionPublisherTest {
  @Test
  void aVersionsLineageRecordsTheWholeEffectiveTrainingConfiguration() {
    TrainerConfig config = TrainerConfig.fromArgs(List.of("--layers", "dense(4,relu) > dense(3,softmax)",
        "--optimizer", "adam(lr=0.01, schedule=cosine(20000), clipnorm=1.0)", "--batch-size", "16",
        "--drift-detector", "page_hinkley", "--kafka-property", "ssl.keystore.password=s3cret"), Map.of());
    TrainerSettings settings = TrainerSettings.from(config);
    TrainingState state = new TrainingState(settings.network(), settings.rules(), 5);
    Lineage lineage = new VersionPublisher(settings, TrainerClock.SYSTEM,
        new TrainingEvents("metrics", "m", TrainerClock.SYSTEM)).lineage(state, List.of());
    Map<String, String> h = lineage.hyperparameters();
    assertEquals("adam(lr=0.01, schedule=cosine(20000), clipnorm=1.0)", h.get(TrainerConfig.OPTIMIZER));
    assertEquals(config.optimizer().text(), h.get(TrainerConfig.OPTIMIZER_EFFECTIVE));
    assertEquals("16", h.get(TrainerConfig.BATCH_SIZE));
    assertEquals("page_hinkley", h.get(TrainerConfig.DRIFT_DETECTOR));
    assertEquals("[hidden]", h.get("kafka.ssl.keystore.password"));
    assertEquals("0.01", h.get("learning.rate.current"));
    for (String key : TrainerConfig.DEF.names()) {
      assertEquals(true, h.containsKey(key), key + " missing from the lineage");
    }
  }
}
