#!/usr/bin/env bash
# Load test of the reference service against issue 6's bars, with Debian's wrk on 127.0.0.1:
#   1. batching on, then off: a warm-up, then wrk posting one real PNG; req/s, p50, p99, non-2xx, socket errors, RSS
#   2. bad requests (empty, garbage, truncated PNG, 60000x60000 header, 6 MB body, text/plain, unclosed multipart):
#      each its status code, and the service still answers afterwards
#   3. hot reload under load: the model file is replaced in place, by rename, and by a broken file while wrk runs
# Writes serve-load.md and serve-load.json to --out. Exit 1 when a correctness bar fails (a non-2xx or socket error,
# a wrong status code, a failed request during reloads); throughput and memory bars are reported, not enforced.
set -euo pipefail

usage() {
  echo "usage: loadtest.sh --service BIN --model CNN.onnx --alt-model OTHER.onnx --png DIGIT.png --out DIR" \
       "[--seconds 30] [--warmup 5] [--connections 64] [--wrk-threads 2] [-- service args...]" >&2
  exit 2
}
die() { echo "loadtest: $*" >&2; exit 1; }

service="" model="" alt_model="" png="" out="" seconds=30 warmup=5 connections=64 wrk_threads=2
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --service) service=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --alt-model) alt_model=$2; shift 2 ;;
    --png) png=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --wrk-threads) wrk_threads=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) usage ;;
  esac
done
[ -n "$service" ] && [ -n "$model" ] && [ -n "$alt_model" ] && [ -n "$png" ] && [ -n "$out" ] || usage
command -v wrk >/dev/null || die "wrk not found: install Debian's wrk (apt-get install wrk)"
command -v curl >/dev/null || die "curl not found: install Debian's curl"
[ -x "$service" ] || die "$service: not found or not executable; build the service first"
for f in "$model" "$alt_model" "$png"; do [ -f "$f" ] || die "$f: not found (make train writes the models)"; done

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pid="" wrk_pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  [ -z "$wrk_pid" ] || kill "$wrk_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export LOADTEST_PNG
LOADTEST_PNG=$(cd "$(dirname "$png")" && pwd)/$(basename "$png")

# Starts the service on an ephemeral port; sets pid and url. Args: log name, model, service args...
start_service() {
  local log=$work/$1.log
  "$service" --model "$2" --urls http://127.0.0.1:0 "${@:3}" "${extra[@]}" >"$log" 2>&1 &
  pid=$!
  url=""
  for _ in $(seq 1 300); do
    url=$(sed -n 's/.*Now listening on: \(http:[^ ]*\).*/\1/p' "$log" | head -n 1)
    [ -n "$url" ] && curl -sf --max-time 2 "$url/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || die "the service exited at startup: $(tail -n 1 "$log")"
    # A model that cannot load (a broken file, CUDA asked for but missing) would only time out below.
    failure=$(sed -n 's/.*Cannot load the model: //p' "$log" | head -n 1)
    [ -z "$failure" ] || die "the service cannot load $2: $failure"
    sleep 0.1
  done
  die "the service did not become ready within 30 s: $(tail -n 1 "$log")"
}
stop_service() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || die "the service died under load: $(tail -n 1 "$work"/*.log | tail -n 1)"; }
# wrk prints latencies as 950.00us, 8.71ms or 1.02s; this gives milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms$/) n *= 1000; printf "%.2f", n }'; }
wrk_field() { # file, what
  case "$2" in
    rps) awk '/^Requests\/sec/{print $2}' "$1" ;;
    requests) awk '/requests in/{print $1}' "$1" ;;
    p50) to_ms "$(awk '$1=="50%"{print $2}' "$1")" ;;
    p99) to_ms "$(awk '$1=="99%"{print $2}' "$1")" ;;
    non2xx) awk '/Non-2xx/{n=$NF} END{print n+0}' "$1" ;;
    sockerr) awk '/Socket errors/{gsub(/,/,""); n=$4+$6+$8+$10} END{print n+0}' "$1" ;;
  esac
}
run_wrk() { # seconds, output file
  wrk -t"$wrk_threads" -c"$connections" -d"$1"s --latency -s "$here/post.lua" "$url/v1/classify" >"$2"
}
verdict() { if [ "$1" = 1 ]; then echo "MET"; else echo "MISSED"; fi; }

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
failed=0
declare -A rps p50 p99 non2xx sockerr rss_warm rss_after requests
for mode in on off; do
  enabled=true; [ "$mode" = off ] && enabled=false
  echo "loadtest: batching $mode: ${warmup} s warm-up, ${seconds} s of wrk with $connections connections" >&2
  start_service "batching-$mode" "$model" --Classifier:Batching:Enabled "$enabled"
  run_wrk "$warmup" "$work/warmup-$mode.txt"
  rss_warm[$mode]=$(rss_kb)
  run_wrk "$seconds" "$work/wrk-$mode.txt"
  rss_after[$mode]=$(rss_kb)
  stop_service
  for k in rps requests p50 p99 non2xx sockerr; do
    eval "$k[\$mode]=\$(wrk_field \"\$work/wrk-\$mode.txt\" $k)"
  done
  echo "loadtest: batching $mode: ${rps[$mode]} req/s, p50 ${p50[$mode]} ms, p99 ${p99[$mode]} ms," \
       "non-2xx ${non2xx[$mode]}, socket errors ${sockerr[$mode]}" >&2
