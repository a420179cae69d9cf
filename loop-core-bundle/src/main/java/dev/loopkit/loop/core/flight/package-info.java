/**
 * Loopkit's JDK Flight Recorder events: the ones the loops emit themselves ({@link
 * dev.loopkit.loop.core.flight.FlightEvents}: blocked loop, slow callback, child spawned, exit
 * delivered) and how every Loopkit event type is described ({@link dev.loopkit.loop.core.flight.JfrTypes},
 * also used by the jfr bundle's runtime events).
 */
@Export
@Version("1.0.0")
package dev.loopkit.loop.core.flight;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
