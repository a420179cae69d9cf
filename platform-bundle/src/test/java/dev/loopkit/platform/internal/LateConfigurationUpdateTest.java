package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry;
import dev.loopkit.testsupport.OtherThread;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * ConfigAdmin delivers an update on a thread of its own, possibly late: the platform then applies what
 * is stored, not what the update carried. A delivery that read the stored choice just before the
 * shell saved and applied a newer one must not apply the old one after it (ManagementIT's
 * switch-then-reset, with ConfigAdmin's thread slow to deliver the switch).
 */
public class LateConfigurationUpdateTest {

    private static final long HANG_GUARD_SECONDS = InMemoryConfigurationAdmin.HANG_GUARD_SECONDS;

    @After
    public void noChoice() {
        ProcessWide.get().policies().setConfigured(null);
        ProcessWide.get().childWatchers().setConfigured(null);
    }

    @Test(timeout = 60_000)
    public void aLateUpdateDoesNotBringBackTheChoiceTheShellReplaced() throws Exception {
        InMemoryConfigurationAdmin memory = new InMemoryConfigurationAdmin();
        ConfigAdminChoiceStore store = memory.injectInto(new ConfigAdminChoiceStore());
        PolicyConfiguration configuration = memory.injectInto(new PolicyConfiguration());
        store.save("policy", "proactor"); // loop:policy proactor ...
        ProcessWide.get().policies().setConfigured("proactor");

        // ... whose update ConfigAdmin delivers late: it reads what is stored, and is preempted there
        memory.readThenPause = new CountDownLatch(1);
        CountDownLatch resume = memory.readThenPause;
        Thread delivery = new Thread(() -> configuration.apply(defaults(), Map.of()), "late update");
        delivery.start();
        assertTrue(memory.read.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS));

        // loop:reset-policy meanwhile, as LoopCommands does it: saved, then applied
        Thread shell = new Thread(() -> {
            store.save("policy", null);
            ProcessWide.get().policies().setConfigured(null);
        }, "shell");
        shell.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        while (shell.isAlive() && shell.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // until the save and the reset are done: neither waits for the delivery
        }
        resume.countDown();
        delivery.join();
        shell.join();
        assertEquals("the choice after the reset", Optional.empty(), ProcessWide.get().policies().configured());
    }

    /**
     * Applying a configuration runs user code (the registries' listeners, the hand-over listeners). A
     * listener that hands a save to another thread and waits for it must not wait forever: applying
     * may not hold the lock a save takes.
     */
    @Test(timeout = 60_000)
    public void aListenerThatSavesAChoiceFromAnotherThreadWhileAConfigurationIsAppliedDoesNotDeadlock() throws Exception {
        InMemoryConfigurationAdmin memory = new InMemoryConfigurationAdmin();
        ConfigAdminChoiceStore store = memory.injectInto(new ConfigAdminChoiceStore());
        PolicyConfiguration configuration = memory.injectInto(new PolicyConfiguration());
        EventLoopPolicy chosen = aPolicy();
        EventLoopPolicy ranked = aPolicy();
        ProcessWide.get().policies().register(ranked, "ranked-in-test", 1000, Long.MAX_VALUE - 1, "test");
        ProcessWide.get().policies().register(chosen, "configured-in-test", -1000, Long.MAX_VALUE, "test");
        store.save("policy", "configured-in-test"); // the update applies it: the policy changes, listeners hear it
        Map<String, Boolean> savedByWorker = new ConcurrentHashMap<>();
        RankedRegistry.Listener<EventLoopPolicy> listener = (before, now) -> {
            OtherThread.returns(() -> savedByWorker.put(store.save("watcher", "threaded"), true));
        };
        ProcessWide.get().policies().addListener(listener);
        try {
            Thread delivery = new Thread(() -> configuration.apply(defaults(), Map.of()), "update");
            delivery.start();
            delivery.join(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
            assertEquals("the worker's save while the configuration was applied", Map.of("", true), savedByWorker);
            assertEquals(chosen, ProcessWide.get().policies().current());
            assertEquals("the worker's choice, saved meanwhile, applied too", Optional.of("threaded"),
                    ProcessWide.get().childWatchers().configured());
        } finally {
            ProcessWide.get().policies().removeListener(listener);
            ProcessWide.get().policies().unregister(chosen);
            ProcessWide.get().policies().unregister(ranked);
        }
    }

    /** A policy the registry can list and make current; nothing asks it for a loop here. */
    private static EventLoopPolicy aPolicy() {
        return InMemoryConfigurationAdmin.proxy(EventLoopPolicy.class, (method, args) -> {
            throw new UnsupportedOperationException(method);
        });
    }

    private static PolicyConfiguration.Config defaults() {
        return InMemoryConfigurationAdmin.proxy(PolicyConfiguration.Config.class, (method, args) -> switch (method) {
            case "policy", "watcher" -> "";
            default -> throw new UnsupportedOperationException(method);
        });
    }
}
