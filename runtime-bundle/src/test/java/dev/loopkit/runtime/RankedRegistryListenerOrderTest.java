package dev.loopkit.runtime;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.Test;

/**
 * A listener's last word is the service that is current. Before, two changes made one after the other
 * on two threads were told in the opposite order when the first thread's notification was delayed (a
 * slower listener ahead of it), and a listener that changed the registry had the others told its
 * change first, then the older one.
 */
public class RankedRegistryListenerOrderTest {

    @Test(timeout = 30_000)
    public void theLastChangeToldIsTheCurrentService() throws Exception {
        RankedRegistry<Object> registry = new RankedRegistry<>(Object.class, "thing", null);
        registry.attachExternalSource("test"); // no ServiceLoader look-up
        Object p1 = "p1";
        Object p2 = "p2";
        CountDownLatch firstToldToSlow = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        // the first listener is slow on its first call (a JFR or log back-end busy for a moment)
        registry.addListener((previous, current) -> {
            if (first.getAndSet(false)) {
                firstToldToSlow.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        List<Object> toldCurrent = Collections.synchronizedList(new ArrayList<>());
        registry.addListener((previous, current) -> toldCurrent.add(current));

        Thread a = new Thread(() -> registry.register(p1, "p1", 10, 1, "bundle.a"), "A");
        a.start();
        assertEquals(true, firstToldToSlow.await(10, TimeUnit.SECONDS));
        registry.register(p2, "p2", 20, 2, "bundle.b"); // p1 -> p2, told at once
        release.countDown();
        a.join();

        assertSame(p2, registry.current());
        assertEquals("changes told: " + toldCurrent, p2, toldCurrent.get(toldCurrent.size() - 1));
    }

    /** The same on one thread: a listener that re-enters the registry (sets a service explicitly) when told of a change. */
    @Test(timeout = 30_000)
    public void aListenerThatReentersTheRegistryDoesNotReorderWhatTheOthersAreTold() {
        RankedRegistry<Object> registry = new RankedRegistry<>(Object.class, "thing", null);
        registry.attachExternalSource("test");
        Object ranked = "ranked";
        Object chosen = "chosen";
        registry.addListener((previous, current) -> {
            if (current == ranked) {
                registry.setExplicit(chosen); // e.g. Asyncio.setEventLoopPolicy from a listener
            }
        });
        List<Object> toldCurrent = new ArrayList<>();
        registry.addListener((previous, current) -> toldCurrent.add(current));
        registry.register(ranked, "ranked", 10, 1, "bundle.a");
        assertSame(chosen, registry.current());
        assertEquals("changes told: " + toldCurrent, chosen, toldCurrent.get(toldCurrent.size() - 1));
    }
}
