package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void loadsAndDecodes() {
        try (Model model = Model.load(TestModels.model(TestModels.STORIES_260K))) {
            System.out.println(model.metadata());
            int[] toks = model.vocabulary().tokenize("Once upon a time");
            System.out.println(java.util.Arrays.toString(toks));
            System.out.println(model.vocabulary().fingerprint());
            try (InferenceContext ctx = model.newContext(ContextOptions.defaults(256))) {
                DecodeBatch b = new DecodeBatch();
                b.addSequence(0, toks, 0, false);
                ctx.decode(b);
                StringBuilder sb = new StringBuilder();
                int pos = toks.length;
                for (int i = 0; i < 30; i++) {
                    int next = ctx.logitsView(b.size() - 1).argmax();
                    sb.append(model.vocabulary().piece(next));
                    b.clear();
                    b.add(next, pos++, 0, true);
                    ctx.decode(b);
                }
                System.out.println(sb);
                assertThat(sb.toString()).isNotEmpty();
            }
        }
    }
}
