package io.streamlearn.train;

/**
 * What a member of a trainer group has done so far (all zero for a trainer on its own): what
 * {@code bench trainer --group-members} reports per member.
 *
 * @param contributions updates sent to the sync topic
 * @param contributionBytes their encoded size
 * @param contributeNanos time spent sending them (update, encoding, transaction commit)
 * @param roundsAdopted rounds taken
 * @param adoptNanos time spent taking them
 * @param roundsFolded rounds folded as the publishing member
 * @param roundBytes their encoded size
 * @param foldNanos time spent folding them (and publishing versions from them)
 * @param refusedCommits commits the consumer group refused (a rebalance came between), each rolled back
 * @param partitions input partitions owned now
 * @param publishing whether this member publishes for the group now
 */
public record GroupStats(long contributions, long contributionBytes, long contributeNanos, long roundsAdopted,
                         long adoptNanos, long roundsFolded, long roundBytes, long foldNanos, long refusedCommits,
                         long partitions, boolean publishing) {
  /** A trainer that is not (yet) a group member. */
  public static final GroupStats NONE = new GroupStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, false);
}
