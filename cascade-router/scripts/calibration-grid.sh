#!/usr/bin/env bash
# The cascade benchmark grid of docs/cascades.md: the calibrate command for both small models the issue names
# (TinyStories-656K, babyllama), both qualities (likelihood, agreement) and three answer lengths, large model
# stories260K. Run from the repository root after `./mvnw -q -pl cascade-router -am package -DskipTests`;
# plots and learned rules go to ${OUT:-target/calibration-grid}.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ -n "${JAVA_HOME:-}" ]]; then export PATH="$JAVA_HOME/bin:$PATH"; fi
SHARED=${SHARED:-../shared}
OUT=${OUT:-target/calibration-grid}
mkdir -p "$OUT"
JAR=$(ls cascade-router/target/speculum-cascade-router-*-exec.jar)
for tokens in 48 96 24; do
  for small in 656K babyllama; do
    if [[ $small == 656K ]]; then
      model=(--small "$SHARED/models/TinyStories-656K-f32.gguf" "--small-prompt-suffix= ")
    else
      model=(--small "$SHARED/models/babyllama-tok105.gguf")
    fi
    for quality in likelihood agreement; do
      echo "=== small $small, quality $quality, max-tokens $tokens"
      java --enable-native-access=ALL-UNNAMED -jar "$JAR" calibrate --prompts "$SHARED/data/tinystories/prompts-a.jsonl" \
        --large "$SHARED/models/stories260K.gguf" --stop "<|end_story|>" "${model[@]}" --quality "$quality" \
        --max-tokens "$tokens" --plot "$OUT/curves-$small-$quality-$tokens.png" \
        --learned-out "$OUT/rule-$small-$quality-$tokens.json" 2>&1 | grep -v ' WARN \| INFO '
    done
  done
done
