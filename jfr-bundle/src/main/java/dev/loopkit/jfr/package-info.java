/**
 * Loopkit's JDK Flight Recorder events, category "Loopkit": {@link dev.loopkit.jfr.WatcherSwapEvent}
 * and {@link dev.loopkit.jfr.PolicyChangeEvent}, emitted by {@link dev.loopkit.jfr.RuntimeEvents}.
 * Record with {@code jcmd <pid> JFR.start}, read with {@code jfr print --events dev.loopkit.*}.
 */
@Export
@Version("1.0.0")
package dev.loopkit.jfr;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
