package dev.loopkit.loop.selector;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.loopkit.api.Handle;
import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.BaseEventLoop;
import dev.loopkit.loop.testing.Leaks;
import dev.loopkit.loop.testing.LoopTestSupport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * LoopFuture: "Done callbacks run on that loop ... in the order they were added" (asyncio's
 * __schedule_callbacks: _callbacks in order, and a callback added after completion is scheduled
 * after them). DefaultLoopFuture.scheduleCallbacks marks the callbacks scheduled and takes them
 * under the lock, but schedules them after releasing it: a callback added meanwhile (the future is
 * done: scheduled at once) overtakes the ones added before it. The loop subclass only pins the
 * completer thread in that window (between the lock and its callSoon), deterministically.
 */
public class DoneCallbackOrderTest extends LoopTestSupport {

    private final CountDownLatch inWindow = new CountDownLatch(1);
    private final CountDownLatch proceed = new CountDownLatch(1);
    private volatile Thread completer;

    @Override
    protected BaseEventLoop newLoop() {
        return new SelectorEventLoop() {
            @Override
            public Handle callSoonThreadsafe(Runnable callback) { // how a thread not the loop's schedules them
                if (Thread.currentThread() == completer && inWindow.getCount() > 0) {
                    inWindow.countDown();
                    try {
                        proceed.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.callSoonThreadsafe(callback);
            }
        };
    }

    @Test
    public void aCallbackAddedAfterCompletionRunsAfterTheOnesAddedBefore() throws Exception {
        LoopFuture<String> future = loop.createFuture();
        List<String> order = new CopyOnWriteArrayList<>();
        future.addDoneCallback(f -> order.add("added first, before completion"));
        Thread setter = new Thread(() -> future.setResult("v"), "completer");
        completer = setter;
        setter.start();
        assertTrue(inWindow.await(10, TimeUnit.SECONDS)); // setResult returned from super.complete, callbacks taken
        assertTrue(future.isDone());
        // Added from a thread of its own: with the order kept, this waits for the completer's lock, and
        // the completer is let go once it does (a wait on the main thread would last proceed's timeout).
        Thread adder = new Thread(() -> future.addDoneCallback(f -> order.add("added second, after completion")));
        adder.start();
        assertTrue(Leaks.await(() -> adder.getState() == Thread.State.BLOCKED
                || adder.getState() == Thread.State.WAITING || adder.getState() == Thread.State.TERMINATED, 10));
        proceed.countDown();
        setter.join();
        adder.join();
        CompletableFuture<Void> ran = new CompletableFuture<>();
        loop.callSoon(() -> loop.callSoon(() -> ran.complete(null)));
        runFor(ran);
        assertEquals(List.of("added first, before completion", "added second, after completion"), order);
    }
}
