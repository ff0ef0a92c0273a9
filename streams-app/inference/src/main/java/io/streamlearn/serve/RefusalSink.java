package io.streamlearn.serve;

/**
 * Where the registry follower reports a model version it refused. The global processor that
 * follows the registry cannot forward records (global stores have no downstream), so the service
 * hands it a sink backed by a producer of its own ({@link DeadLetterRefusals}); topology tests
 * hand it a list.
 */
@FunctionalInterface
public interface RefusalSink {
  /** A sink that only relies on the follower's log line. */
  RefusalSink LOG_ONLY = (key, value, reason, topic, partition, offset) -> { };

  /**
   * Reports a refused version.
   *
   * @param registryKey the version's registry key ({@code name:version})
   * @param value the version's registry record as read, or {@code null} when it is not kept
   * @param reason why it was refused
   * @param topic the registry topic
   * @param partition the partition of the registry record that triggered the check, -1 if unknown
   * @param offset its offset, -1 if unknown (checked while restoring at start-up)
   */
  void refused(String registryKey, byte[] value, String reason, String topic, int partition, long offset);
}
