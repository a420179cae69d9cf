package dev.loopkit.loop.proactor;

import static org.junit.Assert.assertEquals;

import dev.loopkit.loop.testing.FailedConstruction;
import org.junit.Test;

/** A proactor loop refused its arguments: no loop was made, and none is warned about later as unclosed. */
public class ProactorNotMadeTest {

    @Test(timeout = 60_000)
    public void aLoopRefusedItsThreadCountIsNotWarnedAboutAsUnclosed() throws Exception {
        IllegalArgumentException refused = FailedConstruction.leavesNoUnclosedLoop(ProactorEventLoop::new,
                IllegalArgumentException.class, () -> new ProactorEventLoop(0));
        assertEquals("completionThreads must be >= 1, not 0", refused.getMessage());
    }
}
