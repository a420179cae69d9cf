package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever the file held and whatever the configuration holds, the written text reads back as exactly
 * the configuration (through {@link java.util.Properties}, whose format FileInstall reads), keeps every
 * comment, and is written again unchanged.
 */
class CfgFileTextProperties {

    @Property(tries = 500)
    void theTextHoldsExactlyTheValuesAndKeepsTheComments(@ForAll("maps") Map<String, String> before,
            @ForAll("maps") Map<String, String> after, @ForAll("comments") List<String> comments) {
        StringBuilder file = new StringBuilder();
        comments.forEach(comment -> file.append(comment).append('\n'));
        file.append(CfgFileText.withValues("", before));
        String written = CfgFileText.withValues(file.toString(), after);
        assertEquals(after, CfgFileText.values(written));
        assertEquals(written, CfgFileText.withValues(written, after));
        for (String comment : comments) {
            assertTrue(written, written.contains(comment + "\n"));
        }
    }

    @Provide
    Arbitrary<Map<String, String>> maps() {
        Arbitrary<String> keys = text().filter(key -> !key.isEmpty());
        return Arbitraries.maps(keys, text()).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<String>> comments() {
        return Arbitraries.of("#", "!").flatMap(mark -> Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(12)
                .map(rest -> mark + rest)).list().ofMaxSize(3);
    }

    // names and values as the configuration may hold them: spaces, separators, escapes, line breaks, non-ASCII
    private static Arbitrary<String> text() {
        return Arbitraries.strings().withChars(" =:#!\\\t\n\r\fab1é☃").ofMaxLength(6);
    }
}
