package io.speculum.detector.scoring;

/**
 * A method read from the start that makes the text look most machine-like, among the starts every
 * {@value #STEP} tokens within its first quarter: {@code max_s oriented(text[s..])}. Machine text usually continues
 * someone's words (a prompt, a story's first sentence) that the observer scores as human, and the first tokens of
 * any text are predicted from almost no context, so their evidence is mostly noise; skipping up to a quarter finds the
 * machine part without knowing where it starts. The maximum also lifts human texts' scores, which the calibrated
 * threshold (fitted on human texts scored the same way) absorbs.
 */
public final class OpeningScan implements TextScore {

    /** The distance between two candidate starts, tokens. */
    static final int STEP = 8;
    /** The largest share of a text a skipped opening may take. */
    static final double MAX_OPENING = 0.25;

    private final TextScore method;

    public OpeningScan(TextScore method) {
        this.method = method;
    }

    /** The scanned method's name with {@code -scan}, e.g. {@code fast-detectgpt-scan}. */
    public static String nameOf(String method) {
        return method + "-scan";
    }

    @Override
    public String name() {
        return nameOf(method.name());
    }

    @Override
    public int machineDirection() {
        return 1;
    }

    @Override
    public double score(TextEvidence text) {
        return best(text).score();
    }

    /** The scanned method's contributions from the chosen start on; the skipped opening contributes nothing. */
    @Override
    public double[] contributions(TextEvidence text) {
        int start = best(text).start();
        double[] tail = method.contributions(suffix(text, start));
        double[] out = new double[text.size()];
        System.arraycopy(tail, 0, out, start, tail.length);
        return out;
    }

    /** The start whose suffix scores highest (the earliest on ties). */
    int bestStart(TextEvidence text) {
        return best(text).start();
    }

    private Best best(TextEvidence text) {
        TextScore.requireTokens(text);
        Best best = new Best(0, Double.NEGATIVE_INFINITY);
        for (int start = 0; start <= text.size() * MAX_OPENING; start += STEP) {
            double score = method.oriented(suffix(text, start));
            if (score > best.score()) {
                best = new Best(start, score);
            }
        }
        return best;
    }

    private record Best(int start, double score) {
    }

    private static TextEvidence suffix(TextEvidence text, int start) {
        return start == 0 ? text : new TextEvidence(text.tokens().subList(start, text.size()), text.withReference());
    }
}
