package dev.loopkit.posix;

import dev.loopkit.posix.libc.LibC;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Pointer;

/**
 * Catches the signals the JVM cannot: Linux's real-time signals {@code SIGRTMIN..SIGRTMAX}, which
 * {@code sun.misc.Signal} has no name for (JDK 17 refuses {@code new Signal("RTMIN")} and every
 * spelling of it). As CPython's signal module does with its wake-up fd, the handler only writes the
 * signal's number, one byte, to a non-blocking pipe; a Java thread reads the pipe ({@link #take()})
 * and does the rest.
 *
 * <p>One byte per delivery, as CPython's wake-up fd has it and asyncio calls its handler once per byte (a
 * real-time signal sent five times is five calls). A byte that finds the pipe full (its reader behind
 * by 64 KiB) is dropped, and the handler then marks the signal in a page of data, as CPython keeps a
 * "tripped" flag per signal: the reader, which has 64 KiB more to read, finds the mark on one of its next
 * looks ({@link #takeDropped()}); deliveries dropped before it looks are one mark. An outside review lost
 * a SIGCHLD to a full pipe before the marks.
 *
 * <p>The handler is machine code (x86-64, 40 bytes) in a page of its own, made with {@code mmap}
 * and {@code mprotect}. A signal handler must be async-signal-safe: it runs on whatever thread the
 * kernel interrupted, possibly inside the JVM, so no Java code (a jnr-ffi callback would enter the
 * JVM there) may run in it, and Loopkit ships no native library of its own. A raw {@code write}
 * system call leaves {@code errno} alone, as a handler must. The code reads the pipe's descriptor
 * from a data page and counts itself in and out there ({@code lock inc}, {@code lock dec}), so {@link
 * #close()} first points the page at no descriptor (a handler entered after that writes to none: a
 * harmless {@code EBADF}), then waits for the handlers that may have read the old number to leave, and
 * only then closes it. Closed at once, a handler preempted between reading the number and its
 * {@code write} wrote its byte into whatever file took the number next (an outside review of descriptor
 * ownership); the pipe is closed whenever the last signal it catches is given back, SIGCHLD among them.
 * The two pages are never unmapped, since a thread interrupted inside the handler may resume there at
 * any later time: a closed pipe's pages serve the next pipe.
 *
 * <p>Thread-safe; {@link #take()} is meant for one reading thread.
 */
public final class SignalPipe implements AutoCloseable {

    /**
     * {@code handler(int signo)}: {@code lock inc dword [rip + 0xffd]} (the count of handlers in flight, 4
     * bytes into the next page); {@code push rdi; mov edi, [rip + 0xff2]} (the descriptor at the start of the
     * next page); {@code mov rsi, rsp; mov edx, 1; mov eax, 1} ({@code SYS_write}); {@code syscall; pop
     * rdi}; {@code test rax, rax; jg} to the way out when the byte went; else {@code lea rax, [rip +
     * 0x1016]} (the marks, 64 bytes into the next page) and {@code mov byte [rax + rdi], 1} (this signal's
     * mark); the way out: {@code lock dec dword [rip + 0xfcf]}, {@code ret}. Pushing {@code rdi} puts the
     * number's low byte at {@code [rsp]}; the kernel passes the number in the whole of {@code rdi}. Made
     * with {@code as --64} from that source; disassembled: {@code objdump -D -b binary -mi386:x86-64}.
     */
    private static final byte[] X86_64_HANDLER = {
        (byte) 0xf0, (byte) 0xff, 0x05, (byte) 0xfd, 0x0f, 0x00, 0x00,
        0x57,
        (byte) 0x8b, 0x3d, (byte) 0xf2, 0x0f, 0x00, 0x00,
        0x48, (byte) 0x89, (byte) 0xe6,
        (byte) 0xba, 0x01, 0x00, 0x00, 0x00,
        (byte) 0xb8, 0x01, 0x00, 0x00, 0x00,
        0x0f, 0x05,
        0x5f,
        0x48, (byte) 0x85, (byte) 0xc0,
        0x7f, 0x0b,
        0x48, (byte) 0x8d, 0x05, 0x16, 0x10, 0x00, 0x00,
        (byte) 0xc6, 0x04, 0x38, 0x01,
        (byte) 0xf0, (byte) 0xff, 0x0d, (byte) 0xcf, 0x0f, 0x00, 0x00,
        (byte) 0xc3,
    };
    /** Where the count of handlers in flight is in the data page (the descriptor is at 0). */
    static final int IN_FLIGHT = 4;
    /**
     * How long {@link #close()} waits for a handler in flight to leave: one preempted there runs again
     * within a scheduler tick. Past it the write end stays open for good, never closed under a handler.
     */
    private static final long HANDLERS_LEAVE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** {@link #HANDLERS_LEAVE_NANOS}; longer in the test that holds a handler in flight, lest a slow machine outlast it. */
    long handlersLeaveNanos = HANDLERS_LEAVE_NANOS;
    /** Where the marks start in the data page: one byte per signal number, 1 to 64. */
    private static final int MARKS = 64;
    private static final int LAST_SIGNAL = 64;
    /** The code page's size: the data page starts there. */
    static final int PAGE = 4096;
    private static final int NO_FD = -1;

    /** Pages of closed pipes, for the next ones; guarded by {@code SignalPipe.class}. */
    private static final Deque<HandlerPages> FREE_PAGES = new ArrayDeque<>();

    private final Native nativeAccess;
    private final LibC libc;
    private final Posix posix;
    private final HandlerPages code;
    private final int readFd;
    private final int writeFd;
    private final Map<Integer, NativeMemory> previousActions = new HashMap<>();
    private final ByteBuffer one = ByteBuffer.allocateDirect(1);
    private boolean closed;

    private SignalPipe(Native nativeAccess, Posix posix, HandlerPages code, int[] pipe) {
        this.nativeAccess = nativeAccess;
        this.libc = nativeAccess.libc;
        this.posix = posix;
        this.code = code;
        this.readFd = pipe[0];
        this.writeFd = pipe[1];
    }

    /**
     * Why real-time signals cannot be caught here, or {@code null} when they can: the handler is
     * written for x86-64 only.
     */
    public static String unsupportedReason() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64") ? null
                : "catching real-time signals needs x86-64 (this JVM runs on " + arch + ")";
    }

