package dev.loopkit.api;

import org.osgi.annotation.versioning.ProviderType;

/** asyncio's {@code BaseTransport}. */
@ProviderType
public interface BaseTransport {

    /**
     * asyncio {@code get_extra_info(name, default)}: {@code peername}, {@code sockname},
     * {@code socket}, {@code pipe}, {@code subprocess}… or {@code defaultValue}.
     */
    Object getExtraInfo(String name, Object defaultValue);

    /** asyncio {@code get_extra_info(name)}. */
    default Object getExtraInfo(String name) {
        return getExtraInfo(name, null);
    }

    /** Whether the transport is closing or closed. */
    boolean isClosing();

    /** Closes after flushing buffered data; the protocol's {@code connectionLost(null)} follows. */
    void close();

    void setProtocol(BaseProtocol protocol);

    BaseProtocol getProtocol();
}
