package dev.loopkit.runtime.internal;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.EventLoopPolicy;
import dev.loopkit.api.LoopkitRuntime;
import dev.loopkit.runtime.ProcessWide;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The runtime as {@link java.util.ServiceLoader} makes it on the class path, where it can only call
 * a public constructor (on the module path it calls {@link ProcessWide#provider()}): every call goes
 * to the process's {@link ProcessWide}. {@link StoppedRuntime} is the same with one answer changed.
 */
public class ClassPathRuntime implements LoopkitRuntime {

    private final ProcessWide process = ProcessWide.get();

    @Override
    public EventLoopPolicy currentPolicy() {
        return process.currentPolicy();
    }

    @Override
    public void setExplicitPolicy(EventLoopPolicy policy) {
        process.setExplicitPolicy(policy);
    }

    @Override
    public boolean isMainContext(Thread thread) {
        return process.isMainContext(thread);
    }

    @Override
    public <W, T, E extends Exception> T spawn(Supplier<W> lookup, Spawn<? super W, T, E> spawn) throws E {
        return process.spawn(lookup, spawn);
    }

    @Override
    public boolean handingOverInThisThread() {
        return process.handingOverInThisThread();
    }

    @Override
    public void outsideSpawnGate(Runnable action) {
        process.outsideSpawnGate(action);
    }

    @Override
    public Set<Long> registeredChildren() {
        return process.registeredChildren();
    }

    @Override
    public String describe(ChildWatcher watcher) {
        return process.describe(watcher);
    }

    @Override
    public void retire(ChildWatcher watcher) {
        process.retire(watcher);
    }
}