    static SignalPipe open(Native nativeAccess, Posix posix) throws PosixException {
        String unsupported = unsupportedReason();
        if (unsupported != null) {
            throw new UnsupportedOperationException(unsupported);
        }
        int[] pipe = posix.pipe();
        try {
            posix.setNonBlocking(pipe[1], true); // a full pipe drops the byte, never blocks a handler
            HandlerPages pages;
            synchronized (SignalPipe.class) {
                pages = FREE_PAGES.isEmpty() ? HandlerPages.map(nativeAccess) : FREE_PAGES.pop();
            }
            pages.clearMarks();
            pages.writeTo(pipe[1]);
            return new SignalPipe(nativeAccess, posix, pages, pipe);
        } catch (PosixException | RuntimeException e) {
            posix.close(pipe[0]);
            posix.close(pipe[1]);
            throw e;
        }
    }

    /**
     * {@code sigaction(signal)} with the pipe's handler ({@code SA_RESTART}), keeping the action it
     * replaces for {@link #uninstall}; installing twice keeps the first saved action.
     */
    public synchronized void install(int signal) throws PosixException {
        checkOpen();
        code.takeMark(signal); // one left from before is no delivery to this handler's listeners
        try (NativeMemory action = NativeMemory.calloc(libc, Linux.SIGACTION_BYTES)) {
            action.pointer().putAddress(0, code.handlerAddress());
            action.pointer().putInt(Linux.SIGACTION_FLAGS, Linux.SA_RESTART);
            NativeMemory previous = NativeMemory.calloc(libc, Linux.SIGACTION_BYTES);
            if (libc.sigaction(signal, action.pointer(), previous.pointer()) == -1) {
                PosixException failure = nativeAccess.failure("sigaction " + signal);
                previous.close();
                throw failure;
            }
            NativeMemory first = previousActions.putIfAbsent(signal, previous);
            if (first != null) {
                previous.close();
            }
        }
    }

    /**
     * Puts back the action {@link #install} replaced.
     *
     * @return {@code false} when outside code had replaced this pipe's handler meanwhile: that
     *         handler is left in place
     */
    public synchronized boolean uninstall(int signal) throws PosixException {
        NativeMemory previous = previousActions.remove(signal);
        if (previous == null) {
            return true;
        }
        try (previous; NativeMemory current = NativeMemory.calloc(libc, Linux.SIGACTION_BYTES)) {
            if (libc.sigaction(signal, previous.pointer(), current.pointer()) == -1) {
                throw nativeAccess.failure("sigaction " + signal);
            }
            code.takeMark(signal); // a delivery that lost its byte is nobody's once the handler is gone
            if (current.pointer().getAddress(0) != code.handlerAddress()) {
                libc.sigaction(signal, current.pointer(), null);
                return false;
            }
            return true;
        }
    }

    /**
     * Blocks until a signal arrives and returns its number; 0 once {@link #wake()} was called.
     */
    public int take() throws PosixException {
        one.clear();
        int read = posix.read(readFd, one);
        return read == 1 ? one.get(0) & 0xff : 0;
    }

