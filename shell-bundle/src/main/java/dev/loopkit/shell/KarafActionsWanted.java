package dev.loopkit.shell;

/**
 * A service present while this bundle registers no Gogo commands of scope {@code loop} (in Apache
 * Karaf, unless framework property {@code loopkit.shell.gogo=true} asks for them): the Karaf actions
 * of bundle {@code dev.loopkit.karaf} reference it, so Karaf shows them only then. With both, Gogo's
 * command processor keeps whichever of two commands of one name came last, and which came last
 * depended on how bundles and components started (KarafGogoCommandsIT got either).
 */
public interface KarafActionsWanted {
}
