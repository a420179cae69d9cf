package dev.loopkit.policy;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.SpawnScope;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.testsupport.HoldingChildWatcher;
import org.junit.After;
import org.junit.Test;

/**
 * getChildWatcher answers the watcher the last switch attached only while the switch to the registry's
 * newer choice is on its way (SpawnsDuringASwitchTest). Answered whenever set, it outlived a switch that
 * failed and a registry reset, and named a closed watcher for good (a second review).
 */
public class GetChildWatcherAfterAFailedSwitchTest {

    @After
    public void cleanUp() {
        ProcessWide.get().childWatchers().setExplicit(null);
        // a service registered and withdrawn: a completed switch to "none" clears inUse for later tests
        HoldingChildWatcher temp = new HoldingChildWatcher();
        ProcessWide.get().childWatchers().register(temp, "temp", 0, 987_654_321L, "test");
        ProcessWide.get().childWatchers().unregister(temp);
        ProcessWide.get().childWatchers().reset("test over");
    }

    static class ClosingWatcher extends HoldingChildWatcher {
        volatile boolean closed;

        @Override
        public boolean isActive() {
            return !closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * asyncio: get_child_watcher() after set_child_watcher(w) returns w. A third-party watcher whose
     * enterSpawn throws fails the hand-over (the registry logs the listener's failure); the policy then
     * closes the watcher set before (it holds no child); the first fix kept answering that closed
     * watcher, for good, and every spawn was refused "not activated".
     */
    @Test(timeout = 30_000)
    public void afterSetChildWatcherWhoseSwitchThrewGetDoesNotAnswerTheClosedPreviousOne() {
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        ClosingWatcher first = new ClosingWatcher();
        policy.setChildWatcher(first);
        assertSame(first, policy.getChildWatcher());
        ClosingWatcher second = new ClosingWatcher() {
            @Override
            public SpawnScope enterSpawn() {
                throw new IllegalStateException("a third-party watcher that cannot open its spawn scope yet");
            }
        };
        policy.setChildWatcher(second);
        assertTrue("asyncio closes the watcher it replaces", first.closed);
        ChildWatcher answered = policy.getChildWatcher();
        assertFalse("getChildWatcher answered the closed watcher set before, not the one set since ("
                + (answered == first ? "first" : answered) + ")", answered == first);
        assertSame(second, answered);
    }

    /**
     * OSGi: the runtime bundle stops (RuntimeActivator.stop resets the registries without telling the
     * listeners), the watcher bundle stops meanwhile (its watcher closed), the runtime starts again with
     * no watcher service. getChildWatcher must say "No child watcher is installed: install one ...";
     * the first fix answered the closed watcher the last switch attached.
     */
    @Test(timeout = 30_000)
    public void afterTheRuntimeRestartedWithoutAnyWatcherGetSaysNoneIsInstalled() {
        DefaultEventLoopPolicy policy = new DefaultEventLoopPolicy();
        ClosingWatcher service = new ClosingWatcher();
        ProcessWide.get().childWatchers().attachExternalSource("tracking OSGi services");
        ProcessWide.get().childWatchers().register(service, "threaded", 0, 123_456_789L, "dev.loopkit.watcher.threaded");
        assertSame(service, policy.getChildWatcher());

        ProcessWide.get().childWatchers().reset("runtime bundle stopped"); // RuntimeActivator.stop
        ProcessWide.get().retire(service); // the watcher's own deactivation, as ProcessWide.retire's javadoc says
        service.close(); // its bundle stopped
        ProcessWide.get().childWatchers().attachExternalSource("tracking OSGi services"); // RuntimeActivator.start, no watcher left

        Object answered;
        try {
            answered = policy.getChildWatcher();
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("No child watcher is installed"));
            return;
        }
        throw new AssertionError("getChildWatcher answered " + (answered == service ? "the closed watcher of the stopped bundle"
                : answered) + " instead of saying none is installed");
    }
}
