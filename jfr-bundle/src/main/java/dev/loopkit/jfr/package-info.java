/**
 * Loopkit's JDK Flight Recorder events, category "Loopkit": {@value dev.loopkit.jfr.LoopkitEvents#WATCHER_SWAP}
 * and {@value dev.loopkit.jfr.LoopkitEvents#POLICY_CHANGE}, emitted by {@link dev.loopkit.jfr.RuntimeEvents}.
 * Record with {@code jcmd <pid> JFR.start}, read with {@code jfr print --events dev.loopkit.*}.
 */
@Export
@Version("1.0.0")
package dev.loopkit.jfr;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
