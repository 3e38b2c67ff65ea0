#!/usr/bin/env python3
"""Token routing through a running suite's gateway: hand-offs, the large model's token share and the answers'
agreement with the large model's own (first-sentence word F1, as the calibrate command's --quality agreement),
at a few token thresholds. Standard library only.

usage: token-routing-share.py GATEWAY_URL API_KEY PROMPTS_JSONL N_PROMPTS MAX_TOKENS THRESHOLD...
"""
import json
import re
import sys
import urllib.request
from collections import Counter

WORD = re.compile(r"(?:[^\W_]|')+")  # AnswerAgreement's [\p{L}\p{N}']+


def complete(url, key, body):
    request = urllib.request.Request(url + "/v1/completions", json.dumps(body).encode(),
                                     {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def first_sentence(text):
    t, start = text.strip(), 0
    for i, c in enumerate(t):
        if c in ".!?":
            if WORD.search(t[start:i + 1]):
                return t[start:i + 1].strip()
            start = i + 1
    return t[start:].strip()


def words(text):
    return WORD.findall(text.lower())


def f1(answer, reference):
    if not answer or not reference:
        return 1.0 if not answer and not reference else 0.0
    overlap = sum((Counter(answer) & Counter(reference)).values())
    if overlap == 0:
        return 0.0
    p, r = overlap / len(answer), overlap / len(reference)
    return 2 * p * r / (p + r)


def main(url, key, prompts_file, n, max_tokens, *thresholds):
    with open(prompts_file) as f:
        prompts = [json.loads(line)["prompt"] for line in f][:int(n)]
    greedy = {"max_tokens": int(max_tokens), "temperature": 0}
    large = [complete(url, key, {"model": "stories260K", "prompt": p, **greedy})["choices"][0]["text"] for p in prompts]
    print(f"{'threshold':<10} {'requests':>8} {'small':>7} {'large':>7} {'handoffs':>9} {'large_share':>12} {'agreement':>10}")
    for t in thresholds:
        small_tokens = large_tokens = handoffs = 0
        agreement = 0.0
        for prompt, reference in zip(prompts, large):
            r = complete(url, key, {"model": "cascade", "prompt": prompt, **greedy,
                                    "speculum": {"cascade": {"routing": "token", "token_threshold": float(t)}}})
            c = r["speculum"]["cascade"]
            small_tokens += c["small_completion_tokens"]
            large_tokens += c["large_completion_tokens"]
            handoffs += c["handoffs"]
            agreement += f1(words(first_sentence(r["choices"][0]["text"])), words(first_sentence(reference)))
        share = 100 * large_tokens / max(1, small_tokens + large_tokens)
        print(f"{t:<10} {len(prompts):>8} {small_tokens:>7} {large_tokens:>7} {handoffs:>9} {share:>11.1f}% "
              f"{agreement / len(prompts):>10.3f}")


if __name__ == "__main__":
    if len(sys.argv) < 7:
        sys.exit(__doc__)
    main(*sys.argv[1:])
