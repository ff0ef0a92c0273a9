package io.streamlearn.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * One stage of a trainer bench (a plain consumer, the engine alone, the trainer end to end) and the
 * table they print together, each rate beside the first row's (the raw consumer).
 *
 * @param stage what ran
 * @param records records (examples) it went through
 * @param seconds how long that took
 * @param note what else to know about the run
 */
record StageRow(String stage, long records, double seconds, String note) {

  /** Records a second. */
  double rate() {
    return records / seconds;
  }

  /** The rows as a Markdown table, each rate also as a share of the first row's. */
  static void print(PrintStream out, List<StageRow> rows) {
    out.println("| stage | records | seconds | records/s | vs raw consumer | note |");
    out.println("| --- | ---: | ---: | ---: | ---: | --- |");
    double raw = rows.get(0).rate();
    for (StageRow r : rows) {
      out.printf(Locale.ROOT, "| %s | %,d | %.2f | %,.0f | %.2f | %s |%n", r.stage(), r.records(), r.seconds(),
          r.rate(), r.rate() / raw, r.note());
    }
  }
}
