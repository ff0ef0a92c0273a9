#!/usr/bin/env bash
# Smoke test of the compose stack: builds, starts, waits until the dashboard reports model
# versions and predictions, checks that inference serves streamlearn_ metrics and that Prometheus
# scrapes every app, prints a few predictions, and stops the stack (keep it with KEEP=1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
COMPOSE="docker compose -f compose/docker-compose.yml"
./mvnw -q -B -DskipTests package
$COMPOSE up -d --build
trap '[ "${KEEP:-0}" = 1 ] || $COMPOSE down -v' EXIT
for i in $(seq 1 90); do
  state="$(curl -fsS http://localhost:8080/api/state || true)"
  if [ -n "$state" ] && python3 - "$state" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
versions = [v for v in s["versions"] if v["createdAt"] > 0]
ok = len(versions) >= 2 and s["totals"]["predictions"] > 100
print("versions %d, predictions %d, live %s" % (len(versions), s["totals"]["predictions"], s["aliases"].get("live")))
sys.exit(0 if ok else 1)
PY
  then
    # into a variable first: grep -q stops reading early, which pipefail would count as curl failing
    metrics="$(curl -fsS http://localhost:9401/metrics || true)"
    if ! grep -q '^streamlearn_' <<<"$metrics"; then
      echo "smoke test failed: inference-1's /metrics shows no streamlearn_ family" >&2
      exit 1
    fi
    for j in $(seq 1 12); do
      targets="$(curl -fsS http://localhost:9090/api/v1/targets || true)"
      if [ -n "$targets" ] && python3 - "$targets" <<'PY'
import json, sys
active = json.loads(sys.argv[1])["data"]["activeTargets"]
down = [t["scrapeUrl"] + ": " + t["lastError"] for t in active if t["health"] != "up"]
print("prometheus targets up: %d of %d %s" % (len(active) - len(down), len(active), down))
sys.exit(0 if active and not down else 1)
PY
      then
        break
      fi
      if [ "$j" = 12 ]; then
        echo "smoke test failed: Prometheus does not scrape every app after 60 s" >&2
        exit 1
      fi
      sleep 5
    done
    $COMPOSE exec -T dashboard java -jar /opt/streamlearn/streamlearn.jar tail predictions \
      --bootstrap-servers kafka:9092 --max-records 5 --idle-timeout-ms 30000
    echo "smoke test passed"
    exit 0
  fi
  sleep 5
done
echo "smoke test failed: no versions and predictions on the dashboard after 450 s" >&2
$COMPOSE logs --tail 50 >&2
exit 1
