package dev.loopkit.posix;

import dev.loopkit.posix.libc.LibC;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.constants.platform.Errno;
import jnr.constants.platform.Signal;
import jnr.ffi.Pointer;

/**
 * {@code posix_spawn}/{@code posix_spawnp} of a {@link SpawnSpec}: the file actions (standard
 * streams, working directory, closing every other descriptor) and attributes (process group,
 * session, signal mask and dispositions) it asks for. Every native object is destroyed and freed
 * before {@link #spawn} returns or throws.
 */
final class Spawner {

    private static final int[] STANDARD_STREAMS = {0, 1, 2};

    private final Native nativeAccess;
    private final LibC libc;

    Spawner(Native nativeAccess) {
        this.nativeAccess = nativeAccess;
        this.libc = nativeAccess.libc;
    }

    long spawn(SpawnSpec spec) throws PosixException {
        List<String> environment = spec.env() == null ? null : environment(spec.env());
        byte[] program = CStringArray.cString(spec.program());
        try (NativeMemory fileActions = NativeMemory.calloc(libc, Linux.OPAQUE_STRUCT_BYTES);
                NativeMemory attributes = NativeMemory.calloc(libc, Linux.OPAQUE_STRUCT_BYTES);
                NativeMemory signals = NativeMemory.calloc(libc, Linux.SIGSET_BYTES);
                CStringArray argv = CStringArray.of(libc, nativeAccess.addressSize(), spec.argv());
                CStringArray envp = environment == null ? null : CStringArray.of(libc, nativeAccess.addressSize(), environment)) {
            check(libc.posix_spawn_file_actions_init(fileActions.pointer()), "posix_spawn_file_actions_init");
            try {
                check(libc.posix_spawnattr_init(attributes.pointer()), "posix_spawnattr_init");
                try {
                    addFileActions(spec, fileActions.pointer());
                    setAttributes(spec, attributes.pointer(), signals.pointer());
                    // no envp given: the child inherits environ, as execv does
                    Pointer env = envp != null ? envp.pointer() : Pointer.wrap(nativeAccess.runtime, libc.environ().get());
                    int[] pid = new int[1];
                    List<String> candidates = pathOfGivenEnvironment(spec);
                    if (candidates == null) {
                        int error = spec.searchPath()
                                ? libc.posix_spawnp(pid, program, fileActions.pointer(), attributes.pointer(), argv.pointer(), env)
                                : libc.posix_spawn(pid, program, fileActions.pointer(), attributes.pointer(), argv.pointer(), env);
                        if (error != 0) {
                            throw spawnFailure(error, spec);
                        }
                        return pid[0];
                    }
                    // Python's child_exec: each candidate in turn; the first error that is not "not here"
                    // is the one reported, else the last. Python tries them all in one child; a spawn
                    // each made and ended a process per directory without the program, which a fast
                    // watcher on another loop reaped and warned about (an outside review): a candidate
                    // that is not there is known so without a child.
                    int error = Errno.ENOENT.intValue();
                    int reported = 0;
                    for (String candidate : candidates) {
                        int absent = absence(candidate, spec);
                        if (absent != 0) {
                            error = absent;
                            continue;
                        }
                        error = libc.posix_spawn(pid, CStringArray.cString(candidate), fileActions.pointer(), attributes.pointer(),
                                argv.pointer(), env);
                        if (error == 0) {
                            return pid[0];
                        }
                        if (reported == 0 && error != Errno.ENOENT.intValue() && error != Errno.ENOTDIR.intValue()) {
                            reported = error;
                        }
                    }
                    throw spawnFailure(reported != 0 ? reported : error, spec);
                } finally {
                    libc.posix_spawnattr_destroy(attributes.pointer());
                }
            } finally {
                libc.posix_spawn_file_actions_destroy(fileActions.pointer());
            }
        }
    }

    private void addFileActions(SpawnSpec spec, Pointer fileActions) throws PosixException {
        Redirect[] redirects = {spec.stdin(), spec.stdout(), spec.stderr()};
        for (int stream : STANDARD_STREAMS) {
            Redirect redirect = redirects[stream];
            switch (redirect.kind()) {
                case INHERIT:
                    break;
                case DEVNULL:
                    checkFileAction(libc.posix_spawn_file_actions_addopen(fileActions, stream, "/dev/null", Linux.O_RDWR, 0),
                            "posix_spawn_file_actions_addopen ", -1, stream);
                    break;
                case FD:
                    // equal descriptors: glibc (2.29+) clears FD_CLOEXEC instead, so a pipe end given as 0-2 survives
                    checkFileAction(libc.posix_spawn_file_actions_adddup2(fileActions, redirect.parentFd(), stream),
                            "posix_spawn_file_actions_adddup2 ", redirect.parentFd(), stream);
                    break;
                default:
                    throw new IllegalStateException(redirect.toString());
            }
        }
        if (spec.cwd() != null) {
            try {
                check(libc.posix_spawn_file_actions_addchdir_np(fileActions, CStringArray.cString(spec.cwd().toString())),
                        "posix_spawn_file_actions_addchdir_np");
            } catch (UnsatisfiedLinkError e) {
                throw new UnsupportedOperationException("a working directory for the child needs glibc 2.29 or later "
                        + "(posix_spawn_file_actions_addchdir_np)", e);
            }
        }
        if (spec.closeOtherFds()) {
            // after the dup2s, which have put what the child keeps on 0-2
            try {
                check(libc.posix_spawn_file_actions_addclosefrom_np(fileActions, 3), "posix_spawn_file_actions_addclosefrom_np");
            } catch (UnsatisfiedLinkError e) {
                throw new UnsupportedOperationException("closing the child's other file descriptors needs glibc 2.34 or later "
                        + "(posix_spawn_file_actions_addclosefrom_np)", e);
            }
        }
    }

