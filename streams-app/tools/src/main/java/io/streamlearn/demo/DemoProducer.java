package io.streamlearn.demo;

import io.streamlearn.dashboard.DashboardState;
import io.streamlearn.schema.AvroSerde;
import io.streamlearn.schema.FeatureEvent;
import io.streamlearn.schema.FloatLists;
import io.streamlearn.schema.LabeledEvent;
import io.streamlearn.schema.Topics;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Produces a {@link DemoSource} at a fixed rate: labeled samples as {@code LabeledEvent}s, held-out
 * ones as {@code FeatureEvent}s whose labels it tells the dashboard. Runs until {@link #stop()}.
 */
final class DemoProducer extends PacedReplay {
  private final DemoSource source;
  private final DashboardState dashboard;
  private final AvroSerde<LabeledEvent> labeled = AvroSerde.of(LabeledEvent.class);
  private final AvroSerde<FeatureEvent> unlabeled = AvroSerde.of(FeatureEvent.class);

  DemoProducer(String bootstrap, DemoSource source, int rate, DashboardState dashboard) {
    super(bootstrap, rate);
    this.source = source;
    this.dashboard = dashboard;
  }

  @Override
  ProducerRecord<String, byte[]> record(long n) {
    DemoSource.Sample s = source.next();
    String id = "e-" + n;
    List<Float> x = FloatLists.boxed(s.features());
    Instant now = Instant.now();
    if (s.heldOut()) {
      dashboard.expectLabel(id, s.label());
      return new ProducerRecord<>(Topics.FEATURES, id,
          unlabeled.serialize(Topics.FEATURES, new FeatureEvent(id, now, x)));
    }
    return new ProducerRecord<>(Topics.LABELED, id,
        labeled.serialize(Topics.LABELED, new LabeledEvent(id, now, x, s.label())));
  }
}
