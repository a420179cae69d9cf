package dev.loopkit.posix;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * The switches' words: off in any case, on, and anything else on with a warning. {@code LOOPKIT_PIDFD=disabled}
 * left pidfds on without a word (an outside review of the admin surface).
 */
public class EnvironmentSwitchTest {

    private final List<String> warned = new ArrayList<>();

    private String switchedOff(String value) {
        return EnvironmentSwitch.switchedOff("LOOPKIT_PIDFD", value, warned::add);
    }

    @Test
    public void offInAnyCaseTurnsTheFeatureOffAndSaysWhere() {
        for (String off : List.of("off", "OFF", " 0 ", "false", "No")) {
            assertEquals("LOOPKIT_PIDFD=" + off.strip() + " in the environment", switchedOff(off));
        }
        assertEquals(List.of(), warned);
    }

    @Test
    public void unsetOrOnLeavesItOnSilently() {
        for (String on : new String[] {null, "", "on", "1", "TRUE", "yes"}) {
            assertNull(switchedOff(on));
        }
        assertEquals(List.of(), warned);
    }

    @Test
    public void anyOtherValueLeavesItOnAndIsWarnedAbout() {
        assertNull(switchedOff(" disabled "));
        assertEquals(List.of("LOOPKIT_PIDFD=disabled in the environment is not understood: the feature stays on (off, 0,"
                + " false or no turns it off)"), warned);
    }
}
