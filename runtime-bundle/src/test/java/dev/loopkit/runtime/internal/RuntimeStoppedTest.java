package dev.loopkit.runtime.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.RuntimeHook;
import org.junit.After;
import org.junit.Test;
import org.osgi.framework.BundleContext;

/**
 * With the runtime bundle stopped and every policy bundle active, the facade said "No event loop policy
 * is installed: ... start one", which sent the user after bundles that ran; the stopped runtime had
 * emptied its registries and stayed in the api's hook (an outside review). The facade names the runtime.
 */
public class RuntimeStoppedTest {

    private final BundleContext context = ServicelessContext.of("runtime-stopped-test");

    @After
    public void forgetTheStoppedRuntime() {
        RuntimeHook.install(null); // the next use finds the class path's runtime again
        System.clearProperty(RuntimeActivator.recordOf(context));
    }

    @Test(timeout = 30_000)
    public void theFacadeOfAStoppedRuntimeSaysToStartIt() {
        RuntimeActivator activator = new RuntimeActivator();
        activator.start(context);
        activator.stop(context);
        IllegalStateException refused = assertThrows(IllegalStateException.class, Asyncio::getEventLoopPolicy);
        assertEquals("No Loopkit runtime is present: the dev.loopkit.runtime bundle is stopped: start it",
                refused.getMessage());
    }
}
