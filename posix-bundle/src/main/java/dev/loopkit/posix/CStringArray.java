package dev.loopkit.posix;

import dev.loopkit.posix.libc.LibC;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * A NULL-terminated {@code char *[]} (argv, envp) and its strings in one block of native memory,
 * freed by {@link #close()}. Strings are encoded as Python encodes them for the OS: in the locale's
 * charset, except that an ASCII locale (C or POSIX, as in many containers and CI jobs) means UTF-8
 * (Python 3.7+, PEP 538 and 540). The JVM's platform charset there is ASCII, and encoding with it
 * turned every other character into {@code '?'} without a word.
 */
final class CStringArray implements AutoCloseable {

    private final NativeMemory memory;

    private CStringArray(NativeMemory memory) {
        this.memory = memory;
    }

    /** The charset strings are given to the OS in, where the locale's charset is {@code locale}. */
    static Charset osEncoding(Charset locale) {
        return locale.equals(StandardCharsets.US_ASCII) ? StandardCharsets.UTF_8 : locale;
    }

    static CStringArray of(LibC libc, int addressSize, List<String> strings) throws PosixException {
        Charset charset = osEncoding(Charset.defaultCharset());
        byte[][] encoded = new byte[strings.size()][];
        long pointersBytes = (long) (strings.size() + 1) * addressSize;
        long size = pointersBytes;
        for (int i = 0; i < encoded.length; i++) {
            String string = strings.get(i);
            if (string.indexOf('\0') >= 0) {
                // C would silently cut it short: Python refuses it the same way
                throw new IllegalArgumentException("embedded null byte in " + quote(string));
            }
            encoded[i] = string.getBytes(charset);
            size += encoded[i].length + 1;
        }
        NativeMemory memory = NativeMemory.calloc(libc, size);
        Pointer base = memory.pointer();
        long offset = pointersBytes;
        for (int i = 0; i < encoded.length; i++) {
            base.putAddress((long) i * addressSize, base.address() + offset);
            base.put(offset, encoded[i], 0, encoded[i].length);
            offset += encoded[i].length + 1; // calloc left the terminating zero (and the NULL entry)
        }
        return new CStringArray(memory);
    }

    Pointer pointer() {
        return memory.pointer();
    }

    @Override
    public void close() {
        memory.close();
    }

    private static String quote(String string) {
        return "'" + string.replace("\0", "\\x00") + "'";
    }
}
