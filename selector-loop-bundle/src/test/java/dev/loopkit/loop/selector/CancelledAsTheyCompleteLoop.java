package dev.loopkit.loop.selector;

import dev.loopkit.api.LoopFuture;
import dev.loopkit.loop.core.DefaultLoopFuture;

/**
 * A selector loop whose futures can be armed: an armed future is cancelled in the moment the loop
 * completes it, as another thread's {@code cancel} or {@code orTimeout} may cancel it between the
 * loop's look at it and its completion. The race of a probe that needs thousands of tries, made certain.
 */
final class CancelledAsTheyCompleteLoop extends SelectorEventLoop {

    @Override
    public <T> LoopFuture<T> createFuture() {
        return new Armable<>(this);
    }

    /** Arms {@code future}, made by this loop: it is cancelled when the loop next completes it. */
    static void arm(LoopFuture<?> future) {
        ((Armable<?>) future).armed = true;
    }

    private static final class Armable<T> extends DefaultLoopFuture<T> {
        volatile boolean armed;

        Armable(SelectorEventLoop loop) {
            super(loop);
        }

        @Override
        public boolean complete(T value) {
            cancelIfArmed();
            return super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable exception) {
            cancelIfArmed();
            return super.completeExceptionally(exception);
        }

        private void cancelIfArmed() {
            if (armed) {
                armed = false;
                cancel("cancelled on another thread");
            }
        }
    }
}
