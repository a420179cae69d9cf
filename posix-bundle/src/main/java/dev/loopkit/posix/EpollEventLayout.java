package dev.loopkit.posix;

import jnr.ffi.Platform;

/**
 * Where the fields of {@code struct epoll_event} lie: {@code uint32_t events} then
 * {@code uint64_t data}. The kernel declares the struct packed on x86 (12 bytes, data at 4) and
 * naturally aligned elsewhere (16 bytes, data at 8). Loopkit keeps the fd in the low 32 bits of
 * {@code data}, which come first on the little-endian CPUs it targets, and a tag of the caller's in the
 * high 32 (which registration of that number the event is for).
 */
final class EpollEventLayout {

    static final EpollEventLayout NATIVE = forCpu(Platform.getNativePlatform().getCPU());

    final int size;
    final int dataOffset;

    private EpollEventLayout(int size, int dataOffset) {
        this.size = size;
        this.dataOffset = dataOffset;
    }

    static EpollEventLayout forCpu(Platform.CPU cpu) {
        boolean packed = cpu == Platform.CPU.X86_64 || cpu == Platform.CPU.I386;
        return packed ? new EpollEventLayout(12, 4) : new EpollEventLayout(16, 8);
    }

    /** One event as ints, for {@code epoll_ctl}: the events mask, and the fd and the tag as data. */
    int[] event(int events, int fd, int tag) {
        int[] event = new int[size / Integer.BYTES];
        event[0] = events;
        event[dataOffset / Integer.BYTES] = fd;
        event[dataOffset / Integer.BYTES + 1] = tag;
        return event;
    }
}
