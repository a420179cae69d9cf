package dev.loopkit.loop.epoll;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.loop.epoll.internal.EpollLoopFactory;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.runtime.ProcessWide;
import dev.loopkit.runtime.RankedRegistry.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * {@link EpollEventLoopPolicy} as uvloop's {@code EventLoopPolicy} is used: installed, it is the
 * process-wide policy (ranked above asyncio's default one), and every asyncio entry point gets an
 * {@link EpollEventLoop} from it. Outside OSGi, as {@link java.util.ServiceLoader} finds the
 * policies on this module's class path.
 */
public class EpollEventLoopPolicyTest {

    private final List<EventLoop> loops = new ArrayList<>();

    @Before
    public void designateThisThreadAsMain() {
        ProcessWide.get().mainContext().designate(Thread.currentThread());
    }

    @After
    public void cleanUp() {
        ProcessWide.get().mainContext().designate(null);
        Asyncio.setEventLoopPolicy(null);
        loops.forEach(EventLoop::close);
    }

    @Test
    public void rankedAboveTheDefaultPolicyItIsProcessWide() {
        List<String> ranked = ProcessWide.get().policies().entries().stream()
                .map(entry -> entry.name() + " " + entry.ranking()).toList();
        assertEquals("the policies on the class path, best first", "epoll 150", ranked.get(0));
        assertTrue(ranked.toString(), ranked.contains("default " + DefaultEventLoopPolicy.RANKING));
        assertEquals(EpollEventLoopPolicy.NAME + " " + Reason.RANKED, ProcessWide.get().policies().choice().name()
                + " " + ProcessWide.get().policies().choice().reason());
        assertTrue(Asyncio.getEventLoopPolicy() instanceof EpollEventLoopPolicy);
    }

    @Test
    public void theMainContextCreatesAnEpollLoopImplicitlyWithAsyncioWarning() {
        EventLoopPolicy policy = Asyncio.getEventLoopPolicy();
        try (LogCapture log = LogCapture.of("dev.loopkit.policy")) {
            EventLoop loop = track(Asyncio.getEventLoop());
            assertTrue(loop.getClass().getName(), loop instanceof EpollEventLoop);
            assertSame(loop, policy.getEventLoop());
            assertEquals(List.of("WARNING There is no current event loop"), log.messages());
        }
    }

    @Test
    public void asyncioRunRunsOnAFreshEpollLoopAndClosesIt() {
        AtomicReference<EventLoop> used = new AtomicReference<>();
        String result = Asyncio.run(loop -> {
            used.set(loop);
            return CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), loop);
        });
        assertTrue(used.get().getClass().getName(), used.get() instanceof EpollEventLoop);
        assertEquals("the callback ran on the thread that called Asyncio.run", Thread.currentThread().getName(), result);
        assertTrue(used.get().isClosed());
    }

    @Test
    public void newEventLoopMakesEpollLoopsFromTheFactoryItIsPublishedOn() {
        EpollLoopFactory factory = new EpollLoopFactory();
        EpollEventLoopPolicy policy = new EpollEventLoopPolicy(factory);
        EventLoop loop = track(policy.newEventLoop());
        assertTrue(loop instanceof EpollEventLoop);
        assertEquals(List.of(loop), List.copyOf(factory.liveLoops()));
        assertEquals("epoll", policy.loopFactoryName());

        policy.deactivate(); // its factory went away: Declarative Services deactivates the policy with it
        IllegalStateException refused = assertThrows(IllegalStateException.class, policy::newEventLoop);
        assertEquals("This event loop policy is no longer active: its event loop factory 'epoll' went away", refused.getMessage());
    }

    private EventLoop track(EventLoop loop) {
        loops.add(loop);
        return loop;
    }
}