    /**
     * The installed signals whose byte found the pipe full since the last look, their marks cleared (a
     * signal no longer installed loses its mark): each to be handled once, however many bytes it lost.
     * Look after each {@link #take()}: a byte is dropped only when 64 KiB of others wait, so a look comes
     * after every drop; a mark set while this looks was set after a delivery this look's handling follows.
     */
    public synchronized List<Integer> takeDropped() {
        List<Integer> arrived = new ArrayList<>(1);
        byte[] marks = code.marks(); // one native read after each byte, not one per signal number
        for (int signal = 1; signal <= LAST_SIGNAL; signal++) {
            if (marks[signal] != 0 && code.takeMark(signal) && previousActions.containsKey(signal)) {
                arrived.add(signal);
            }
        }
        return arrived;
    }

    /** Makes a {@link #take()} in progress (or the next one) return 0: how its thread is told to end. */
    public synchronized void wake() throws PosixException {
        checkOpen();
        ByteBuffer zero = ByteBuffer.allocateDirect(1);
        if (posix.write(writeFd, zero) != 1) {
            throw new PosixException(0, "the signal pipe is full: its reader does not read");
        }
    }

    /**
     * Puts back every action still installed, then closes the pipe; call it
     * once the reading thread has ended. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Integer signal : previousActions.keySet().toArray(new Integer[0])) {
            try {
                uninstall(signal);
            } catch (PosixException e) {
                // the signal keeps our handler, whose writes now fail with EBADF: harmless
            }
        }
        code.writeTo(NO_FD); // a handler entered from now on writes to no descriptor at all
        // The store above before the look at the count (the handler's lock inc is a full barrier too):
        // either a handler counted in sees no descriptor, or this sees it counted in.
        VarHandle.fullFence();
        if (!code.awaitNoHandlerInFlight(handlersLeaveNanos)) {
            return; // the pipe, and the pages its handler runs in, stay as they are for good
        }
        posix.closeQuietly(writeFd);
        posix.closeQuietly(readFd); // after the write end: a late write to a pipe with no reader raises SIGPIPE
        synchronized (SignalPipe.class) {
            FREE_PAGES.push(code);
        }
    }

    /** Where the handler's code starts; its data page follows it (package-private: the tests' fakes). */
    long handlerAddress() {
        return code.handlerAddress();
    }

    /** The handler's code page and, after it, the data page holding the descriptor it writes to. */
    private static final class HandlerPages {
        private final Pointer pages;

        private HandlerPages(Pointer pages) {
            this.pages = pages;
        }

        static HandlerPages map(Native nativeAccess) throws PosixException {
            LibC libc = nativeAccess.libc;
            Pointer pages = libc.mmap(null, 2 * PAGE, Linux.PROT_READ | Linux.PROT_WRITE,
                    Linux.MAP_PRIVATE | Linux.MAP_ANONYMOUS, -1, 0);
            if (pages == null || pages.address() == -1L) {
                throw nativeAccess.failure("mmap");
            }
            pages.put(0, X86_64_HANDLER, 0, X86_64_HANDLER.length);
            pages.putInt(PAGE, NO_FD);
            if (libc.mprotect(pages, PAGE, Linux.PROT_READ | Linux.PROT_EXEC) == -1) {
                PosixException failure = nativeAccess.failure("mprotect");
                libc.munmap(pages, 2 * PAGE); // never executed yet: safe to give back
                throw failure;
            }
            return new HandlerPages(pages);
        }

        long handlerAddress() {
            return pages.address();
        }

        void writeTo(int fd) {
            pages.putInt(PAGE, fd);
        }

        /** Whether the handlers in flight left within {@code nanos}, looking again until then. */
        boolean awaitNoHandlerInFlight(long nanos) {
            long deadline = System.nanoTime() + nanos;
            while (pages.getInt(PAGE + IN_FLIGHT) != 0) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                Thread.yield(); // the handler's thread needs the core
                VarHandle.acquireFence(); // the count is read again, not hoisted out of the loop
            }
            return true;
        }

        /** Clears every mark: pages of a closed pipe serve the next one afresh. */
        void clearMarks() {
            pages.setMemory(PAGE + MARKS, LAST_SIGNAL + 1, (byte) 0);
        }

        /** The marks as they are now, indexed by signal number. */
        byte[] marks() {
            byte[] marks = new byte[LAST_SIGNAL + 1];
            pages.get(PAGE + MARKS, marks, 0, marks.length);
            return marks;
        }

        boolean takeMark(int signal) {
            if (pages.getByte(PAGE + MARKS + signal) == 0) {
                return false;
            }
            pages.putByte(PAGE + MARKS + signal, (byte) 0);
            return true;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the signal pipe is closed");
        }
    }
}
