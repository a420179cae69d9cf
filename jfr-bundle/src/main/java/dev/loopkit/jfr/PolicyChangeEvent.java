package dev.loopkit.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** Another event loop policy became process-wide. */
@Name(PolicyChangeEvent.NAME)
@Label("Event Loop Policy Change")
@Category("Loopkit")
@Description("Another event loop policy became process-wide")
@StackTrace(false)
public final class PolicyChangeEvent extends Event {

    public static final String NAME = "dev.loopkit.PolicyChange";

    @Label("From")
    public String from;

    @Label("To")
    public String to;

    @Label("Reason")
    @Description("Why the new policy is process-wide: explicit, configured or ranked (none: no policy is left)")
    public String reason;
}
