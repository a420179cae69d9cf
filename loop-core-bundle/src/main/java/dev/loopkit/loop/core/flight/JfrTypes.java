package dev.loopkit.loop.core.flight;

import java.util.List;
import jdk.jfr.AnnotationElement;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.EventFactory;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import jdk.jfr.ValueDescriptor;

/**
 * How every Loopkit JFR event type is described for {@link EventFactory}: category "Loopkit", no stack
 * trace, labelled and described fields. Shared by the loops' events here and the runtime's in the jfr
 * bundle.
 */
public final class JfrTypes {

    private JfrTypes() {
    }

    /** An event type's annotations: its name ({@code dev.loopkit.Something}), label and description. */
    public static List<AnnotationElement> type(String name, String label, String description) {
        return List.of(new AnnotationElement(Name.class, name), new AnnotationElement(Label.class, label),
                new AnnotationElement(Category.class, new String[] {"Loopkit"}),
                new AnnotationElement(Description.class, description),
                new AnnotationElement(StackTrace.class, false));
    }

    /** A text field. */
    public static ValueDescriptor text(String name, String label, String description) {
        return new ValueDescriptor(String.class, name,
                List.of(new AnnotationElement(Label.class, label), new AnnotationElement(Description.class, description)));
    }

    /** A {@code long} field of nanoseconds, shown as a duration. */
    public static ValueDescriptor nanos(String name, String label, String description) {
        return new ValueDescriptor(long.class, name, List.of(new AnnotationElement(Label.class, label),
                new AnnotationElement(Description.class, description),
                new AnnotationElement(Timespan.class, Timespan.NANOSECONDS)));
    }

    /** A field of another type with just a label (a pid, a count). */
    public static ValueDescriptor plain(Class<?> type, String name, String label) {
        return new ValueDescriptor(type, name, List.of(new AnnotationElement(Label.class, label)));
    }
}
