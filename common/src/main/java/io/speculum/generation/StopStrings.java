package io.speculum.generation;

import java.util.List;

/**
 * Finds stop strings in streamed text. Text that could still turn out to be the start of a stop string is held back
 * until it cannot, so a client never sees a stop string or a prefix of one it would have to take back.
 */
public final class StopStrings {

    /** Text now safe to emit, and whether a stop string was found (the text then ends before it). */
    public record Emission(String text, boolean stopped) {
    }

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();

    public StopStrings(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    public Emission push(String text) {
        held.append(text);
        if (stops.isEmpty()) {
            String out = held.toString();
            held.setLength(0);
            return new Emission(out, false);
        }
        int first = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            String out = held.substring(0, first);
            held.setLength(0);
            return new Emission(out, true);
        }
        int keep = longestSuffixThatStartsAStop();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Emission(out, false);
    }

    /** Whatever was held back, at the end of the generation. */
    public String flush() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    private int longestSuffixThatStartsAStop() {
        String text = held.toString();
        int best = 0;
        for (String stop : stops) {
            for (int n = Math.min(stop.length() - 1, text.length()); n > best; n--) {
                if (text.regionMatches(text.length() - n, stop, 0, n)) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }
}