done
[ -n "${rps[on]}" ] && [ -n "${rps[off]}" ] || die "wrk reported no throughput (see the service logs)"
ratio=$(awk -v a="${rps[on]}" -v b="${rps[off]}" 'BEGIN { printf "%.2f", a / b }')
clean=$(( ${non2xx[on]} + ${non2xx[off]} + ${sockerr[on]} + ${sockerr[off]} == 0 ? 1 : 0 ))
[ "$clean" = 1 ] || failed=1
fast=$(awk -v r="$ratio" 'BEGIN { print (r >= 1.5) ? 1 : 0 }')
growth() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f", (b - a) * 100 / a }'; }
flat=$(awk -v a="${rss_warm[on]}" -v b="${rss_after[on]}" -v c="${rss_warm[off]}" -v d="${rss_after[off]}" \
  'BEGIN { print ((b - a) / a <= 0.10 && (d - c) / c <= 0.10) ? 1 : 0 }')

echo "loadtest: bad requests" >&2
start_service bad "$model"
printf '\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\xea\x60\x00\x00\xea\x60\x08\x00\x00\x00\x00\xa5\xb9\x2a\x9e\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82' >"$work/huge-header.png"
head -c 4096 /dev/urandom >"$work/garbage.bin"
head -c $(( $(stat -c %s "$png") / 2 )) "$png" >"$work/truncated.png"
head -c $(( 6 * 1024 * 1024 )) /dev/zero >"$work/six-mb.bin"
: >"$work/empty.bin"
{ printf -- '--B0undary\r\nContent-Disposition: form-data; name="image"; filename="d.png"\r\nContent-Type: image/png\r\n\r\n'; cat "$png"; } >"$work/multipart-unclosed.bin"
bad_rows=""
bad_ok=1
post() { curl -s --max-time 30 -o /dev/null -w '%{http_code}' -X POST -H "Content-Type: $2" --data-binary "@$1" "$url/v1/classify"; }
for case in "empty body|$work/empty.bin|image/png|400" "garbage bytes|$work/garbage.bin|image/png|400" \
            "truncated PNG|$work/truncated.png|image/png|400" "60000x60000 header|$work/huge-header.png|image/png|400" \
            "6 MB body|$work/six-mb.bin|image/png|413" "text/plain body|$png|text/plain|415" \
            "multipart without its closing boundary|$work/multipart-unclosed.bin|multipart/form-data; boundary=B0undary|400"; do
  IFS='|' read -r name file type want <<<"$case"
  got=$(post "$file" "$type")
  after=$(post "$png" image/png)
  ok=$([ "$got" = "$want" ] && [ "$after" = 200 ] && echo 1 || echo 0)
  [ "$ok" = 1 ] || bad_ok=0
  bad_rows+="| $name | $want | $got | $after | $(verdict "$ok") |"$'\n'
done
stop_service
[ "$bad_ok" = 1 ] || failed=1

echo "loadtest: hot reload under load" >&2
reload_seconds=$(( seconds < 15 ? 15 : seconds ))
live=$work/live/model.onnx
mkdir -p "$work/live"
cp "$model" "$live"
start_service reload "$live"
run_wrk "$reload_seconds" "$work/wrk-reload.txt" &
wrk_pid=$!
step=$(( reload_seconds / 4 ))
sleep "$step"; cat "$alt_model" >"$live"                                         # in place
sleep "$step"; cp "$model" "$work/live/.next.onnx" && mv "$work/live/.next.onnx" "$live"  # by rename
sleep "$step"; head -c 2048 /dev/urandom >"$work/live/.bad.onnx" && mv "$work/live/.bad.onnx" "$live"  # broken
wait "$wrk_pid"
wrk_pid=""
sleep 1
after_reload=$(post "$png" image/png)
stop_service
reloads=$(grep -c "Reloaded model" "$work/reload.log" || true)
ignored=$(grep -c "Ignoring the changed model file" "$work/reload.log" || true)
reload_requests=$(wrk_field "$work/wrk-reload.txt" requests)
reload_bad=$(( $(wrk_field "$work/wrk-reload.txt" non2xx) + $(wrk_field "$work/wrk-reload.txt" sockerr) ))
reload_ok=$([ "$reload_bad" = 0 ] && [ "$reloads" -ge 2 ] && [ "$ignored" -ge 1 ] && [ "$after_reload" = 200 ] && echo 1 || echo 0)
[ "$reload_ok" = 1 ] || failed=1

