/**
 * The inference service: a Kafka Streams topology that follows a model alias on the registry
 * topic through a global store, swaps the served model atomically after decoding and checking it,
 * and writes one {@link io.streamlearn.schema.Prediction} naming its model version for every input
 * event. Built by the side-effect-free {@link io.streamlearn.serve.InferenceTopology#build}.
 *
 * <h2>Swaps</h2>
 * The global thread ({@link io.streamlearn.serve.RegistryFollower}) decodes, checksum-verifies,
 * builds, signature-checks and warms up a new version while the stream threads keep scoring with
 * the old one, then replaces one reference ({@link io.streamlearn.serve.ServedModel}); a stream
 * thread reads that reference once per micro-batch, so no prediction ever waits for a swap and
 * each batch comes from exactly one version. A refused version is logged and written to the
 * dead-letter topic by a producer the service owns ({@link io.streamlearn.serve.RefusalSink}):
 * a global processor has no downstream to forward to. That producer is outside the stream
 * threads' transactions, so a refusal is reported at least once per instance (again after a
 * restart), which is what an alert needs.
 *
 * <h2>The users' own records</h2>
 * With a raw {@code --input-format} (json, avro, confluent-avro) the input values are the users'
 * records. The registry follower parses each version's frozen feature pipeline once, when it
 * prepares the version, and keeps it in {@link io.streamlearn.serve.ServedModel.Current}; a
 * micro-batch decodes every record once ({@code io.streamlearn.app.RawRecordDecoder}) and each
 * version scoring it (the served one, the shadow) featurizes it with its own pipeline, so a
 * prediction is always computed with exactly the vocabularies and statistics of the version it
 * names. A record the served version's pipeline refuses is a dead letter with its field; a version
 * without a pipeline is refused on a raw topic, and one with a pipeline on an event topic.
 *
 * <h2>Micro-batching under exactly-once</h2>
 * Kafka Streams commits a task's consumed offsets for every record that went through {@code
 * process()}, at the commit interval, on a rebalance and on close; there is no supported hook to
 * run work just before a commit, and punctuators are not guaranteed to run before one (the same
 * conclusion Beam's Kafka Streams runner reached for its bundles, apache/beam#39633). So a batch buffered only in memory would be lost on a crash or a
 * rebalance after its offsets were committed. Instead, every event that is not scored within its
 * own {@code process()} call joins a per-task queue that is a changelogged state store ({@code
 * input-queue}): a commit between {@code process()} and the forward pass commits the queued events
 * in the same transaction as their offsets, and whichever instance owns the task next restores the
 * queue and scores them. The store is cached and its keys restart at 0 whenever the queue empties,
 * so between two commits the changelog gets at most {@code batch.max.size} records, not one per
 * event.
 *
 * <p>By default ({@code batch.linger.ms=0}) no event waits for others, and the batch follows the
 * load: an event that finds the queue empty is scored on arrival without touching the store while
 * the stream thread keeps up with its input (the event is less than 20 ms old when processed) or
 * after a quiet millisecond; behind its input, events that arrive back to back (Kafka Streams gives
 * every record of one pass over a task the same wall-clock time) are queued and scored together when {@code batch.max.size}
 * are queued or by a 1 ms wall-clock punctuator, which Kafka Streams runs between its passes, so
 * at the end of the pass (an idle thread polls for 2 ms before it punctuates). At low
 * rates that is one event per forward pass with no queue store at all; under a backlog, batches of
 * up to {@code batch.max.size}, whose forward pass costs less per row. Why this is the default, with
 * the numbers: {@code InferenceConfig}'s {@code batch.max.size} doc and docs/benchmarks.md. With
 * {@code batch.linger.ms > 0} every event is queued and the queue is scored when it holds {@code
 * batch.max.size} events, when its oldest event has waited the linger, or from a wall-clock
 * punctuator of that interval ({@code poll.ms} follows the linger). With {@code batch.max.size=1}
 * an event is scored on arrival without touching the store. Events that arrive before the first
 * version use the same queue (bounded by {@code max.pending.events}, beyond it they go to the
 * dead-letter topic).
 *
 * <h2>Versions never go back on a partition</h2>
 * The queue store also keeps a marker of the last alias move used on its task. When a partition
 * moves to an instance whose registry view is still behind that marker, its events wait (at most
 * {@code catch.up.timeout.ms}) for the instance to catch up, so predictions on a partition never
 * name an older version than before, unless the alias itself was moved back (a rollback is a newer
 * alias move, ordered by {@code AliasMove.movedAt}).
 *
 * <h2>Shadow scoring</h2>
 * With {@code shadow.alias} set (e.g. {@code challenger}) the follower serves that alias too, into
 * a second holder; every micro-batch is also scored by it (when its input width matches) and its
 * predictions go to {@code shadow.topic}, so a candidate is judged on live traffic before it is
 * promoted. Events scored before the shadow alias names a version have no shadow prediction.
 *
 * <h2>Canary</h2>
 * With {@code canary.alias} and {@code canary.share} the follower serves a third alias, into its
 * own holder, and a {@link io.streamlearn.serve.CanarySplit} (a hash of the record key) routes that
 * share of the events to it instead of the served alias: each event still gets exactly one
 * prediction, on the predictions topic, naming the canary alias and its version. A micro-batch
 * reads the canary's version once, like the served one, and scores each alias's rows in a forward
 * pass of their own, keeping the input order on the way out. Before the canary alias names a
 * version the served alias scores its share (and names itself); nothing waits for the canary. The
 * catch-up marker above follows the served alias only.
 *
 * <h2>Predict over REST</h2>
 * {@link io.streamlearn.serve.PredictApi} answers TensorFlow Serving's REST predict and model
 * status on the routes of the service's {@code OpsServer} ({@code --http-port}). A request reads
 * the same {@link io.streamlearn.serve.ServedModel.Current} a micro-batch reads, once, so it is
 * scored by exactly one version with the stream's model object and pipeline; it never waits for a
 * swap or for Kafka (before the first version it is a 503). Versions other than the served,
 * shadow and canary ones are prepared on demand from the registry global store, which this
 * instance already holds, through interactive queries on its own copy.
 *
 * <h2>Metrics</h2>
 * {@link io.streamlearn.serve.InferenceMetrics}: predictions by model, version and alias, the
 * input-to-prediction latency histogram, served version, swaps, refusals by reason, dead letters,
 * queued events, publication-to-first-prediction and batch size, as Micrometer meters in the
 * service's {@link io.streamlearn.app.OpsServer} ({@code GET /metrics}, with the Kafka Streams and
 * Kafka client metrics), and the status line {@code streamlearn serve} prints every {@code
 * status.interval.ms} from the same meters. {@link io.streamlearn.serve.InferenceService} also
 * answers readiness and liveness; {@code docs/operations.md} lists every metric and health rule.
 */
package io.streamlearn.serve;
