package dev.loopkit.loop.proactor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.Test;

/** The read buffer sizing of the proactor's transports. */
public class ReadSizeGuessTest {

    @Test
    public void startsSmallSoThatAnIdleConnectionHoldsLittle() {
        assertEquals(2048, new ReadSizeGuess().size());
    }

    @Test
    public void aFullReadGrowsTheNextBufferAtOnceUpTo64KiB() {
        ReadSizeGuess guess = new ReadSizeGuess();
        int[] expected = {8192, 32768, 65536, 65536};
        for (int next : expected) {
            guess.record(guess.size());
            assertEquals(next, guess.size());
        }
    }

    @Test
    public void itShrinksOnlyAfterTwoSmallReadsInARow() {
        ReadSizeGuess guess = grownToMax();
        guess.record(100);
        assertEquals("one small read in a stream keeps the buffer", 65536, guess.size());
        guess.record(100);
        assertEquals(32768, guess.size());
        guess.record(100);
        guess.record(20_000); // more than half of 32 KiB: not small, the count starts over
        guess.record(100);
        assertEquals(32768, guess.size());
        guess.record(100);
        assertEquals(16384, guess.size());
    }

    @Test
    public void neverBelowTheMinimum() {
        ReadSizeGuess guess = new ReadSizeGuess();
        for (int i = 0; i < 100; i++) {
            guess.record(0);
        }
        assertEquals(ReadSizeGuess.MIN, guess.size());
    }

    @Property
    void anySequenceOfReadsKeepsTheSizeAPowerOfTwoWithinBounds(
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 70_000) Integer> reads) {
        ReadSizeGuess guess = new ReadSizeGuess();
        for (int read : reads) {
            int before = guess.size();
            int got = Math.min(read, before); // a read never returns more than its buffer holds
            guess.record(got);
            int after = guess.size();
            assertTrue(after >= ReadSizeGuess.MIN && after <= ReadSizeGuess.MAX);
            assertEquals("a power of two: " + after, 1, Integer.bitCount(after));
            if (got == before) {
                assertTrue("a full read never shrinks the buffer", after >= before);
            }
            if (after < before) {
                assertEquals("shrinking is one halving at a time", before / 2, after);
            }
        }
    }

    private static ReadSizeGuess grownToMax() {
        ReadSizeGuess guess = new ReadSizeGuess();
        while (guess.size() < ReadSizeGuess.MAX) {
            guess.record(guess.size());
        }
        return guess;
    }
}