mkdir -p "$out"
machine="$(nproc) cores, $(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo), load average $load_at_start before the runs"
settings="wrk -t$wrk_threads -c$connections -d${seconds}s after a ${warmup} s warm-up; service args: ${extra[*]:-(defaults)}"
md=$work/serve-load.md
{
  echo "# Reference service under load"
  echo
  echo "Model $model, body $png ($(stat -c %s "$png") bytes). $settings. Machine: $machine."
  echo
  echo "| | batching on | batching off |"
  echo "| --- | ---: | ---: |"
  echo "| requests/s | ${rps[on]} | ${rps[off]} |"
  echo "| p50 ms | ${p50[on]} | ${p50[off]} |"
  echo "| p99 ms | ${p99[on]} | ${p99[off]} |"
  echo "| requests | ${requests[on]} | ${requests[off]} |"
  echo "| non-2xx | ${non2xx[on]} | ${non2xx[off]} |"
  echo "| socket errors | ${sockerr[on]} | ${sockerr[off]} |"
  echo "| RSS after warm-up, MiB | $(( ${rss_warm[on]} / 1024 )) | $(( ${rss_warm[off]} / 1024 )) |"
  echo "| RSS after the run, MiB | $(( ${rss_after[on]} / 1024 )) ($(growth "${rss_warm[on]}" "${rss_after[on]}") %) | $(( ${rss_after[off]} / 1024 )) ($(growth "${rss_warm[off]}" "${rss_after[off]}") %) |"
  echo
  echo "| bad request | expected | got | next good request | |"
  echo "| --- | ---: | ---: | ---: | --- |"
  printf '%s' "$bad_rows"
  echo
  echo "Hot reload under load (${reload_seconds} s of wrk; the model file replaced in place by $alt_model, back by rename," \
       "then by a broken file): $reload_requests requests, $reload_bad failed; $reloads reloads, $ignored broken file(s) ignored;" \
       "a request afterwards: $after_reload."
  echo
  echo "$(verdict "$clean") zero non-2xx responses and zero socket errors under load"
  echo "$(verdict "$fast") batching on at least 1.5x off: ${ratio}x"
  echo "$(verdict "$flat") resident memory after the run within 10 % of after the warm-up"
  echo "$(verdict "$bad_ok") every bad request gets its status code and the service keeps serving"
  echo "$(verdict "$reload_ok") replacing the model file under load fails no request"
} >"$md"
json=$work/serve-load.json
printf '{"model":"%s","connections":%s,"seconds":%s,"batching_on":{"rps":%s,"p50_ms":%s,"p99_ms":%s,"non_2xx":%s,"socket_errors":%s,"rss_warm_kb":%s,"rss_after_kb":%s},"batching_off":{"rps":%s,"p50_ms":%s,"p99_ms":%s,"non_2xx":%s,"socket_errors":%s,"rss_warm_kb":%s,"rss_after_kb":%s},"ratio":%s,"bad_requests_ok":%s,"hot_reload":{"requests":%s,"failed":%s,"reloads":%s,"ignored":%s}}\n' \
  "$model" "$connections" "$seconds" \
  "${rps[on]}" "${p50[on]}" "${p99[on]}" "${non2xx[on]}" "${sockerr[on]}" "${rss_warm[on]}" "${rss_after[on]}" \
  "${rps[off]}" "${p50[off]}" "${p99[off]}" "${non2xx[off]}" "${sockerr[off]}" "${rss_warm[off]}" "${rss_after[off]}" \
  "$ratio" "$([ "$bad_ok" = 1 ] && echo true || echo false)" "$reload_requests" "$reload_bad" "$reloads" "$ignored" >"$json"
mv "$md" "$out/serve-load.md.tmp" && mv "$out/serve-load.md.tmp" "$out/serve-load.md"
mv "$json" "$out/serve-load.json.tmp" && mv "$out/serve-load.json.tmp" "$out/serve-load.json"
cat "$out/serve-load.md"
exit "$failed"
