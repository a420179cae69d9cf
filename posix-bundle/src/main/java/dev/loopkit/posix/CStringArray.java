package dev.loopkit.posix;

import dev.loopkit.posix.libc.LibC;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
            encoded[i] = encode(string, charset);
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

    /**
     * One string for the OS ({@link #osEncoding}), NUL-terminated: a program path, a working directory.
     * Given to the C library as a Java {@code String}, JNR encoded it in the JVM's charset, which in a
     * C locale turned every non-ASCII character into {@code '?'} (NonAsciiPathsTest).
     */
    static byte[] cString(String string) {
        byte[] encoded = encode(string, osEncoding(Charset.defaultCharset()));
        return Arrays.copyOf(encoded, encoded.length + 1);
    }

    // Python's os.fsencode: refuses what C would cut short or the charset cannot say, instead of
    // String.getBytes's silent '?' (a lone surrogate, a character outside the locale's charset).
    private static byte[] encode(String string, Charset charset) {
        if (string.indexOf('\0') >= 0) {
            // C would silently cut it short: Python refuses it the same way
            throw new IllegalArgumentException("embedded null byte in " + quote(string));
        }
        CharsetEncoder encoder = charset.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer in = CharBuffer.wrap(string);
        ByteBuffer out = ByteBuffer.allocate((int) Math.ceil(string.length() * (double) encoder.maxBytesPerChar()));
        if (encoder.encode(in, out, true).isError()) { // stopped at the character it cannot say
            int at = in.position();
            throw new IllegalArgumentException(String.format("'%s' codec can't encode character '\\u%04x' in position %d: %s",
                    charset.name().toLowerCase(Locale.ROOT), (int) string.charAt(at), at,
                    Character.isSurrogate(string.charAt(at)) ? "surrogates not allowed" : "not in the charset"));
        }
        encoder.flush(out);
        return Arrays.copyOf(out.array(), out.position());
    }

    private static String quote(String string) {
        return "'" + string.replace("\0", "\\x00") + "'";
    }
}
