package dev.loopkit.loop.selector;

import dev.loopkit.api.BaseProtocol;
import dev.loopkit.api.ReadTransport;
import java.util.ArrayList;
import java.util.List;

/**
 * A read transport of one's own, as a user may give a {@code StreamReader} (asyncio's
 * {@code set_transport}): it records its pauses and resumes, and runs {@link #onResume} on each resume,
 * where a transport may deliver more data at once.
 */
class ReadTransportStub implements ReadTransport {

    final List<String> calls = new ArrayList<>();
    private boolean reading = true;

    /** What a resume does besides being recorded: nothing here. */
    protected void onResume() {
    }

    @Override
    public boolean isReading() {
        return reading;
    }

    @Override
    public void pauseReading() {
        reading = false;
        calls.add("pauseReading");
    }

    @Override
    public void resumeReading() {
        reading = true;
        calls.add("resumeReading");
        onResume();
    }

    @Override
    public Object getExtraInfo(String name, Object defaultValue) {
        return defaultValue;
    }

    @Override
    public boolean isClosing() {
        return false;
    }

    @Override
    public void close() {
    }

    @Override
    public void setProtocol(BaseProtocol protocol) {
    }

    @Override
    public BaseProtocol getProtocol() {
        return null;
    }
}
