#!/usr/bin/env bash
# Soak test (issue 7; not run in CI): the whole loop in one JVM (./streamlearn demo: embedded broker,
# producer, trainer, inference, dashboard) at a sustained rate for a long time, sampling every
# SAMPLE seconds the heap used after a full GC, the prediction rate and the p99 latency (from the
# demo's dashboard API), then judging heap growth after warm-up and exactly-once accounting.
#
#   bench/soak.sh [SECONDS=1800] [RATE=2000]        env: SAMPLE=30 PORT=18080 OUT=target/soak
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION=${1:-1800}
RATE=${2:-2000}
SAMPLE=${SAMPLE:-30}
PORT=${PORT:-18080}
OUT=${OUT:-target/soak}
mkdir -p "$OUT"
SAMPLES="$OUT/samples.tsv"

./streamlearn demo --duration "$DURATION" --rate "$RATE" --http-port "$PORT" \
  --progress-interval-ms 60000 --summary-json "$OUT/summary.json" > "$OUT/demo.log" 2>&1 &
PID=$!   # the launcher execs java, so this is the demo JVM
trap 'kill $PID 2>/dev/null || true' INT TERM

printf 'seconds\theap_after_gc_mb\tpredictions_per_s\tp99_latency_ms\tlive_version\n' | tee "$SAMPLES"
START=$(date +%s)
sleep "$SAMPLE"
while kill -0 "$PID" 2>/dev/null; do
  NOW=$(( $(date +%s) - START ))
  jcmd "$PID" GC.run > /dev/null 2>&1 || break
  HEAP=$(jcmd "$PID" GC.heap_info 2>/dev/null | awk '/garbage-first heap/ {for (i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K,?","",v); printf "%.1f", v/1024}}')
  STATE=$(curl -s --max-time 5 "http://localhost:$PORT/api/state" || true)
  read -r RATE_NOW P99 LIVE < <(printf '%s' "$STATE" | /usr/bin/python3 -c '
import json, sys
try:
    s = json.load(sys.stdin)
except ValueError:
    print("- - -"); sys.exit()
t = [b for b in s.get("throughput", []) if b.get("predictions", 0) > 0][-10:]
rate = sum(b["predictions"] for b in t) / max(1, len(t))
p99 = max((b["p99LatencyMs"] for b in t), default=0)
print("%.0f %.1f %s" % (rate, p99, s.get("aliases", {}).get("live", "-")))')
  printf '%s\t%s\t%s\t%s\t%s\n' "$NOW" "${HEAP:--}" "$RATE_NOW" "$P99" "$LIVE" | tee -a "$SAMPLES"
  sleep "$SAMPLE"
done
wait "$PID" || { echo "demo failed, see $OUT/demo.log"; exit 1; }

/usr/bin/python3 - "$SAMPLES" "$OUT/summary.json" <<'PY'
import json, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
heap = [(int(r[0]), float(r[1])) for r in rows if r[1] not in ("", "-")]
warmup = min(120, heap[-1][0] // 3)
warm = [h for t, h in heap if t >= warmup]
third = max(1, len(warm) // 3)
first, last = statistics.median(warm[:third]), statistics.median(warm[-third:])
s = json.load(open(sys.argv[2]))
missing = s["eventsProduced"] - s["distinctPredictedEvents"]
print(f"heap after GC, median of first third after warm-up: {first:.1f} MB, of last third: {last:.1f} MB"
      f" ({(last - first) / first * 100:+.1f} %)")
print(f"events {s['eventsProduced']}, predictions {s['predictions']}, missing {missing},"
      f" duplicates {s['duplicatePredictions']}, versions {s['versionsPublished']},"
      f" prequential accuracy {s['prequentialAccuracy']}")
ok = last <= first * 1.10 + 16 and missing == 0 and s["duplicatePredictions"] == 0
print("SOAK", "PASSED" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
