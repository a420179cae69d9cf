package dev.loopkit.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

/** The facade with the api alone on the class path: no runtime to choose a policy. */
public class AsyncioWithoutRuntimeTest {

    private static final String NO_RUNTIME = "No Loopkit runtime is present: start the dev.loopkit.runtime bundle"
            + " (dev.loopkit:runtime-bundle), or put it on the module or class path";

    @Test
    public void withoutARuntimeTheFacadeSaysWhatToInstall() {
        assertEquals(NO_RUNTIME, assertThrows(IllegalStateException.class, Asyncio::getEventLoopPolicy).getMessage());
        assertEquals(NO_RUNTIME, assertThrows(IllegalStateException.class, Asyncio::newEventLoop).getMessage());
        assertEquals(NO_RUNTIME, assertThrows(IllegalStateException.class, () -> Asyncio.setEventLoopPolicy(null)).getMessage());
    }

    @Test
    public void noRunningLoopNeedsNoRuntime() {
        assertNull(Asyncio.currentRunningLoop());
        assertEquals("no running event loop", assertThrows(IllegalStateException.class, Asyncio::getRunningLoop).getMessage());
    }
}
