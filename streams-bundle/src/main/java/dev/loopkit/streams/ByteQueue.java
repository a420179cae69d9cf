package dev.loopkit.streams;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A {@link StreamReader}'s buffer: bytes appended at the end, taken from the front, searched. */
final class ByteQueue {

    private byte[] bytes = new byte[1024];
    private int start;
    private int end;

    int size() {
        return end - start;
    }

    boolean isEmpty() {
        return start == end;
    }

    void append(ByteBuffer data) {
        int length = data.remaining();
        ensureRoom(length);
        data.get(bytes, end, length);
        end += length;
    }

    /** Takes the first {@code n} bytes (at most all of them). */
    byte[] take(int n) {
        int length = Math.min(n, size());
        byte[] taken = Arrays.copyOfRange(bytes, start, start + length);
        start += length;
        if (start == end) {
            start = 0;
            end = 0;
        }
        return taken;
    }

    byte[] takeAll() {
        return take(size());
    }

    void clear() {
        start = 0;
        end = 0;
    }

    /**
     * Where the bytes are now, for {@link #putBack}: takes and clears only move the front and the
     * end, and leave the array and what it holds as they were until the next append.
     */
    long mark() {
        return (long) start << 32 | end;
    }

    /** Puts back what was taken or cleared since {@code mark}, with nothing appended in between. */
    void putBack(long mark) {
        start = (int) (mark >>> 32);
        end = (int) mark;
    }

    /** The index (from the front) of {@code separator} at or after {@code from}, or -1. */
    int indexOf(byte[] separator, int from) {
        outer:
        for (int i = start + Math.max(0, from); i <= end - separator.length; i++) {
            for (int j = 0; j < separator.length; j++) {
                if (bytes[i + j] != separator[j]) {
                    continue outer;
                }
            }
            return i - start;
        }
        return -1;
    }

    boolean startsWith(byte[] prefix, int at) {
        if (size() - at < prefix.length) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            if (bytes[start + at + j] != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    private void ensureRoom(int length) {
        if (end + length <= bytes.length) {
            return;
        }
        int size = size();
        if (size + length <= bytes.length / 2) {
            System.arraycopy(bytes, start, bytes, 0, size); // compact
        } else {
            byte[] grown = new byte[Math.max(bytes.length * 2, size + length)];
            System.arraycopy(bytes, start, grown, 0, size);
            bytes = grown;
        }
        start = 0;
        end = size;
    }
}
