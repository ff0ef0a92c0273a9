package io.streamlearn.serve;

import io.streamlearn.app.LogContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A processor whose stream thread names its model in every log line from the task's start on
 * ({@link LogContext#model}). It is set in {@code init}, which Streams calls on the stream thread
 * that runs the task, and not in the supplier, which Streams also calls on the thread that builds
 * the topology.
 */
final class ModelLogged<KIn, VIn, KOut, VOut> implements Processor<KIn, VIn, KOut, VOut> {
  private final String model;
  private final Processor<KIn, VIn, KOut, VOut> processor;

  ModelLogged(String model, Processor<KIn, VIn, KOut, VOut> processor) {
    this.model = model;
    this.processor = processor;
  }

  @Override
  public void init(ProcessorContext<KOut, VOut> context) {
    LogContext.model(model);
    processor.init(context);
  }

  @Override
  public void process(Record<KIn, VIn> record) {
    processor.process(record);
  }

  @Override
  public void close() {
    processor.close();
  }
}
