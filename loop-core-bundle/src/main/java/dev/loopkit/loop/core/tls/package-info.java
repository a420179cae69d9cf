/**
 * TLS over any transport of any loop, asyncio's {@code sslproto}: {@code SslProtocol} sits between the
 * socket transport and the application's protocol, on the JDK's {@link javax.net.ssl.SSLEngine};
 * {@code Tls} wires it into connections, servers and {@code start_tls}.
 */
@Export
@Version("1.0.0")
package dev.loopkit.loop.core.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
