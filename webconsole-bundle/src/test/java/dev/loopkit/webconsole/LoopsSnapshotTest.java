package dev.loopkit.webconsole;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.loopkit.platform.ChoiceStore;
import dev.loopkit.shell.LoopCommands;
import dev.loopkit.shell.Listing;
import java.util.List;
import org.junit.Test;

/**
 * The page's snapshot says what the {@code loop:} commands print, cell for cell (outside OSGi: the
 * policies come from ServiceLoader).
 */
public class LoopsSnapshotTest {

    private final LoopCommands commands = new LoopCommands(ChoiceStore.NONE);

    @Test
    public void thePoliciesTableHasTheCellsAndTheStatusLineOfLoopPolicies() {
        String json = LoopsSnapshot.json(commands);
        Listing policies = commands.policiesListing();
        assertEquals(commands.policies(), policies.toString());
        for (List<String> row : policies.rows()) {
            assertTrue(json + " lacks " + row, json.contains(new Json().strings(row).toString()));
            // the shell's line is the same cells, spaced out
            assertTrue(commands.policies(), commands.policies().lines()
                    .anyMatch(line -> List.of(line.strip().split("\\s+")).equals(row.stream().filter(c -> !c.isEmpty()).toList())));
        }
        assertTrue(json, json.contains("\"summary\":" + new Json().value(commands.policy())));
        assertTrue(json, json.contains("\"policyNames\":[\"default\",\"selector\",\"proactor\"]"));
    }

    @Test
    public void everyListingIsThere() {
        String json = LoopsSnapshot.json(commands);
        for (String key : new String[] {"policies", "watchers", "loops", "children", "watcherNames"}) {
            assertTrue(json, json.contains("\"" + key + "\":"));
        }
        assertTrue(json, json.contains(new Json().value(commands.loopsListing().footer()).toString()));
        assertTrue(json, json.contains(new Json().value(commands.childrenListing().footer()).toString()));
    }

    @Test
    public void aNameCannotEndTheScriptElementTheSnapshotSitsIn() {
        String text = new Json().begin().key("loop").value("</script><script>alert(1)</script> \"q\" \\ \n").end().toString();
        assertFalse(text, text.contains("<") || text.contains(">"));
        assertEquals("{\"loop\":\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\\"q\\\" \\\\ \\n\"}", text);
    }
}
