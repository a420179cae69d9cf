package dev.loopkit.loop.core.scheduling;

import java.util.Arrays;

/** A binary min-heap of timers by due time (asyncio's {@code _scheduled} heapq). Loop thread only. */
final class TimerHeap {

    private static final int INITIAL_CAPACITY = 64;

    private TimerCallback[] heap = new TimerCallback[INITIAL_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    TimerCallback peek() {
        return size == 0 ? null : heap[0];
    }

    void add(TimerCallback timer) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        siftUp(size++, timer);
    }

    TimerCallback poll() {
        if (size == 0) {
            return null;
        }
        TimerCallback first = heap[0];
        TimerCallback last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            siftDown(0, last);
        }
        return first;
    }

    /** Drops every cancelled timer and rebuilds the heap: O(n), run when they are over half of it. */
    int removeCancelled() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            TimerCallback timer = heap[i];
            if (timer.isCancelled()) {
                timer.scheduled = false;
            } else {
                heap[kept++] = timer;
            }
        }
        int removed = size - kept;
        Arrays.fill(heap, kept, size, null);
        size = kept;
        if (heap.length > INITIAL_CAPACITY && size < heap.length / 4) {
            // asyncio's purge builds a new list: a burst of timeouts, cancelled, left its room for good
            heap = Arrays.copyOf(heap, Math.max(INITIAL_CAPACITY, size * 2));
        }
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i, heap[i]);
        }
        return removed;
    }

    /** The slots the heap has (for tests). */
    int capacity() {
        return heap.length;
    }

    /** Empties the heap, returning how many timers were still pending. */
    int clear() {
        int pending = 0;
        for (int i = 0; i < size; i++) {
            heap[i].scheduled = false;
            if (!heap[i].isCancelled()) {
                pending++;
            }
        }
        Arrays.fill(heap, 0, size, null);
        size = 0;
        return pending;
    }

    private void siftUp(int index, TimerCallback timer) {
        while (index > 0) {
            int parent = (index - 1) >>> 1;
            TimerCallback above = heap[parent];
            if (!timer.dueBefore(above)) {
                break;
            }
            heap[index] = above;
            index = parent;
        }
        heap[index] = timer;
    }

    private void siftDown(int index, TimerCallback timer) {
        int half = size >>> 1;
        while (index < half) {
            int child = 2 * index + 1;
            int right = child + 1;
            if (right < size && heap[right].dueBefore(heap[child])) {
                child = right;
            }
            if (!heap[child].dueBefore(timer)) {
                break;
            }
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = timer;
    }
}
