package dev.loopkit.posix;

/**
 * A child that ended, as {@code waitpid} or {@code waitid} reported it.
 *
 * @param pid the child's process id
 * @param returncode asyncio's return code: the exit status ({@code >= 0}), {@code -N} when signal
 *        N killed it, or the raw wait status when it is neither (see {@link Posix#returncode(int)})
 */
public record WaitStatus(long pid, int returncode) {
}
