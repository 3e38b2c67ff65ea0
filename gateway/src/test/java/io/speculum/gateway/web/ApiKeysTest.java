package io.speculum.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Keys are known by their SHA-256 only. */
class ApiKeysTest {

    /** printf %s sk-one | sha256sum */
    private static final String SK_ONE = "sha256:456f1612bd25c6c8455039437bf441f43aa3b7d1c0b0047c712d5036dfebef0d";

    @Test
    void acceptsExactlyTheConfiguredKeysAndNamesThemByTheirHash() {
        ApiKeys keys = new ApiKeys(List.of(ApiKeys.hash("sk-one"), ApiKeys.hash("sk-two").toUpperCase().replace("SHA256", "sha256")));

        assertThat(keys.identify("sk-one")).isEqualTo(ApiKeys.hash("sk-one").substring(7, 19));
        assertThat(keys.identify("sk-two")).isNotNull().isNotEqualTo(keys.identify("sk-one"));
        assertThat(keys.identify("sk-three")).isNull();
        assertThat(keys.identify("")).isNull();
    }

    @Test
    void hashesLikeSha256sum() {
        assertThat(ApiKeys.hash("sk-one")).isEqualTo(SK_ONE);
    }

    @Test
    void refusesAKeyConfiguredInClear() {
        assertThatThrownBy(() -> new ApiKeys(List.of("sk-one"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sha256:");
    }
}
