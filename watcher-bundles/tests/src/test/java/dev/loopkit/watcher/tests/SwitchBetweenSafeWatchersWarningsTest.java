package dev.loopkit.watcher.tests;

import static org.junit.Assert.assertEquals;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.SubprocessOptions;
import dev.loopkit.api.SubprocessOptions.Redirect;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.selector.SelectorEventLoop;
import dev.loopkit.loop.testing.LogCapture;
import dev.loopkit.policy.DefaultEventLoopPolicy;
import dev.loopkit.watcher.safe.SafeChildWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Test;

/**
 * An ordinary switch between two safe watchers while a child runs says nothing: the child moves and
 * its exit comes. A warning for the displaced watcher's children once said "A loop is being detached
 * from a child watcher with pending handlers" there, though they were handed over a moment later.
 */
public class SwitchBetweenSafeWatchersWarningsTest {

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @After
    public void cleanUp() throws Exception {
        Watchers.cleanUp(cleanup);
    }

    @Test
    public void aSwitchBetweenTwoSafeWatchersWhileAChildRunsSaysNothing() throws Exception {
        Asyncio.setEventLoopPolicy(new DefaultEventLoopPolicy());
        BaseEventLoop loop = new SelectorEventLoop();
        cleanup.add(loop::close);
        cleanup.add(() -> Asyncio.setEventLoop(null));
        Asyncio.setEventLoop(loop); // main context
        SafeChildWatcher first = new SafeChildWatcher();
        Asyncio.setChildWatcher(first);
        cleanup.add(first::close);
        SubprocessOptions quiet = SubprocessOptions.defaults().withStdin(Redirect.DEVNULL)
                .withStdout(Redirect.DEVNULL).withStderr(Redirect.DEVNULL);
        Recording recording = new Recording();
        Watchers.runOn(loop, () -> loop.subprocessExec(() -> recording, List.of("/bin/sh", "-c", "sleep 0.5; exit 5"), quiet));
        SafeChildWatcher second = new SafeChildWatcher();
        cleanup.add(second::close);
        try (LogCapture log = LogCapture.of("dev.loopkit")) {
            Asyncio.setChildWatcher(second);
            int got = Watchers.runOn(loop, () -> recording.exited.orTimeout(5, TimeUnit.SECONDS));
            assertEquals(5, got);
            assertEquals("warnings", List.of(), log.messages().stream().filter(m -> m.startsWith("WARNING")).toList());
        }
    }
}
