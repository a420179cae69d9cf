package dev.loopkit.examples;

import dev.loopkit.api.Asyncio;
import dev.loopkit.api.EventLoop;
import dev.loopkit.api.LoopFuture;

/**
 * asyncio's classic first program: get the main thread's loop, count down with timers, run until
 * done.
 *
 * <pre>
 * java --module-path mods -m dev.loopkit.examples/dev.loopkit.examples.HelloLoop
 * </pre>
 * where {@code mods/} holds the Loopkit jars and the JNR jars (see the README).
 */
public final class HelloLoop {

    private HelloLoop() {
    }

    public static void main(String[] args) {
        System.out.println("policy: " + Asyncio.getEventLoopPolicy().getClass().getName());
        // The main thread with no loop set: the policy creates one (and warns, as asyncio 3.12 does).
        EventLoop loop = Asyncio.getEventLoop();
        System.out.println("loop: " + loop.getClass().getName());
        LoopFuture<String> done = loop.createFuture();
        countdown(loop, 3, done);
        System.out.println(loop.runUntilComplete(done));
        loop.close();
    }

    private static void countdown(EventLoop loop, int n, LoopFuture<String> done) {
        if (n == 0) {
            done.setResult("liftoff");
            return;
        }
        System.out.println(n + "...");
        loop.callLater(0.01, () -> countdown(loop, n - 1, done));
    }
}
