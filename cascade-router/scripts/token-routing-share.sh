#!/usr/bin/env bash
# Token routing through the real suite: hand-offs and large-model token share at a few token thresholds.
# usage: token-routing-share.sh GATEWAY_URL API_KEY N_PROMPTS MAX_TOKENS THRESHOLD...
set -euo pipefail
url=$1 key=$2 n=$3 max=$4; shift 4
printf "%-10s %8s %8s %8s %10s %12s %14s\n" threshold requests small large handoffs large_share handoffs/100tok
for t in "$@"; do
  small=0 large=0 hand=0 req=0
  while IFS= read -r prompt; do
    body=$(jq -nc --arg p "$prompt" --argjson m "$max" --argjson t "$t" \
      '{model:"cascade",prompt:$p,max_tokens:$m,temperature:0,speculum:{cascade:{routing:"token",token_threshold:$t}}}')
    r=$(curl -sf -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$body" "$url/v1/completions")
    read -r s l h < <(jq -r '.speculum.cascade | "\(.small_completion_tokens) \(.large_completion_tokens) \(.handoffs)"' <<<"$r")
    small=$((small+s)) large=$((large+l)) hand=$((hand+h)) req=$((req+1))
  done < <(head -n "$n" "${PROMPTS:-/work/shared/data/tinystories/prompts-a.jsonl}" | jq -r .prompt)
  awk -v t="$t" -v q=$req -v s=$small -v l=$large -v h=$hand \
    'BEGIN{printf "%-10s %8d %8d %8d %10d %11.1f%% %14.1f\n", t, q, s, l, h, 100*l/(s+l), 100*h/(s+l)}'
done
