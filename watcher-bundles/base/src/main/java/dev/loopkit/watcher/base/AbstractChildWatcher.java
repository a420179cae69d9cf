package dev.loopkit.watcher.base;

import dev.loopkit.api.ChildWatcher;
import dev.loopkit.api.RuntimeHook;
import dev.loopkit.posix.Posix;

/**
 * What every Loopkit child watcher shares besides its {@link ChildTable} (each owns its own): the
 * logger and native bindings, SCR's deactivation, and the description. Nothing mutable: each watcher
 * keeps its state, and the lock that guards it, to itself.
 */
public abstract class AbstractChildWatcher implements ChildWatcher {

    /** Named after the concrete watcher, as asyncio's warnings name the class. */
    protected final System.Logger log = System.getLogger(getClass().getName());
    protected final Posix posix = Posix.get();

    /**
     * SCR's {@code deactivate}, found under its default name (the component descriptions name none):
     * the component goes, the watcher gives its children back (through the runtime, under the spawn
     * gate), then closes. SCR may deactivate before the runtime's tracker hears that the service went
     * away, and a loop could otherwise still spawn through the closed watcher. Every watcher component
     * is {@code immediate}: a delayed one is disposed as soon as nobody uses it (the runtime bundle
     * stopped, then the platform), and retired its children to the orphanage, which reaps nothing,
     * while its bundle ran on.
     */
    protected final void deactivate() {
        try {
            RuntimeHook.get().retire(this);
        } catch (IllegalStateException noRuntime) {
            // no runtime, so no registry nor switch that could hand this watcher a child
        }
        close();
    }

    @Override
    public String toString() {
        return "<" + ChildTable.nameOf(getClass()) + " children=" + children().keySet() + ">";
    }
}
