package dev.loopkit.loop.core.scheduling;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Predicate;

/**
 * The queue other threads schedule into, and the flag that tells them the loop is about to sleep.
 *
 * <p>The queue is Dmitry Vyukov's intrusive multi-producer single-consumer queue. A producer pays
 * one atomic swap; the consumer (the loop thread) none. The handles are the nodes (each an
 * {@link InboundHandle}), so an offer allocates nothing. An offer is two steps: swap the tail, then
 * link the previous tail to the new node. Between the two the node is queued but not reachable
 * yet; {@link #poll()} waits for the link (JCTools' {@code MpscLinkedQueue.poll}, not its
 * {@code relaxedPoll}), because stopping there would strand every node offered after it: a drain at close time lost 170k-246k accepted callbacks
 * in a third of 200 rounds that way.
 *
 * <p>Every handle ends with exactly one owner, decided by its {@code claimed} flag: the consumer
 * claims what it takes; a producer that finds the loop closed after its offer {@link #withdraw}s
 * its handle, and if the consumer never claimed it, the caller gets the "closed" exception instead
 * (Netty's {@code SingleThreadEventExecutor.execute} removes its task after a late shutdown the same
 * way).
 *
 * <p>The consumer's {@code head} and the producers' {@code tail} and {@code armed} sit on different
 * cache lines (the superclasses below, as JCTools pads its queues): the loop writes {@code head} on
 * every poll and each producer swaps {@code tail}, so on one line every callback moved the line
 * between the two cores twice. JFR over {@code CrossThreadBenchmark} (one producer, selector loop)
 * had 11 % of the loop thread's samples on the store to {@code head} alone.
 *
 * <p>Volatile reads are plain field reads, not VarHandle calls (the same load on x86, and no guard,
 * LambdaForm and {@code Class.cast} before the JIT has inlined them: see {@code Scheduler}'s
 * {@code runningHandle}); VarHandles remain for the swap, the compare-and-set and the release stores.
 */
