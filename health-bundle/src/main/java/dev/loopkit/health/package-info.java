/**
 * Loopkit's Felix Health Checks, all of tag {@value dev.loopkit.health.LoopkitHealth#TAG}: run them with
 * {@code hc:exec loopkit} (Gogo, Karaf) or any Felix Health Check front end.
 */
@Export
@Version("1.0.0")
package dev.loopkit.health;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
