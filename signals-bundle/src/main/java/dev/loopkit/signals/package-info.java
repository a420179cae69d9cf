/**
 * Process signals: {@link dev.loopkit.signals.SignalDispatcher} installs one process handler per
 * signal and hands each signal to its listeners (loops, through {@code callSoonThreadsafe}, and
 * {@link dev.loopkit.signals.ProcessSignals process-wide listeners}); {@link
 * dev.loopkit.signals.SignalNumbers} says which numbers are signals and names them.
 */
@Export
@Version("2.0.0")
package dev.loopkit.signals;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
