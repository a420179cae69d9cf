package dev.loopkit.platform.internal;

import static org.junit.Assert.assertEquals;

import dev.loopkit.testsupport.OtherThread;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.Test;

/**
 * Felix calls every {@code SynchronousConfigurationListener} inside {@code Configuration.update}, on
 * the thread that saves a choice: user code, which may save another choice itself or hand the save
 * to a thread of its own and wait for it. Neither may wait for ever, and both choices end stored.
 */
public class ConfigAdminChoiceStoreReentrancyTest {

    @Test(timeout = 60_000)
    public void aListenerThatWaitsForAnotherThreadsSaveDoesNotDeadlock() throws Exception {
        InMemoryConfigurationAdmin memory = new InMemoryConfigurationAdmin();
        ConfigAdminChoiceStore store = memory.injectInto(new ConfigAdminChoiceStore());
        AtomicBoolean first = new AtomicBoolean(true);
        List<Boolean> returned = new CopyOnWriteArrayList<>();
        memory.synchronousListener = stored -> {
            if (first.getAndSet(false)) {
                returned.add(OtherThread.returns(() -> store.save("watcher", "threaded")));
            }
        };

        store.save("policy", "proactor");

        assertEquals("the other thread's save returned\n" + OtherThread.probeStacks(), List.of(true), returned);
        assertEquals(Map.of("policy", "proactor", "watcher", "threaded"), memory.stored());
    }

    @Test(timeout = 60_000)
    public void aListenerThatSavesOnTheSameThreadHasItsChoiceStored() throws Exception {
        InMemoryConfigurationAdmin memory = new InMemoryConfigurationAdmin();
        ConfigAdminChoiceStore store = memory.injectInto(new ConfigAdminChoiceStore());
        AtomicBoolean first = new AtomicBoolean(true);
        memory.synchronousListener = stored -> {
            if (first.getAndSet(false)) {
                store.save("watcher", "threaded");
            }
        };

        store.save("policy", "proactor");

        assertEquals(Map.of("policy", "proactor", "watcher", "threaded"), memory.stored());
    }
}