final class InboundQueue extends InboundQueueProducerSide {

    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle NEXT;
    private static final VarHandle CLAIMED;
    private static final VarHandle ARMED;
    /** Spins before yielding while a producer links its node: the gap is two instructions long. */
    private static final int SPINS_BEFORE_YIELD = 64;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(InboundQueueConsumerSide.class, "head", InboundHandle.class);
            TAIL = lookup.findVarHandle(InboundQueueProducerSide.class, "tail", InboundHandle.class);
            ARMED = lookup.findVarHandle(InboundQueueProducerSide.class, "armed", boolean.class);
            NEXT = lookup.findVarHandle(InboundHandle.class, "next", InboundHandle.class);
            CLAIMED = lookup.findVarHandle(InboundHandle.class, "claimed", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What a drain hands each handle to. */
    @FunctionalInterface
    interface Sink {
        void accept(CallbackHandle handle);
    }

    // Padding after the producers' fields: the objects allocated next (the scheduler's drain sink) are the loop's.
    long q00, q01, q02, q03, q04, q05, q06, q07, q08, q09, q10, q11, q12, q13, q14, q15;

    InboundQueue() {
        InboundHandle stub = new InboundHandle(() -> { });
        head = stub;
        tail = stub;
    }

    // ---- producers ----------------------------------------------------------------------------------

    /**
     * Any thread. {@code handle} must be new: a node is in the queue at most once in its life.
     *
     * @return whether the consumer is going to sleep and this producer must wake it (at most one
     *     producer per sleep is told so)
     */
    boolean offer(InboundHandle handle) {
        InboundHandle previous = (InboundHandle) TAIL.getAndSet(this, handle);
        NEXT.setRelease(previous, handle);
        // The swap above is a full fence: this read cannot pass it (see armBeforeSleeping).
        return armed && ARMED.compareAndSet(this, true, false);
    }

    /**
     * A producer that saw the loop closed after its {@link #offer}: takes {@code handle} back unless
     * the consumer has claimed it (run, or reported by the close).
     *
     * @return {@code true} if the handle is the caller's again, so nobody will run or report it
     */
    boolean withdraw(InboundHandle handle) {
        return CLAIMED.compareAndSet(handle, false, true);
    }

    // ---- the consumer -----------------------------------------------------------------------------

    /** Consumer only: the first element, or {@code null} when nothing is queued (an offer half done waits). */
    InboundHandle poll() {
        InboundHandle first = head.next;
        if (first == null) {
            if (tail == head) {
                return null;
            }
            first = awaitLink(head, null);
        }
        NEXT.setRelease(head, null); // the old stub is garbage now: do not keep the chain alive
        head = first;
        return first;
    }

    // A producer swapped the tail after `node` and has not linked it yet: it is between two
    // instructions, unless the scheduler preempted it there (then yielding lets it finish). A reader
    // other than the consumer passes the head it started from, and gets null once a consumer moved
    // the head: a polled node's link is cleared, so its link may never come.
    private InboundHandle awaitLink(InboundHandle node, InboundHandle readersHead) {
        InboundHandle next;
        for (int spins = 0; (next = node.next) == null; spins++) {
            if (readersHead != null && HEAD.getAcquire(this) != readersHead) {
                return null;
            }
            if (spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return next;
    }

    /**
     * Consumer only, while the loop is open: hands {@code sink} every handle offered before this
     * call, in order, and claims them. What is offered meanwhile waits for the next drain, so a
     * storm of producers cannot keep the loop here.
     *
     * @return how many were handed over
     */
    int drain(Sink sink) {
        InboundHandle last = tail;
        int drained = 0;
        while (head != last) {
            InboundHandle handle = poll();
            // A plain store: a producer only contests the claim after it saw the loop closed, and
            // the loop closes after this (on this thread, or on one that took the loop over from it).
            CLAIMED.set(handle, true);
            sink.accept(handle);
            drained++;
        }
        return drained;
    }

    /**
     * Consumer only, after the loop was marked closed: hands {@code sink} every handle offered before
     * that mark and not withdrawn, claiming each against its producer. A producer that offers after
     * the mark sees it and withdraws its handle, whether or not this drain reached it.
     *
     * @return how many were handed over
     */
    int drainClosed(Sink sink) {
        int drained = 0;
        for (InboundHandle handle = poll(); handle != null; handle = poll()) {
            if (CLAIMED.compareAndSet(handle, false, true)) {
                sink.accept(handle);
                drained++;
            }
        }
        return drained;
    }

    /**
     * How many of the handles offered before this call {@code counted} accepts, by walking the queue
     * (diagnostics); the consumer, or any thread while none polls. A handle whose producer has not
     * linked it yet is waited for, as {@link #poll()} does: stopping there would leave out every
     * handle offered behind it (QueuedCountLincheckTest). If a consumer polls meanwhile, the count so
     * far is the answer.
     */
    int count(Predicate<CallbackHandle> counted) {
        InboundHandle first = head;
        InboundHandle last = tail;
        int count = 0;
        for (InboundHandle node = first; node != last; ) {
            node = awaitLink(node, first);
            if (node == null) {
                break;
            }
            if (counted.test(node)) {
                count++;
            }
        }
        return count;
    }

    /** Consumer only: whether a producer has begun an offer since the last poll. */
    boolean offerBegun() {
        return tail != head;
    }

    /**
     * Consumer only, just before it blocks: sets the flag producers look at after each offer, then
     * checks for an offer that may have missed it.
     *
     * <p>Both sides order their write before their read: the consumer writes {@code armed} and then
     * reads the tail; the producer swaps the tail (a full fence) and then reads {@code armed}. So at
     * least one of them sees the other: either the consumer sees the offer and does not sleep, or
     * the producer sees the flag and wakes it. Reading the head's link instead of the tail would not
     * do: the producer writes the link with a mere release store after the swap, and its read of
     * {@code armed} may pass that store, so both could miss each other.
     *
     * @return {@code true} if the consumer may sleep (and will be woken by the next offer);
     *     {@code false} if something was offered meanwhile (the flag is cleared again)
     */
    boolean armBeforeSleeping() {
        armed = true;
        if (offerBegun()) {
            armed = false;
            return false;
        }
        return true;
    }

    /** Consumer only, after the wait: later offers need no wake-up until the next arming. */
    void disarm() {
        armed = false;
    }

    /** Whether the consumer is about to sleep or sleeps, and the next offer wakes it; any thread. */
    boolean armed() {
        return armed;
    }
}

/** The consumer's field, first in the object (it fills the gap after the header that a long cannot). */
abstract class InboundQueueConsumerSide {
    /** Consumer side: the last node taken (or the initial stub); its successor is the first element. */
    InboundHandle head;
}

/** 128 bytes (two cache lines, for the adjacent-line prefetch) between the consumer's and the producers' fields. */
abstract class InboundQueuePadding extends InboundQueueConsumerSide {
    long p00, p01, p02, p03, p04, p05, p06, p07, p08, p09, p10, p11, p12, p13, p14, p15;
}

/** What producers write (and the consumer reads once a drain, and writes around a sleep). */
abstract class InboundQueueProducerSide extends InboundQueuePadding {
    /** The last node offered; accessed through {@code InboundQueue.TAIL}. */
    volatile InboundHandle tail;
    /** Set by the consumer just before it sleeps; the producer that clears it wakes the consumer. */
    volatile boolean armed;
}
