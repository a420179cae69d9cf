package dev.loopkit.loop.core;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * {@code loop:loops} on a loop that starts at that moment: stats() found no loop thread, counted on
 * the caller's, and the loop thread took over during the count. With assertions on, the count's own
 * thread rule failed ("watchedFileDescriptors off the loop thread while it runs": LoopCommandsTest on
 * JDK 25 in CI); without them it read the loop's tables from two threads unannounced.
 */
public class StartingLoopStatsTest {

    @Test(timeout = 120_000)
    public void statsOfALoopStartingUnderThemAlwaysAnswer() throws Exception {
        List<Throwable> failed = new ArrayList<>();
        for (int round = 0; round < 300 && failed.isEmpty(); round++) {
            ParkingEventLoop loop = new ParkingEventLoop();
            loop.setBlockedLoopWarning(0);
            Thread thread = new Thread(loop::runForever, "starting loop");
            thread.start();
            try {
                while (!loop.isRunning() && thread.isAlive()) {
                    loop.stats();
                }
            } catch (Throwable e) {
                failed.add(e);
            } finally {
                loop.shutdown("round over");
                thread.join();
            }
        }
        assertEquals(List.of(), failed);
    }
}
