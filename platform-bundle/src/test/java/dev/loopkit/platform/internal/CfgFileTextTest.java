package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.Test;

/** How the write-back changes an admin's {@code .cfg} file: only the entries whose value changed. */
public class CfgFileTextTest {

    private static final String FILE = "# chosen by hand\n"
            + "\n"
            + "policy = selector\n"
            + "! another kind of comment\n"
            + "watcher=safe\n";

    @Test
    public void aFileThatSaysTheSameIsTheSameText() {
        assertEquals(FILE, CfgFileText.withValues(FILE, Map.of("policy", "selector", "watcher", "safe")));
    }

    @Test
    public void aChangedValueIsWrittenInItsPlaceAndTheRestStaysAsWritten() {
        assertEquals("# chosen by hand\n\npolicy = selector\n! another kind of comment\nwatcher = threaded\n",
                CfgFileText.withValues(FILE, Map.of("policy", "selector", "watcher", "threaded")));
    }

    @Test
    public void aKeyNoLongerThereIsRemovedWithItsContinuationLines() {
        String continued = "policy = sel\\\n    ector\nwatcher = safe\n";
        assertEquals(Map.of("policy", "selector", "watcher", "safe"), CfgFileText.values(continued));
        assertEquals("watcher = safe\n", CfgFileText.withValues(continued, Map.of("watcher", "safe")));
    }

    @Test
    public void aNewKeyIsAppendedEvenAfterALastLineWithoutItsEnd() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("policy", "epoll");
        values.put("blockedLoopWarning", "0.5");
        assertEquals("policy = epoll\nblockedLoopWarning = 0.5\n", CfgFileText.withValues("policy = epoll", values));
    }

    @Test
    public void aRepeatedKeyKeepsOneEntry() {
        assertEquals("policy = proactor\n", CfgFileText.withValues("policy = epoll\npolicy = default\n", Map.of("policy", "proactor")));
    }

    @Test
    public void valuesAreEscapedAsFileInstallReadsThem() {
        Map<String, String> values = Map.of("watcher", " a=b:c #d \\ é ☃\n");
        String text = CfgFileText.withValues("", values);
        assertEquals("watcher = \\ a\\=b\\:c \\#d \\\\ é \\u2603\\n\n", text);
        assertEquals(values, CfgFileText.values(text));
    }
}