    private void setAttributes(SpawnSpec spec, Pointer attributes, Pointer signals) throws PosixException {
        short flags = 0;
        if (spec.newProcessGroup()) {
            flags |= Linux.POSIX_SPAWN_SETPGROUP;
            check(libc.posix_spawnattr_setpgroup(attributes, 0), "posix_spawnattr_setpgroup");
        }
        if (spec.newSession()) {
            flags |= Linux.POSIX_SPAWN_SETSID;
        }
        if (spec.resetSignals()) {
            flags |= Linux.POSIX_SPAWN_SETSIGMASK | Linux.POSIX_SPAWN_SETSIGDEF;
            checkErrno(libc.sigemptyset(signals), "sigemptyset");
            check(libc.posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
            // Then every signal back to its default action. Not with sigaddset: glibc refuses its two
            // internal signals (32, 33) there, sets them to SIG_IGN in the child, and exec keeps them
            // ignored. sigset_t is the kernel's bit mask, signal n at bit n - 1 of the first word.
            signals.putLong(0, allSignalsButKillAndStop(libc.__libc_current_sigrtmax()));
            check(libc.posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
        }
        check(libc.posix_spawnattr_setflags(attributes, flags), "posix_spawnattr_setflags");
    }

    // Linux has signals 1 to SIGRTMAX (64): the standard ones, glibc's internal 32 and 33, real-time ones.
    private static long allSignalsButKillAndStop(int lastSignal) {
        long mask = 0;
        for (int signal = 1; signal <= lastSignal; signal++) {
            if (signal != Signal.SIGKILL.intValue() && signal != Signal.SIGSTOP.intValue()) {
                mask |= 1L << (signal - 1);
            }
        }
        return mask;
    }

    /**
     * Python looks a program name up in the {@code PATH} of the environment the child gets
     * ({@code os.get_exec_path(env)}, {@code /bin:/usr/bin} without one), where {@code posix_spawnp}
     * searches the JVM's own: the paths to try, or {@code null} when {@code posix_spawnp} (or the
     * program as given) is right.
     */
    private static List<String> pathOfGivenEnvironment(SpawnSpec spec) {
        if (!spec.searchPath() || spec.env() == null || spec.program().contains("/")) {
            return null;
        }
        String path = spec.env().getOrDefault("PATH", "/bin:/usr/bin");
        List<String> candidates = new ArrayList<>();
        for (String dir : path.split(":", -1)) {
            candidates.add(dir.isEmpty() ? spec.program() : dir + "/" + spec.program());
        }
        return candidates;
    }

    /**
     * {@code ENOENT} or {@code ENOTDIR} when nothing is at {@code candidate} (as the child, in its working
     * directory, would find), else 0: whatever else an exec there says (not executable, no permission to
     * look) is for the spawn to find out.
     */
    private static int absence(String candidate, SpawnSpec spec) {
        Path path = spec.cwd() != null ? spec.cwd().resolve(candidate) : Path.of(candidate);
        try {
            Files.readAttributes(path, BasicFileAttributes.class);
            return 0;
        } catch (NoSuchFileException notThere) {
            return Errno.ENOENT.intValue();
        } catch (FileSystemException e) {
            return "Not a directory".equals(e.getReason()) ? Errno.ENOTDIR.intValue() : 0;
        } catch (IOException | InvalidPathException e) {
            return 0;
        }
    }

    /**
     * Python names the directory when the child could not enter it and the program otherwise; glibc
     * reports both with the same error number, so the directory is checked afterwards.
     */
    private static PosixException spawnFailure(int error, SpawnSpec spec) {
        boolean aboutPath = error == Errno.ENOENT.intValue() || error == Errno.ENOTDIR.intValue()
                || error == Errno.EACCES.intValue();
        // An empty cwd is the current directory to Java, while chdir("") fails with ENOENT: Python names ''.
        if (aboutPath && spec.cwd() != null && (spec.cwd().toString().isEmpty() || !Files.isDirectory(spec.cwd()))) {
            return PosixException.aboutFile(error, spec.cwd().toString());
        }
        if (error == Errno.EBADF.intValue()) {
            // a redirection from a descriptor that is not open: exec never says that, Python names no file
            return new PosixException(error, PosixException.describe(error));
        }
        if (error == Errno.EPERM.intValue() && (spec.newSession() || spec.newProcessGroup())) {
            // setsid or setpgid refused before exec (a group leader may not start a session): Python names
            // no file; naming the program read as if it could not be run (an outside review)
            return new PosixException(error, PosixException.describe(error));
        }
        return PosixException.aboutFile(error, spec.program());
    }

    private static List<String> environment(Map<String, String> env) {
        List<String> entries = new ArrayList<>(env.size());
        env.forEach((name, value) -> entries.add(name + "=" + value));
        return entries;
    }

    /**
     * {@link #check} for a file action on {@code stream} (from {@code fd}, or -1 for none), named only
     * when it failed: a spawn built three such names it never used (one per standard stream).
     */
    private static void checkFileAction(int error, String call, int fd, int stream) throws PosixException {
        if (error != 0) {
            throw PosixException.ofCall(error, call + (fd < 0 ? Integer.toString(stream) : fd + " " + stream));
        }
    }

    /** For calls that return the error number (the posix_spawn family). */
    private static void check(int error, String call) throws PosixException {
        if (error != 0) {
            throw PosixException.ofCall(error, call);
        }
    }

    /** For calls that return -1 and set errno. */
    private void checkErrno(int result, String call) throws PosixException {
        if (result == -1) {
            throw nativeAccess.failure(call);
        }
    }
}
